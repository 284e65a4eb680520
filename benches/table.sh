#!/usr/bin/env bash
# The speed and memory table of issue 13 beside its aims, on demo stores of 10,000 and 100,000
# tickets: builds the release binary, makes the stores (kept for the next run), times the
# whole-process commands, runs benches/perf.rs for the app's own figures, drives the real app in
# tmux for what only a running app shows, and prints a markdown table.
#
# Usage: benches/table.sh [--sizes "10000 100000"] [--work DIR] [--runs N] [--fresh]
#   --sizes  ticket counts, one column each (default "10000 100000")
#   --work   where the stores, exports and logs go (default ${TMPDIR:-/tmp}/genban-bench)
#   --runs   runs per whole-process measurement, the median is shown (default 3)
#   --fresh  make the stores again even if they are there
#
# Whole-process numbers: wall time from bash's microsecond clock around /usr/bin/time, whose
# %M gives the peak resident memory. App numbers are in-process (benches/perf.rs on a copy of
# the store, drawn on a 120x40 test terminal) except the memory with the board open and the CLI
# action, taken from the real binary in tmux. Every command's output is in WORK/logs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$ROOT/target/release/genban
TODAY=2026-12-03
SIZES="10000 100000"
WORK=${TMPDIR:-/tmp}/genban-bench
RUNS=3
PERF=     # benches/perf.rs's executable (build)
BUILD_ID= # a hash of the binary, kept beside each store made with it
FRESH=0
declare -A RES=() # "size:key" -> value

usage() {
  sed -n '/^# Usage/,/^#   --fresh/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

parse_args() {
  while (($#)); do
    case $1 in
      --sizes) SIZES=$2; shift 2 ;;
      --work) WORK=$2; shift 2 ;;
      --runs) RUNS=$2; shift 2 ;;
      --fresh) FRESH=1; shift ;;
      -h | --help) usage; exit 0 ;;
      *) echo "table.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
  done
  for n in $SIZES; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "table.sh: bad size $n" >&2; exit 2; }
  done
  [[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "table.sh: bad --runs $RUNS" >&2; exit 2; }
}

say() {
  printf '[table.sh %s] %s\n' "$(date +%T)" "$*" >&2
}

# genban with the bench's date (an array, for /usr/bin/time; a function for the rest). A
# user's config (language, keys, operator) and GENBAN_* variables play no part (setup_env).
GENBAN=("$BIN" --today "$TODAY")
genban() {
  "${GENBAN[@]}" "$@"
}

setup_env() {
  mkdir -p "$WORK/logs" "$WORK/config"
  WORK=$(cd "$WORK" && pwd)
  unset GENBAN_DB GENBAN_TODAY GENBAN_OPERATOR
  # The app asks a first-time user's name; the bench is its own operator.
  export GENBAN_OPERATOR=bench
  export GENBAN_CONFIG_DIR=$WORK/config GENBAN_LANG=zh GENBAN_TZ=Asia/Shanghai
  export LANG=C.UTF-8 LC_ALL=C.UTF-8
  command -v /usr/bin/time >/dev/null || { echo "table.sh: needs /usr/bin/time (GNU time)" >&2; exit 1; }
}

# The release binary, and benches/perf.rs built from the same sources (run directly later, so
# that an edit made meanwhile cannot slip a rebuild in between).
build() {
  local log=$WORK/logs/build.log
  say "cargo build --release, cargo bench --bench perf --no-run"
  (cd "$ROOT" && cargo build --release && cargo bench --bench perf --no-run) >"$log" 2>&1 ||
    fail_log "the build" "$log"
  PERF=$(grep -o 'target/release/deps/perf-[0-9a-f]*' "$log" | tail -n 1)
  [[ -n $PERF ]] || fail_log "finding the perf bench's executable" "$log"
  PERF=$ROOT/$PERF
  BUILD_ID=$(sha256sum "$BIN" | cut -c1-16)
}

store_of() { echo "$WORK/s$1"; }

# A demo store of n tickets, made once (a `.ok` file beside it says it was finished).
make_store() {
  local n=$1 db
  db=$(store_of "$n")
  if ((FRESH)) || [[ ! -f $db.ok ]]; then
    rm -rf "$db" "$db.ok" "$db.jsonl"
    say "demo store of $n tickets in $db"
    genban demo --tickets "$n" --db "$db" </dev/null >"$WORK/logs/demo-$n.log" 2>&1 ||
      fail_log "demo --tickets $n" "$WORK/logs/demo-$n.log"
    echo "$BUILD_ID" >"$db.ok"
  elif [[ $(cat "$db.ok") != "$BUILD_ID" ]]; then
    say "reusing $db, made by another build of genban (--fresh if the store format changed)"
  else
    say "reusing $db (--fresh makes it again)"
  fi
}

fail_log() {
  echo "table.sh: $1 failed; the end of $2:" >&2
  tail -n 20 "$2" >&2
  exit 1
}

now_us() {
  local t=${EPOCHREALTIME/[.,]/}
  echo "$t"
}

# Runs a command once: prints "wall_ms peak_rss_kib". Its output goes to the log named.
time_once() {
  local log=$1 tf t0 t1 rss
  shift
  tf=$(mktemp)
  t0=$(now_us)
  if ! /usr/bin/time -f "%e %M" -o "$tf" "$@" </dev/null >"$log" 2>&1; then
    rm -f "$tf"
    fail_log "$*" "$log"
  fi
  t1=$(now_us)
  rss=$(awk 'END { print $2 }' "$tf")
  rm -f "$tf"
  echo "$(((t1 - t0) / 1000)).$(printf '%03d' $(((t1 - t0) % 1000))) $rss"
}

median() {
  sort -g | awk 'NF { v[++k] = $1 } END { if (k) print v[int((k + 1) / 2)] }'
}

# Times a command RUNS times into RES[size:key_ms] and RES[size:key_mib] (the medians).
# A `prep` function, if given, runs (untimed) before each run with the run's number.
measure() {
  local n=$1 key=$2 prep=$3 i out walls="" rsss=""
  shift 3
  for ((i = 1; i <= RUNS; i++)); do
    [[ $prep == - ]] || "$prep" "$n" "$i"
    out=$(time_once "$WORK/logs/$key-$n-$i.log" "$@")
    walls+="${out% *}"$'\n'
    rsss+="${out#* }"$'\n'
  done
  RES[$n:${key}_ms]=$(median <<<"$walls")
  RES[$n:${key}_mib]=$(awk '{ printf "%.0f", $1 / 1024 }' <<<"$(median <<<"$rsss")")
  say "  $key: ${RES[$n:${key}_ms]} ms, ${RES[$n:${key}_mib]} MiB (median of $RUNS)"
}

# The look-back the app's R shows: the month before and this one.
review_period() {
  local m=${TODAY:0:7}-01
  echo "--from $(date -d "$m -1 month" +%F) --to $(date -d "$m +1 month -1 day" +%F)"
}

prep_backup() { rm -rf "$WORK/backup"; mkdir -p "$WORK/backup"; }
prep_import() { rm -rf "$WORK/import"; }

measure_cli() {
  local n=$1 db events
  db=$(store_of "$n")
  say "whole-process commands on $n tickets"
  measure "$n" report - "${GENBAN[@]}" --db "$db" report
  measure "$n" dashboard - "${GENBAN[@]}" --db "$db" dashboard
  # shellcheck disable=SC2046 # the period is two words each
  measure "$n" review - "${GENBAN[@]}" --db "$db" review $(review_period)
  measure "$n" verify - "${GENBAN[@]}" --db "$db" verify
  measure "$n" backup prep_backup "${GENBAN[@]}" --db "$db" backup "$WORK/backup"
  measure "$n" export - "${GENBAN[@]}" --db "$db" export --format jsonl -o "$db.jsonl"
  events=$(wc -l <"$db.jsonl")
  measure "$n" import prep_import "${GENBAN[@]}" --db "$WORK/import" import "$db.jsonl"
  RES[$n:import_events]=$events
  RES[$n:import_rate]=$(awk -v e="$events" -v ms="${RES[$n:import_ms]}" \
    'BEGIN { printf "%.0f", e / (ms / 1000) }')
  rm -rf "$WORK/backup" "$WORK/import"
}

# A copy of the store for what writes to it (the app's saves, the CLI contact).
scratch_copy() {
  local n=$1
  rm -rf "$WORK/scratch"
  cp -r "$(store_of "$n")" "$WORK/scratch"
}

measure_app() {
  local n=$1 log name value
  log=$WORK/logs/perf-$n.log
  say "the app in-process (benches/perf.rs) on $n tickets"
  scratch_copy "$n"
  "$PERF" --db "$WORK/scratch" --today "$TODAY" >"$log" 2>&1 || fail_log "benches/perf.rs" "$log"
  while read -r _ name value; do
    [[ $value == none ]] || RES[$n:$name]=$value
  done < <(grep '^METRIC ' "$log")
  rm -rf "$WORK/scratch"
}

# tmux on its own server, with no user configuration.
tm() {
  tmux -S "$WORK/tmux.sock" -f /dev/null "$@"
}

# Waits until the app's screen holds the text (and not `absent`, if given); 0 when it did.
wait_screen() {
  local text=$1 absent=${2:-} deadline=$((SECONDS + 300)) screen
  while ((SECONDS < deadline)); do
    screen=$(tm capture-pane -p -t gb 2>/dev/null || true)
    if [[ $screen == *"$text"* && ( -z $absent || $screen != *"$absent"* ) ]]; then
      return 0
    fi
    sleep 0.05
  done
  echo "table.sh: the app did not show \"$text\"; its screen:" >&2
  tm capture-pane -p -t gb >&2 || true
  return 1
}

app_pid() {
  local pid
  pid=$(tm display -p -t gb '#{pane_pid}')
  if [[ $(cat "/proc/$pid/comm" 2>/dev/null) != genban ]]; then
    pid=$(pgrep -P "$pid" -x genban | head -n 1)
  fi
  echo "$pid"
}

status_mib() {
  awk -v f="$2:" '$1 == f { printf "%.0f", $2 / 1024 }' "/proc/$1/status"
}

# The real app in tmux on a copy of the store: a CLI contact served by it (RUNS times), then
# `D` and its memory once the board is drawn.
measure_tmux() {
  local n=$1 id pid
  if ! command -v tmux >/dev/null; then
    say "no tmux: the CLI action and the app's memory are not measured"
    return 0
  fi
  say "the real app in tmux on $n tickets"
  scratch_copy "$n"
  id=$(genban --db "$WORK/scratch" list in-progress --format json |
    awk -F'"' '$2 == "id" && id == "" { id = $4 } END { print id }')
  stop_tmux ""
  trap 'stop_tmux ""' EXIT
  tm new-session -d -s gb -x 120 -y 40 \
    "exec $(printf '%q ' env TERM=xterm-256color "$BIN" --today "$TODAY" --db "$WORK/scratch")"
  if wait_screen "跟办" && wait_screen "签收准确率" "计算中"; then
    pid=$(app_pid)
    measure "$n" cli_in_app - "${GENBAN[@]}" --db "$WORK/scratch" contact "$id" --channel phone --note bench
    tm send-keys -t gb Escape # the month's tasks, shown once a month
    sleep 0.2
    tm send-keys -t gb D
    if wait_screen "【仪表盘】"; then
      RES[$n:rss_board_mib]=$(status_mib "$pid" VmRSS)
      RES[$n:rss_board_peak_mib]=$(status_mib "$pid" VmHWM)
      say "  RSS with the board open: ${RES[$n:rss_board_mib]} MiB (peak ${RES[$n:rss_board_peak_mib]})"
    fi
  fi
  stop_tmux "${pid:-}"
  trap - EXIT
  rm -rf "$WORK/scratch"
}

# Ends the bench's tmux server (and so the app), then waits for the app to let the store go.
stop_tmux() {
  local pid=$1
  if [[ -S $WORK/tmux.sock ]]; then
    tm kill-server 2>/dev/null || true
    rm -f "$WORK/tmux.sock"
  fi
  while [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; do
    sleep 0.1
  done
}

# A cell: the value with its unit, or "not measured".
cell() {
  local n=$1 key=$2 unit=${3:-ms} v=${RES[$1:$2]:-}
  if [[ -z $v ]]; then
    echo "not measured"
  elif [[ $unit == ms ]]; then
    awk -v v="$v" 'BEGIN { if (v >= 1000) printf "%.2f s", v / 1000;
      else if (v >= 10) printf "%.0f ms", v; else if (v >= 1) printf "%.1f ms", v;
      else printf "%.2f ms", v }'
  else
    echo "$v $unit"
  fi
}

row() {
  local aim=$2 fn=$3 line="| $1 |" n
  for n in $SIZES; do
    line+=" $("$fn" "$n") |"
  done
  echo "$line $aim |"
}

c_first() { cell "$1" first_frame_ms; }
c_figures() { cell "$1" figures_ms; }
c_save() { cell "$1" save_ms; }
c_after_save() { cell "$1" figures_after_save_ms; }
c_pane() { cell "$1" pane_switch_ms; }
c_cli_app() { cell "$1" cli_in_app_ms; }
c_report() { echo "$(cell "$1" report_ms), $(cell "$1" report_mib MiB)"; }
c_dashboard() { echo "$(cell "$1" dashboard_ms) / board $(cell "$1" board_ms)"; }
c_review() { cell "$1" review_ms; }
c_verify() { echo "$(cell "$1" verify_ms), $(cell "$1" verify_mib MiB)"; }
c_backup() { echo "$(cell "$1" backup_ms), $(cell "$1" backup_mib MiB)"; }
c_import() {
  [[ -n ${RES[$1:import_rate]:-} ]] || { echo "not measured"; return; }
  echo "${RES[$1:import_rate]} events/s (${RES[$1:import_events]} in $(cell "$1" import_ms)), $(cell "$1" import_mib MiB)"
}
c_rss() {
  [[ -n ${RES[$1:rss_board_mib]:-} ]] || { echo "not measured"; return; }
  echo "$(cell "$1" rss_board_mib MiB) (peak $(cell "$1" rss_board_peak_mib MiB))"
}

print_table() {
  local header="| what |" rule="|---|" n
  for n in $SIZES; do
    header+=" $(awk -v n="$n" 'BEGIN { if (n % 1000 == 0) printf "%dk", n / 1000; else print n }') |"
    rule+="---|"
  done
  echo
  echo "$header aim |"
  echo "$rule---|"
  row "first frame of the app ¹" "< 150 ms" c_first
  row "header figures shown ¹" "< 400 ms" c_figures
  row "save a contact in the app ¹" "< 10 ms" c_save
  row "figures back after a save ¹" "< 200 ms" c_after_save
  row "pane switch ¹" "< 5 ms" c_pane
  row "a CLI action while the app is open ²" "< 100 ms" c_cli_app
  row "\`report\` (whole process)" "< 300 ms" c_report
  row "\`dashboard\` / the app's board ¹" "< 500 ms" c_dashboard
  row "\`review\` (two months)" "< 500 ms" c_review
  row "\`verify\`" "< 2 s" c_verify
  row "\`backup\`" "< 5 s, < 200 MiB" c_backup
  row "import of the full export" "≥ 60k events/s, < 300 MiB" c_import
  row "RSS with the app open, after \`D\` ²" "< 150 MiB" c_rss
  echo
  echo "Medians of $RUNS runs (whole-process rows: wall time, peak RSS). ¹ in-process, benches/perf.rs"
  echo "on a copy of the store (120x40 test terminal; the board is its time after \`D\`). ² the real"
  echo "binary in tmux on a copy: \`genban contact\` served by the open app; the app's RSS once the board is drawn."
  echo "\`review\` $(review_period); all as of $TODAY. Logs: $WORK/logs."
  machine_line
}

machine_line() {
  local cpu rev
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
  rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
  if [[ -n $(git -C "$ROOT" status --porcelain 2>/dev/null) ]]; then rev+="+changes"; fi
  echo
  echo "Machine: $(nproc) CPUs, $(uname -m), ${cpu:-unknown CPU}; $(date '+%Y-%m-%d %H:%M %Z'); genban $rev"
}

main() {
  parse_args "$@"
  setup_env
  build
  local n
  for n in $SIZES; do
    make_store "$n"
    measure_cli "$n"
    measure_app "$n"
    measure_tmux "$n"
  done
  print_table
}

main "$@"
