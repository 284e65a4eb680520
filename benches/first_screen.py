#!/usr/bin/env python3
# Usage: cargo build --release && python3 benches/first_screen.py STORE_DIR [RUNS]
# (make a store with: GENBAN_TODAY=2026-11-29 target/release/genban demo --db STORE_DIR --tickets N)
"""Time from starting the real binary in tmux to its first full screen (the pane tabs) and to
the header figures (computed on a thread). Key presses are timed in-process by benches/perf.rs.
Polls capture-pane every 10 ms; each run uses its own tmux server."""
import subprocess, sys, time, os
db = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
def t(sock, *a):
    return subprocess.run(["tmux", "-S", sock, "-f", "/dev/null", *a], capture_output=True, text=True).stdout
def wait(sock, pred, limit=60):
    s = time.time()
    while time.time() - s < limit:
        scr = t(sock, "capture-pane", "-p", "-t", "fs")
        if pred(scr):
            return time.time()
        time.sleep(0.01)
    raise SystemExit("timeout:\n" + t(sock, "capture-pane", "-p", "-t", "fs"))
for r in range(runs):
    sock = f"/tmp/fs-{os.getpid()}-{r}.sock"
    binary = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "genban")
    cmd = f"GENBAN_TODAY=2026-11-29 GENBAN_CONFIG_DIR=/tmp/fs-config {binary} --db {db}; sleep 30"
    t(sock, "new-session", "-d", "-s", "fs", "-x", "120", "-y", "40", "-e", "TERM=xterm-256color", "-e", "LANG=C.UTF-8", "sleep 0.3; " + cmd)
    start = time.time() + 0.3
    panes = wait(sock, lambda s: "1 待签收" in s)
    figs = wait(sock, lambda s: "签收准确率 " in s and "计算中" not in s)
    line = f"run {r}: panes drawn {1000*(panes-start):.0f} ms, figures {1000*(figs-start):.0f} ms"
    print(line, flush=True)
    t(sock, "kill-server")
    while subprocess.run(["pgrep", "-f", f"genban --db {db}"], capture_output=True).returncode == 0:
        time.sleep(0.1)
