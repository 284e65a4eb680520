//! Other genban commands while the app is open. sled lets one process hold a store; the app
//! holds it and serves the commands of other genban processes over a Unix socket beside the
//! store (mode 0600: only its owner can connect). The command runs in the app's process on
//! the same ledger, behind the same write lock, so there is still one writer; the app sees
//! the change through the ledger's generation counter and refreshes within a tick.
//!
//! Protocol: one JSON line each way. Request: the command line (`args`, without the program
//! name), the client's working directory and its resolved settings. Reply: what the command
//! wrote to stdout and stderr, and its error if it failed.

use crate::cli::{self, Cli, Command, Context, Io};
use crate::domain::time::Clock;
use crate::i18n::Lang;
use crate::ledger::Ledger;
use crate::store::StoreError;
use anyhow::{anyhow, Result};
use clap::Parser;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

#[derive(Serialize, Deserialize)]
struct Request {
    args: Vec<String>,
    cwd: PathBuf,
    today: Option<chrono::NaiveDate>,
    tz: String,
    lang: Lang,
    operator: Option<String>,
}

#[derive(Serialize, Deserialize, Default)]
struct Reply {
    out: String,
    err: String,
    error: Option<String>,
}

/// The socket of a store: `genban.sock` in its directory, or, when that path is too long for
/// a Unix socket, one named after the store in the temp directory.
pub fn socket_path(db: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
    let beside = abs.join("genban.sock");
    if beside.as_os_str().len() < 100 {
        return beside;
    }
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    abs.hash(&mut h);
    std::env::temp_dir().join(format!("genban-{:016x}.sock", h.finish()))
}

/// Serves other genban processes until the returned guard is dropped (the socket is removed
/// then). When the socket cannot be made, the app runs without serving.
pub struct Server {
    path: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

pub fn start(ledger: &Ledger, db: &Path) -> Option<Server> {
    let path = socket_path(db);
    // A socket left by an app that died: nobody answers on it.
    if UnixStream::connect(&path).is_err() {
        let _ = std::fs::remove_file(&path);
    }
    let listener = UnixListener::bind(&path).ok()?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).ok()?;
    let ledger = ledger.sharing(ledger.clock, ledger.operator.clone());
    let db = db.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let reply = match read_request(&stream) {
                Ok(req) => serve(&ledger, &db, req),
                Err(e) => Reply {
                    error: Some(e.to_string()),
                    ..Default::default()
                },
            };
            let mut stream = stream;
            if let Ok(line) = serde_json::to_string(&reply) {
                let _ = writeln!(stream, "{line}");
            }
        }
    });
    Some(Server { path })
}

fn read_request(stream: &UnixStream) -> Result<Request> {
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line)?;
    Ok(serde_json::from_str(&line)?)
}

/// Runs one request's command on the app's ledger with the client's settings.
fn serve(ledger: &Ledger, db: &Path, req: Request) -> Reply {
    let lang = req.lang;
    let ctx = Context {
        db: db.to_path_buf(),
        clock: Clock {
            tz: req.tz.parse().unwrap_or(crate::domain::time::DEFAULT_TZ),
            today: req.today,
        },
        lang,
        operator: req.operator,
    };
    let parsed = Cli::try_parse_from(std::iter::once("genban".to_string()).chain(req.args));
    let mut cmd = match parsed {
        Ok(c) => c.command.unwrap_or(Command::Open),
        Err(e) => {
            return Reply {
                error: Some(e.to_string()),
                ..Default::default()
            }
        }
    };
    if matches!(cmd, Command::Open | Command::Demo { .. }) {
        return Reply {
            error: Some(
                lang.t(
                    "应用已经在这个数据库上打开了",
                    "the app is already open on this store",
                )
                .to_string(),
            ),
            ..Default::default()
        };
    }
    cmd.absolutize(&req.cwd);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let result = {
        let mut io = Io {
            out: &mut out,
            err: &mut err,
            progress: false,
        };
        cli::run_on(cmd, &ctx, &ctx.over(ledger), &mut io)
    };
    Reply {
        out: String::from_utf8_lossy(&out).into_owned(),
        err: String::from_utf8_lossy(&err).into_owned(),
        error: result.err().map(|e| match e.downcast_ref::<StoreError>() {
            Some(s) => s.message(lang),
            None => format!("{e:#}"),
        }),
    }
}

/// Sends this process's command to the app that holds the store at `db`. When no app answers
/// (another process holds it, or the socket is gone), says the store is locked.
pub fn forward(db: &Path, ctx: &Context, io: &mut Io) -> Result<()> {
    let Ok(mut stream) = UnixStream::connect(socket_path(db)) else {
        return Err(StoreError::Locked(db.to_path_buf()).into());
    };
    let args = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| anyhow!("invalid UTF-8 in the arguments"))?;
    let req = Request {
        args,
        cwd: std::env::current_dir()?,
        today: ctx.clock.today,
        tz: ctx.clock.tz.name().to_string(),
        lang: ctx.lang,
        operator: ctx.operator.clone(),
    };
    writeln!(stream, "{}", serde_json::to_string(&req)?)?;
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line)?;
    let reply: Reply = serde_json::from_str(&line).map_err(|_| {
        anyhow!(
            "{}",
            ctx.lang.t(
                "打开数据库的应用没有应答",
                "the app holding the store did not answer"
            )
        )
    })?;
    io.out.write_all(reply.out.as_bytes())?;
    io.err.write_all(reply.err.as_bytes())?;
    match reply.error {
        Some(e) => Err(anyhow!(e)),
        None => Ok(()),
    }
}
