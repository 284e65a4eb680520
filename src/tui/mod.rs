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
