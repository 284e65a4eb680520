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
    /// The store directory.
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
