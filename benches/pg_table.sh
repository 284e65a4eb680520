#!/usr/bin/env bash
# The numbers of issue 16 on PostgreSQL, on demo databases of 10,000 and 100,000 tickets: builds
# the release binary and the benches, makes the databases on the server you name (it starts no
# server itself), times the whole-process commands, imports each database's JSONL export into
# an empty database, runs benches/perf.rs for the app's first frame and saves, and
# benches/pg_writers.rs for several workstations writing at once; prints a markdown table.
#
# Usage: benches/pg_table.sh --server URL [--sizes "10000 100000"] [--work DIR] [--runs N] [--writers N] [--saves N] [--fresh] [--drop]
#   --server   postgres://user@host:port/dbname of a role that may create databases; the
#              bench's databases (genban_bench_N, genban_bench_N_scratch, genban_bench_import)
#              are made beside dbname on that server
#   --sizes    ticket counts, one column each (default "10000 100000")
#   --work     where the exports and logs go (default ${TMPDIR:-/tmp}/genban-pg-bench)
#   --runs     runs per measurement, the median is shown (default 3; the demo runs once)
#   --writers  workstations writing at once (default 4)
#   --saves    saves per writer (default 200)
#   --fresh    make the demo databases again even if they are there
#   --drop     drop every database of the bench at the end (else the demo databases stay, for
#              the next run)
#
# Whole-process numbers: wall time from bash's microsecond clock around /usr/bin/time, whose %M
# gives genban's peak resident memory (not the server's). App numbers are in-process
# (benches/perf.rs on a copy of the database, drawn on a 120x40 test terminal). The writers are
# processes of their own (benches/pg_writers.rs), each with its connection and ledger. What
# writes (the app's saves, the CLI contact, the writers) writes to genban_bench_N_scratch, a
# copy made with CREATE DATABASE … TEMPLATE, in that order. Needs psql. Logs in WORK/logs.
#
# An example with a private cluster (fsync on, default settings) on port 25434:
#   D=$(mktemp -d); initdb -D $D/data -A trust -U postgres
#   pg_ctl -D $D/data -l $D/log -w start -o "-k $D -p 25434 -c listen_addresses=127.0.0.1"
#   benches/pg_table.sh --server postgres://postgres@127.0.0.1:25434/postgres --drop
#   pg_ctl -D $D/data -m fast -w stop; rm -rf $D
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$ROOT/target/release/genban
TODAY=2026-12-03
SIZES="10000 100000"
WORK=${TMPDIR:-/tmp}/genban-pg-bench
RUNS=3
WRITERS=4
SAVES=200
SERVER=
FRESH=0
DROP=0
PERF=     # benches/perf.rs's executable (build)
WRITERS_BIN= # benches/pg_writers.rs's
BUILD_ID=
declare -A RES=() # "size:key" -> value

usage() {
  sed -n '/^# Usage/,/^#   --drop/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

parse_args() {
  while (($#)); do
    case $1 in
      --server) SERVER=$2; shift 2 ;;
      --sizes) SIZES=$2; shift 2 ;;
      --work) WORK=$2; shift 2 ;;
      --runs) RUNS=$2; shift 2 ;;
      --writers) WRITERS=$2; shift 2 ;;
      --saves) SAVES=$2; shift 2 ;;
      --fresh) FRESH=1; shift ;;
      --drop) DROP=1; shift ;;
      -h | --help) usage; exit 0 ;;
      *) echo "pg_table.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
  done
  [[ $SERVER =~ ^postgres(ql)?://[^/?]+/[^/?]*$ ]] || {
    echo "pg_table.sh: --server postgres://user@host:port/dbname (no query string), not \"$SERVER\"" >&2
    exit 2
  }
  for n in $SIZES; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "pg_table.sh: bad size $n" >&2; exit 2; }
  done
  for v in "$RUNS" "$WRITERS" "$SAVES"; do
    [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "pg_table.sh: bad number $v" >&2; exit 2; }
  done
}

say() {
  printf '[pg_table.sh %s] %s\n' "$(date +%T)" "$*" >&2
}

GENBAN=("$BIN" --today "$TODAY")
genban() {
  "${GENBAN[@]}" "$@"
}

setup_env() {
  mkdir -p "$WORK/logs" "$WORK/config"
  WORK=$(cd "$WORK" && pwd)
  unset GENBAN_DB GENBAN_TODAY GENBAN_OPERATOR
  export GENBAN_CONFIG_DIR=$WORK/config GENBAN_LANG=zh GENBAN_TZ=Asia/Shanghai
  export LANG=C.UTF-8 LC_ALL=C.UTF-8
  command -v /usr/bin/time >/dev/null || { echo "pg_table.sh: needs /usr/bin/time (GNU time)" >&2; exit 1; }
  command -v psql >/dev/null || { echo "pg_table.sh: needs psql" >&2; exit 1; }
  sql "SELECT 1" >/dev/null || { echo "pg_table.sh: cannot reach $SERVER" >&2; exit 1; }
}

# One statement on the server's --server database; prints the rows unaligned.
sql() {
  PGOPTIONS="-c client_min_messages=warning" psql "$SERVER" -XqAt -v ON_ERROR_STOP=1 -c "$1"
}

db_url() { echo "${SERVER%/*}/$1"; }
db_of() { echo "genban_bench_$1"; }

# Drops the database and makes it again, empty or (with a second argument) a copy of another.
remake_db() {
  local name=$1 from=${2:-}
  sql "DROP DATABASE IF EXISTS $name" >/dev/null
  if [[ -z $from ]]; then
    sql "CREATE DATABASE $name" >/dev/null
  else
    # FILE_COPY (PostgreSQL 15) copies the files instead of writing the copy to the WAL.
    sql "CREATE DATABASE $name TEMPLATE $from STRATEGY FILE_COPY" >/dev/null 2>&1 ||
      sql "CREATE DATABASE $name TEMPLATE $from" >/dev/null
  fi
}

build() {
  local log=$WORK/logs/build.log
  say "cargo build --release, cargo bench --bench perf --bench pg_writers --no-run"
  (cd "$ROOT" && cargo build --release && cargo bench --bench perf --bench pg_writers --no-run) \
    >"$log" 2>&1 || fail_log "the build" "$log"
  PERF=$(grep -o 'target/release/deps/perf-[0-9a-f]*' "$log" | tail -n 1)
  WRITERS_BIN=$(grep -o 'target/release/deps/pg_writers-[0-9a-f]*' "$log" | tail -n 1)
  [[ -n $PERF && -n $WRITERS_BIN ]] || fail_log "finding the benches' executables" "$log"
  PERF=$ROOT/$PERF
  WRITERS_BIN=$ROOT/$WRITERS_BIN
  BUILD_ID=$(sha256sum "$BIN" | cut -c1-16)
}

fail_log() {
  echo "pg_table.sh: $1 failed; the end of $2:" >&2
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

# Times a command `runs` times into RES[size:key_ms] and RES[size:key_mib] (the medians). A
# `prep` function, if given, runs (untimed) before each run.
measure() {
  local n=$1 key=$2 prep=$3 runs=$4 i out walls="" rsss=""
  shift 4
  for ((i = 1; i <= runs; i++)); do
    [[ $prep == - ]] || "$prep" "$n"
    out=$(time_once "$WORK/logs/$key-$n-$i.log" "$@")
    walls+="${out% *}"$'\n'
    rsss+="${out#* }"$'\n'
  done
  RES[$n:${key}_ms]=$(median <<<"$walls")
  RES[$n:${key}_mib]=$(awk '{ printf "%.0f", $1 / 1024 }' <<<"$(median <<<"$rsss")")
  say "  $key: ${RES[$n:${key}_ms]} ms, ${RES[$n:${key}_mib]} MiB (median of $runs)"
}

# The demo database of n tickets, made once (its comment says it was finished, by which build).
make_db() {
  local n=$1 name done_by
  name=$(db_of "$n")
  done_by=$(sql "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$name'")
  if ((FRESH)) || [[ $done_by != "genban bench "* ]]; then
    say "demo database of $n tickets: $(db_url "$name")"
    remake_db "$name"
    measure "$n" demo - 1 "${GENBAN[@]}" --db "$(db_url "$name")" demo --tickets "$n"
    sql "COMMENT ON DATABASE $name IS 'genban bench $BUILD_ID'" >/dev/null
  elif [[ $done_by != "genban bench $BUILD_ID" ]]; then
    say "reusing $name, made by another build of genban (--fresh if the schema changed)"
  else
    say "reusing $name (--fresh makes it again)"
  fi
}

review_period() {
  local m=${TODAY:0:7}-01
  echo "--from $(date -d "$m -1 month" +%F) --to $(date -d "$m +1 month -1 day" +%F)"
}

prep_import() { remake_db genban_bench_import; }

measure_cli() {
  local n=$1 url events
  url=$(db_url "$(db_of "$n")")
  say "whole-process commands on $n tickets"
  measure "$n" report - "$RUNS" "${GENBAN[@]}" --db "$url" report
  measure "$n" dashboard - "$RUNS" "${GENBAN[@]}" --db "$url" dashboard
  # shellcheck disable=SC2046 # the period is two words each
  measure "$n" review - "$RUNS" "${GENBAN[@]}" --db "$url" review $(review_period)
  measure "$n" verify - "$RUNS" "${GENBAN[@]}" --db "$url" verify
  measure "$n" export - 1 "${GENBAN[@]}" --db "$url" export --format jsonl -o "$WORK/p$n.jsonl"
  events=$(wc -l <"$WORK/p$n.jsonl")
  measure "$n" import prep_import "$RUNS" "${GENBAN[@]}" --db "$(db_url genban_bench_import)" \
    import "$WORK/p$n.jsonl"
  RES[$n:import_events]=$events
  RES[$n:import_rate]=$(awk -v e="$events" -v ms="${RES[$n:import_ms]}" \
    'BEGIN { printf "%.0f", e / (ms / 1000) }')
  sql "DROP DATABASE IF EXISTS genban_bench_import" >/dev/null
  rm -f "$WORK/p$n.jsonl"
}

# Runs a bench executable `runs` times; the median of each METRIC it prints into RES.
bench_metrics() {
  local n=$1 key=$2 i log name value
  shift 2
  local -A seen=()
  for ((i = 1; i <= RUNS; i++)); do
    log=$WORK/logs/$key-$n-$i.log
    "$@" >"$log" 2>&1 </dev/null || fail_log "$*" "$log"
    while read -r _ name value; do
      [[ $value == none ]] || seen[$name]+="$value"$'\n'
    done < <(grep '^METRIC ' "$log")
  done
  for name in "${!seen[@]}"; do
    RES[$n:$name]=$(median <<<"${seen[$name]}")
  done
}

# What writes, on a copy of the database: the app (benches/perf.rs), a CLI contact, the writers.
measure_writes() {
  local n=$1 scratch url id
  scratch=$(db_of "$n")_scratch
  url=$(db_url "$scratch")
  remake_db "$scratch" "$(db_of "$n")"
  say "the app in-process (benches/perf.rs) on $n tickets, $RUNS runs"
  bench_metrics "$n" perf "$PERF" --db "$url" --today "$TODAY"
  say "  first frame ${RES[$n:first_frame_ms]:-?} ms, save ${RES[$n:save_ms]:-?} ms"
  id=$(genban --db "$url" list in-progress --format json |
    awk -F'"' '$2 == "id" && id == "" { id = $4 } END { print id }')
  measure "$n" cli_contact - "$RUNS" "${GENBAN[@]}" --db "$url" contact "$id" --channel phone --note bench
  say "$WRITERS writers x $SAVES saves (benches/pg_writers.rs) on $n tickets, $RUNS runs"
  bench_metrics "$n" writers "$WRITERS_BIN" --db "$url" --today "$TODAY" \
    --writers "$WRITERS" --saves "$SAVES"
  say "  ${RES[$n:writers_saves_per_s]:-?} saves/s, p99 ${RES[$n:writers_p99_ms]:-?} ms"
  sql "DROP DATABASE IF EXISTS $scratch" >/dev/null
}

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

with_mib() {
  [[ -n ${RES[$1:$2_ms]:-} ]] || { echo "not measured"; return; }
  echo "$(cell "$1" "$2_ms"), $(cell "$1" "$2_mib" MiB)"
}
c_first() { cell "$1" first_frame_ms; }
c_figures() { cell "$1" figures_ms; }
c_save() { cell "$1" save_ms; }
c_after_save() { cell "$1" figures_after_save_ms; }
c_pane() { cell "$1" pane_switch_ms; }
c_board() { cell "$1" board_ms; }
c_app_rss() { cell "$1" peak_rss_mib MiB | awk '{ if ($1 ~ /^[0-9.]+$/) printf "%.0f MiB\n", $1; else print }'; }
c_cli_contact() { cell "$1" cli_contact_ms; }
c_report() { with_mib "$1" report; }
c_dashboard() { with_mib "$1" dashboard; }
c_review() { with_mib "$1" review; }
c_verify() { with_mib "$1" verify; }
c_demo() { with_mib "$1" demo; }
c_import() {
  [[ -n ${RES[$1:import_rate]:-} ]] || { echo "not measured"; return; }
  echo "${RES[$1:import_rate]} events/s (${RES[$1:import_events]} in $(cell "$1" import_ms)), $(cell "$1" import_mib MiB)"
}
c_rate() {
  [[ -n ${RES[$1:writers_saves_per_s]:-} ]] || { echo "not measured"; return; }
  awk -v v="${RES[$1:writers_saves_per_s]}" 'BEGIN { printf "%.0f saves/s", v }'
}
c_latency() {
  echo "$(cell "$1" writers_p50_ms) / $(cell "$1" writers_p99_ms) / $(cell "$1" writers_max_ms)"
}
c_conflicts() {
  echo "${RES[$1:writers_conflicts]:-?} / ${RES[$1:writers_refused]:-?}"
}

print_table() {
  local header="| what |" rule="|---|" n
  for n in $SIZES; do
    header+=" $(awk -v n="$n" 'BEGIN { if (n % 1000 == 0) printf "%dk", n / 1000; else print n }') on PostgreSQL |"
    rule+="---|"
  done
  echo
  echo "$header aim |"
  echo "$rule---|"
  row "first frame of the app ¹" "< 300 ms" c_first
  row "header figures shown ¹" "" c_figures
  row "save a contact in the app ¹" "" c_save
  row "figures back after a save ¹" "" c_after_save
  row "pane switch ¹" "" c_pane
  row "the app's board (\`D\`) ¹" "" c_board
  row "the app's peak RSS ¹" "" c_app_rss
  row "a \`contact\` from the CLI (whole process)" "" c_cli_contact
  row "\`report\`" "< 1 s" c_report
  row "\`dashboard\`" "" c_dashboard
  row "\`review\` (two months)" "" c_review
  row "\`verify\`" "" c_verify
  row "\`demo\` (one run, making the database)" "" c_demo
  row "import of the full export into an empty database" "" c_import
  row "$WRITERS writers at once ² : saves per second" "" c_rate
  row "$WRITERS writers at once ² : a save, p50 / p99 / max" "p99 < 30 ms" c_latency
  row "$WRITERS writers at once ² : conflicts read again / refused" "" c_conflicts
  echo
  echo "Medians of $RUNS runs (whole-process rows: wall time including connecting, genban's peak RSS)."
  echo "¹ in-process, benches/perf.rs on a copy of the database (120x40 test terminal; a save is the"
  echo "dialog's Enter: check, commit, update the panes, redraw; median of 5 per run). ² benches/pg_writers.rs:"
  echo "$WRITERS processes, each with its own connection, $SAVES contacts each through \`Ledger::record\`, one"
  echo "save in 4 on 8 tickets shared by all, each timed from the call to its return after the commit"
  echo "(a conflict read again inside it); saves/s over the time from the first start to the last end."
  echo "\`review\` $(review_period); all as of $TODAY. Logs: $WORK/logs."
  machine_line
}

machine_line() {
  local cpu rev version settings
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
  rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
  if [[ -n $(git -C "$ROOT" status --porcelain 2>/dev/null) ]]; then rev+="+changes"; fi
  version=$(sql "SHOW server_version" | awk '{ print $1 }')
  settings=$(sql "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers')")
  echo
  echo "Machine: $(nproc) CPUs, $(uname -m), ${cpu:-unknown CPU}; load average $(cut -d' ' -f1-3 /proc/loadavg);"
  echo "PostgreSQL $version ($settings; shared_buffers in 8 kB pages); $(date '+%Y-%m-%d %H:%M %Z'); genban $rev"
}

drop_all() {
  local n
  for n in $SIZES; do
    sql "DROP DATABASE IF EXISTS $(db_of "$n")" >/dev/null
    sql "DROP DATABASE IF EXISTS $(db_of "$n")_scratch" >/dev/null
  done
  sql "DROP DATABASE IF EXISTS genban_bench_import" >/dev/null
}

main() {
  parse_args "$@"
  setup_env
  build
  local n
  for n in $SIZES; do
    make_db "$n"
    measure_cli "$n"
    measure_writes "$n"
  done
  print_table
  if ((DROP)); then drop_all; fi
}

main "$@"
