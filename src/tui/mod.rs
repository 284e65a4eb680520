//! The terminal app: daily triage panes, ticket detail, dialogs that record events.
//!
//! One way round: terminal event → `keymap` → `Action` → `App::update` → ledger (domain check,
//! store commit) → `App::refresh` → `ui::render(&App)`.

pub mod app;
pub mod dialog;
pub mod form;
pub mod keymap;
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
    // ratatui::init installs a panic hook that restores the terminal before the report prints.
    let mut terminal = ratatui::init();
    let lang = ctx.lang;
    let loading = format!(
        " {} {}",
        lang.t("正在打开", "Opening"),
        ledger.store().location()
    );
    let result = terminal
        .draw(|f| f.render_widget(ratatui::widgets::Paragraph::new(loading.as_str()), f.area()))
        .map_err(anyhow::Error::from)
        .and_then(|_| App::new(ledger, lang, keys, true))
        .and_then(|mut app| event_loop(&mut terminal, &mut app));
    ratatui::restore();
    result
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> anyhow::Result<()> {
    let mut dirty = true;
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
                    dirty = true;
                }
                Event::Resize(..) => dirty = true,
                _ => {}
            }
        }
    }
    Ok(())
}
