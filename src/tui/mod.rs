//! The terminal app: daily triage panes, ticket detail, dialogs that record events.
//!
//! One way round: terminal event → `keymap` → `Action` → `App::update` → ledger (domain check,
//! store commit) → `App::refresh` → `ui::render(&App)`.

pub mod app;
pub mod board;
pub mod dialog;
pub mod dialogs;
pub mod event_text;
pub mod form;
pub mod keymap;
pub mod text_view;
pub mod ui;

use crate::cli::Context;
use crate::ledger::Ledger;
use app::App;
use crossterm::event::{self, Event, KeyEventKind};
use keymap::KeyMap;
use std::time::Duration;

/// The key map: shipped defaults patched by `keys.toml` in the config directory.
pub fn load_keys() -> anyhow::Result<KeyMap> {
    let user = crate::config::config_dir().map(|d| d.join("keys.toml"));
    KeyMap::load(user.as_deref()).map_err(|e| anyhow::anyhow!("key bindings: {e}"))
}

/// Runs the app until the user quits. The terminal is restored on return, on error and on panic.
pub fn run(ledger: Ledger, ctx: &Context) -> anyhow::Result<()> {
    let keys = load_keys()?;
    // On a server database, other workstations' saves show here within a second (said before
    // the screen is taken when it cannot be followed; the app works without it).
    if let Err(e) = ledger.follow_other_writers() {
        eprintln!("genban: {}", e.message(ctx.lang));
    }
    // ratatui::init installs a panic hook that restores the terminal before the report prints.
    let mut terminal = ratatui::init();
    let lang = ctx.lang;
    let loading = format!(" {} {}", lang.t("正在打开", "Opening"), ledger.location());
    // Other genban commands run in this process while the app is open (see `serve`).
    let _server = crate::serve::start(&ledger, &ctx.db);
    let spare = ledger.sharing(ledger.clock, ledger.operator());
    let result = terminal
        .draw(|f| f.render_widget(ratatui::widgets::Paragraph::new(loading.as_str()), f.area()))
        .map_err(anyhow::Error::from)
        .and_then(|_| match App::new(ledger, lang, keys.clone(), true) {
            // A damaged event must not lock the user out: open read-only, say so.
            Err(e) if is_corrupt(&e) => {
                spare.set_read_only(damaged_banner(&e, lang));
                App::new(spare, lang, keys, true)
            }
            other => other,
        })
        .and_then(|mut app| {
            if let Some(w) = app.ledger.warnings().into_iter().next() {
                app.message = Some((w, true));
            }
            // The first start without an operator asks who is at the keyboard.
            if app.ledger.operator().is_none() && app.ledger.read_only().is_none() {
                app.ask_operator();
            }
            event_loop(&mut terminal, &mut app)
        });
    ratatui::restore();
    result
}

fn is_corrupt(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<crate::store::StoreError>(),
        Some(crate::store::StoreError::Corrupt { .. })
    )
}

/// What the read-only banner says: what is wrong and what to run.
fn damaged_banner(e: &anyhow::Error, lang: crate::i18n::Lang) -> String {
    let detail = match e.downcast_ref::<crate::store::StoreError>() {
        Some(crate::store::StoreError::Corrupt { detail, .. }) => detail.clone(),
        _ => e.to_string(),
    };
    match lang {
        crate::i18n::Lang::Zh => format!(
            "数据库有无法读取的记录({detail}),只读打开。运行 genban verify 查看,genban export --format jsonl -o 文件 导出可读的记录"
        ),
        crate::i18n::Lang::En => format!(
            "the store has unreadable events ({detail}); opened read-only. Run genban verify to list them, genban export --format jsonl -o FILE to save the rest"
        ),
    }
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> anyhow::Result<()> {
    let mut dirty = true;
    let size = terminal.size()?;
    app.resize(size.width, size.height);
    while !app.quit {
        if app.poll() {
            dirty = true;
        }
        if dirty {
            terminal.draw(|f| ui::render(f, app))?;
            dirty = false;
        }
        if event::poll(Duration::from_millis(40))? {
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => {
                    app.on_key(k);
                    if let Some(text) = app.clipboard.take() {
                        copy_to_terminal(&text)?;
                    }
                    dirty = true;
                }
                Event::Resize(w, h) => {
                    app.resize(w, h);
                    dirty = true;
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Puts `text` on the terminal's clipboard: OSC 52, which the terminal (and tmux, and an ssh
/// session's local terminal) carries out.
fn copy_to_terminal(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout();
    out.write_all(osc52(text).as_bytes())?;
    out.flush()?;
    Ok(())
}

/// The OSC 52 sequence that sets the clipboard to `text`.
pub fn osc52(text: &str) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut b64 = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(char::from(ABC[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                b64.push('=');
            }
        }
    }
    format!("\x1b]52;c;{b64}\x07")
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_carries_the_text_in_base64() {
        assert_eq!(
            super::osc52("L20261204001"),
            "\x1b]52;c;TDIwMjYxMjA0MDAx\x07"
        );
        assert_eq!(super::osc52("ab"), "\x1b]52;c;YWI=\x07");
        assert_eq!(super::osc52("a"), "\x1b]52;c;YQ==\x07");
    }
}
