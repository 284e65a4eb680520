//! The user's settings (`config.toml` in the config directory) and where things live.

use crate::i18n::Lang;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Who records events made in the program.
    pub operator: Option<String>,
    pub lang: Option<Lang>,
    /// An IANA zone name, e.g. Asia/Shanghai.
    pub tz: Option<String>,
    /// The store: a directory, or postgres://user@host/dbname.
    pub db: Option<PathBuf>,
}

fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "genban")
}

/// The config directory (`GENBAN_CONFIG_DIR` overrides it).
pub fn config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("GENBAN_CONFIG_DIR") {
        return Some(PathBuf::from(d));
    }
    dirs().map(|d| d.config_dir().to_path_buf())
}

/// The default store: `db` under the user's data directory.
pub fn default_db() -> PathBuf {
    dirs()
        .map(|d| d.data_dir().join("db"))
        .unwrap_or_else(|| PathBuf::from("genban-db"))
}

impl Config {
    /// Reads `config.toml` from the config directory; a missing file is an empty config.
    pub fn load() -> Result<Config, String> {
        match config_dir() {
            Some(d) => Config::load_from(&d.join("config.toml")),
            None => Ok(Config::default()),
        }
    }

    pub fn load_from(path: &Path) -> Result<Config, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }
}

/// Sets `operator` in `config.toml` in the config directory, keeping the rest of the file
/// (comments included); the file is checked to still read as a config before it replaces the
/// old one. Returns the file written.
pub fn save_operator(name: &str) -> Result<PathBuf, String> {
    let dir = config_dir().ok_or("no config directory (set GENBAN_CONFIG_DIR)")?;
    let path = dir.join("config.toml");
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let text = with_key(&old, "operator", name);
    toml::from_str::<Config>(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = || -> std::io::Result<()> {
        let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
        std::io::Write::write_all(&mut tmp, text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    };
    write().map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// `text` (a TOML file of top-level keys) with `key` set to the string `value`: its line
/// replaced where it has one, else a line added at the top.
fn with_key(text: &str, key: &str, value: &str) -> String {
    let line = format!("{key} = {}", toml::Value::String(value.to_string()));
    let is_key = |l: &str| {
        l.trim_start()
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    if text.lines().any(is_key) {
        let mut out: Vec<String> = text
            .lines()
            .map(|l| {
                if is_key(l) {
                    line.clone()
                } else {
                    l.to_string()
                }
            })
            .collect();
        out.push(String::new());
        out.join("\n")
    } else {
        format!("{line}\n{text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_replaced_in_place_or_added_and_the_rest_kept() {
        let old = "# 我的设置\nlang = \"zh\"\noperator = \"旧\"\n";
        let new = with_key(old, "operator", "王 \"小\" 明");
        assert!(new.starts_with("# 我的设置\nlang = \"zh\"\n"), "{new}");
        let c: Config = toml::from_str(&new).unwrap();
        assert_eq!(c.operator.as_deref(), Some("王 \"小\" 明"));
        assert_eq!(c.lang, Some(Lang::Zh));
        let added = with_key("lang = \"en\"\n", "operator", "李");
        let c: Config = toml::from_str(&added).unwrap();
        assert_eq!(c.operator.as_deref(), Some("李"));
        // A longer key that starts with the same letters is another key.
        assert_eq!(
            with_key("operators_x = 1\n", "operator", "李"),
            "operator = \"李\"\noperators_x = 1\n"
        );
    }
}
