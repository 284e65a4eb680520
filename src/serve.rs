//! Other genban commands while the app is open. sled lets one process hold a store; the app
//! holds it and serves the commands of other genban processes over a Unix socket beside the
//! store (mode 0600: only its owner can connect; the app also checks the peer's uid, and a
//! client sends nothing to a socket that is not its own user's). The command runs in the
//! app's process on the same ledger, behind the same write lock, so there is still one
//! writer; the app sees the change through the ledger's generation counter and refreshes
//! within a tick. Each client is served on its own thread and dropped when it sends nothing
//! for a few seconds. A command asks the socket before opening the store (see `try_forward`).
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
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    // A server database has no directory to put a socket in: its workstations share it.
    if crate::store::is_server(db) {
        return None;
    }
    let path = socket_path(db);
    // A socket left by an app that died: nobody answers on it.
    if UnixStream::connect(&path).is_err() {
        let _ = std::fs::remove_file(&path);
    }
    let listener = UnixListener::bind(&path).ok()?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).ok()?;
    let ledger = ledger.sharing(ledger.clock, ledger.operator());
    let db = db.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            // Each client on its own thread: one that sends nothing holds up no other.
            let ledger = ledger.sharing(ledger.clock, ledger.operator());
            let db = db.clone();
            let _ = std::thread::Builder::new()
                .name("genban-serve".into())
                .spawn(move || answer(stream, &ledger, &db));
        }
    });
    Some(Server { path })
}

/// How long the app waits for a client's request before it drops the connection.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the app waits for a client to take its reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest request read (a command line is far shorter).
const MAX_REQUEST: u64 = 16 << 20;

/// Reads one client's request, runs it and writes the reply.
fn answer(mut stream: UnixStream, ledger: &Ledger, db: &Path) {
    // The socket's mode already keeps other users out; the peer's credentials make sure.
    if !peer_uid(&stream).is_ok_and(|uid| uid == own_uid()) {
        return;
    }
    if stream.set_read_timeout(Some(REQUEST_TIMEOUT)).is_err()
        || stream.set_write_timeout(Some(REPLY_TIMEOUT)).is_err()
    {
        return;
    }
    let reply = match read_request(&stream) {
        // Silent past the timeout, or gone: nobody to answer.
        Err(_) => return,
        Ok(Ok(req)) => serve(ledger, db, req),
        Ok(Err(e)) => Reply {
            error: Some(e.to_string()),
            ..Default::default()
        },
    };
    if let Ok(line) = serde_json::to_string(&reply) {
        let _ = writeln!(stream, "{line}");
    }
}

fn read_request(stream: &UnixStream) -> std::io::Result<serde_json::Result<Request>> {
    let mut line = String::new();
    BufReader::new(stream.take(MAX_REQUEST)).read_line(&mut line)?;
    Ok(serde_json::from_str(&line))
}

/// The effective uid of the process at the other end of `stream` when it connected.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn peer_uid(stream: &UnixStream) -> std::io::Result<u32> {
    use std::os::unix::io::AsRawFd;
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let size = std::mem::size_of::<libc::ucred>();
    let mut len = size as libc::socklen_t;
    // SAFETY: the descriptor is open for the call (borrowed from `stream`); `cred` and `len`
    // are valid for writes and `len` is the size of `cred`.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            std::ptr::addr_of_mut!(cred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    if len as usize != size {
        return Err(std::io::Error::other("SO_PEERCRED: short answer"));
    }
    Ok(cred.uid)
}

/// The effective uid of the process at the other end of `stream` when it connected.
#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
))]
fn peer_uid(stream: &UnixStream) -> std::io::Result<u32> {
    use std::os::unix::io::AsRawFd;
    let (mut uid, mut gid) = (0, 0);
    // SAFETY: the descriptor is open for the call (borrowed from `stream`); `uid` and `gid`
    // are valid for writes.
    if unsafe { libc::getpeereid(stream.as_raw_fd(), &mut uid, &mut gid) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(uid)
}

/// Elsewhere the peer cannot be told: nobody is trusted.
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
)))]
fn peer_uid(_: &UnixStream) -> std::io::Result<u32> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// This process's effective uid: the owner of the files (and sockets) it makes.
fn own_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
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

/// Whether an app of this user answers on the socket of the store at `db`.
enum Reach {
    App(UnixStream),
    /// No socket, or nobody answers on it.
    Nobody,
    /// The socket (or whatever is at its path) is another user's, or the process answering
    /// on it is: nothing may be sent to it.
    Foreign(PathBuf),
}

fn reach(db: &Path) -> Reach {
    if crate::store::is_server(db) {
        return Reach::Nobody;
    }
    let path = socket_path(db);
    // The socket for a long store path is in the shared temp directory, where anybody may
    // have made it first: the file itself (not what a link points to) must be this user's.
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return Reach::Nobody;
    };
    if meta.uid() != own_uid() {
        return Reach::Foreign(path);
    }
    if !meta.file_type().is_socket() {
        return Reach::Nobody;
    }
    let Ok(stream) = UnixStream::connect(&path) else {
        return Reach::Nobody;
    };
    // And so must be the process that answers.
    match peer_uid(&stream) {
        Ok(uid) if uid == own_uid() => Reach::App(stream),
        _ => Reach::Foreign(path),
    }
}

/// Sends this process's command to the app of this user that serves the store at `db`, if
/// one answers there: `None` when none does (the caller opens the store itself). Asked first,
/// it spares the wait of opening a store the app holds.
pub fn try_forward(db: &Path, ctx: &Context, io: &mut Io) -> Option<Result<()>> {
    match reach(db) {
        Reach::App(stream) => Some(send(stream, ctx, io)),
        Reach::Nobody | Reach::Foreign(_) => None,
    }
}

/// Sends this process's command to the app that holds the store at `db`. When no app answers
/// (another process holds it, or the socket is gone), says the store is locked; when the
/// socket is another user's, sends nothing and says so.
pub fn forward(db: &Path, ctx: &Context, io: &mut Io) -> Result<()> {
    match reach(db) {
        Reach::App(stream) => send(stream, ctx, io),
        Reach::Nobody => Err(StoreError::Locked(db.to_path_buf()).into()),
        Reach::Foreign(sock) => Err(anyhow!(
            "{}",
            match ctx.lang {
                Lang::Zh => format!(
                    "数据库 {} 正被占用,而它的套接字 {} 属于另一个用户:命令没有发给它。请检查并删除这个文件",
                    db.display(),
                    sock.display()
                ),
                Lang::En => format!(
                    "the store {} is in use and its socket {} belongs to another user: the command was not sent to it. Check and remove that file",
                    db.display(),
                    sock.display()
                ),
            }
        )),
    }
}

/// Sends the command line to the app on `stream` and writes out its reply.
fn send(mut stream: UnixStream, ctx: &Context, io: &mut Io) -> Result<()> {
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
