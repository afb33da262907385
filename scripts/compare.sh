#!/usr/bin/env bash
# Runs amysql (poolbench), go-sql-driver/mysql (the shared anchor, behind
# database/sql), sysbench (the C client, libmariadb) and, where Debian's
# python3-aiomysql is installed, aiomysql's pool (the API amysql is shaped
# after; its anchor only talks to root@127.0.0.1:3306/test) on the same server
# and table, alternating, ROUNDS times, and prints each run, the means and
# the ratios for the rows of the speed table in docs/performance.md:
#
#   point  point selects from CONC workers (q/s, client CPU per query)
#   range  100-row ranges from CONC workers (rows/s, client CPU per query)
#   p50    point selects from one worker (median latency)
#
# Each ratio compares like with like: the same protocol and statement
# reuse, go-sql-driver in its best mode for it. "text": amysql interpolates
# on the client; go-sql-driver runs through poolbench -driver go-sql-driver
# with interpolateParams=true (one round trip; without it database/sql
# prepares and closes a statement per query). "prepared": amysql's
# Cursor.Binary (cached server-side statements); go-sql-driver with a
# *sql.Stmt kept for the run (the shared anchor's point mode, poolbench's
# *-prepared workloads); sysbench's oltp_point_select (prepared statements).
# amysql's figures here are its pool API; database/sql, GORM and sqlx are
# measured by scripts/bench-ecosystem.sh.
#
# Client CPU is the client process's user+sys time (getrusage; sysbench's
# from /usr/bin/time) divided by its queries; server CPU is mariadbd's
# (from /proc, when the server runs on this machine) divided likewise.
#
# Ratios are given twice: of the means, and the median of the per-round
# ratios (robust to the machine drifting between rounds).
#
# Usage: scripts/compare.sh [DSN]   (default root@tcp(127.0.0.1:3306)/test)
# Environment: ROUNDS (3), DUR seconds per run (4), CONC (16),
# SCENARIOS ("point range p50"), AMYSQL_ANCHORS (../shared/anchors),
# SKIP_PREPARE=1 to keep an existing 100,000-row sbtest1, SPIN (DSN
# parameters of the amysql-prepared-spin runs, default ?spin_wait=50us).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
DSN=${1:-root@tcp(127.0.0.1:3306)/test}
ROUNDS=${ROUNDS:-3}
DUR=${DUR:-4}
CONC=${CONC:-16}
SPIN=${SPIN:-?spin_wait=50us} # DSN parameters of the amysql-prepared-spin runs
SCENARIOS=${SCENARIOS:-point range p50}
ANCHORS=${AMYSQL_ANCHORS:-../shared/anchors}
host=$(sed -E 's/.*tcp\(([^:)]+).*/\1/' <<<"$DSN"); port=$(sed -E 's/.*tcp\([^:]+:([0-9]+)\).*/\1/' <<<"$DSN")
user=$(sed -E 's/^([^:@]*).*/\1/' <<<"$DSN"); db=$(sed -E 's/.*\)\/([^?]*).*/\1/' <<<"$DSN")

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/poolbench" ./cmd/poolbench
have_anchor=false; [ -d "$ANCHORS/gosqldriver" ] && (cd "$ANCHORS/gosqldriver" && go build -o "$tmp/anchor" .) && have_anchor=true
have_sysbench=false; command -v sysbench >/dev/null && have_sysbench=true
aio_python=""
if [ -f "$ANCHORS/aiomysql/bench.py" ] && [ "$user@$host:$port/$db" = root@127.0.0.1:3306/test ]; then
  for py in python3 /usr/bin/python3; do
    if "$py" -c 'import aiomysql' 2>/dev/null; then aio_python=$py; break; fi
  done
fi
srv=$(pgrep -x mariadbd | head -1 || true)
server_ticks() { if [ -n "$srv" ]; then awk '{print $14+$15}' "/proc/$srv/stat"; else echo 0; fi; }
hz=$(getconf CLK_TCK)

# An sbtest1 of 100,000 rows, as the anchors expect: poolbench -prepare
# keeps one that fits, refills its own of another size, and refuses to
# replace a table it did not create (then drop it, or use another DSN).
if [ "${SKIP_PREPARE:-}" != 1 ]; then
  echo "compare: preparing sbtest1 (100,000 rows) in $db" >&2
  "$tmp/poolbench" -dsn "$DSN" -prepare -table-size 100000 -n 1 -c 1 >/dev/null
fi

# Each run appends "scenario system round rate cpu_us p50_us server_us" to
# $tmp/results; rate is q/s, or rows/s for range.
record() { # scenario system queries seconds cpu_seconds p50_us ticks_before
  local t1; t1=$(server_ticks)
  awk -v sc="$1" -v sys="$2" -v r="$round" -v q="$3" -v s="$4" -v cpu="$5" -v p50="$6" \
      -v t0="$7" -v t1="$t1" -v hz="$hz" -v srv="$srv" 'BEGIN {
    rate = q / s; if (sc == "range") rate *= 100
    server = srv == "" ? 0 : (t1 - t0) / hz / q * 1e6
    printf "%-6s %-24s %5s %11.0f %9.1f %9.1f %9.1f\n", sc, sys, r, rate, cpu / q * 1e6, p50, server }' | tee -a "$tmp/results"
}
pb() { # scenario system workload workers [driver [DSN parameters]]
  local t0; t0=$(server_ticks)
  "$tmp/poolbench" -dsn "$DSN${6:-}" -driver "${5:-amysql}" -w "$3" -c "$4" -d "${DUR}s" -json "$tmp/pb.json" >/dev/null
  read -r q s cpu p50 < <(python3 - "$tmp/pb.json" <<'PY'
import json, sys
x = json.load(open(sys.argv[1]))["runs"][0]
print(x["queries"], x["seconds"], x["client_cpu_us_per_query"] * x["queries"] / 1e6, x["latency_ms"]["p50"] * 1e3)
PY
)
  record "$1" "$2" "$q" "$s" "$cpu" "$p50" "$t0"
}
anchor() { # scenario system mode workers
  $have_anchor || return 0
  local t0 out; t0=$(server_ticks)
  out=$("$tmp/anchor" -dsn "$DSN" -mode "$3" -c "$4" -conns "$4" -d "${DUR}s")
  read -r q p50 cpu < <(sed -E 's/.*queries=([0-9]+).* p50=([^ ]+).*client_cpu_us_per_q=([0-9.]+).*/\1 \2 \3/' <<<"$out")
  p50=$(python3 -c 'import sys; v=sys.argv[1]
for u,f in (("µs",1),("us",1),("ms",1e3),("ns",1e-3),("s",1e6)):
    if v.endswith(u): print(float(v[:-len(u)])*f); break' "$p50")
  record "$1" "$2" "$q" "$DUR" "$(awk -v q="$q" -v c="$cpu" 'BEGIN{print q*c/1e6}')" "$p50" "$t0"
}
aio() { # scenario system workers
  [ -n "$aio_python" ] || return 0
  local t0 out q qps p50 cpu; t0=$(server_ticks)
  out=$("$aio_python" "$ANCHORS/aiomysql/bench.py" "$3" "$DUR")
  read -r q qps p50 cpu < <(sed -E 's/.*queries=([0-9]+) qps=([0-9.]+) p50=([0-9.]+)us.*client_cpu_us_per_q=([0-9.]+).*/\1 \2 \3 \4/' <<<"$out")
  record "$1" "$2" "$q" "$(awk -v q="$q" -v r="$qps" 'BEGIN{print q/r}')" "$(awk -v q="$q" -v c="$cpu" 'BEGIN{print q*c/1e6}')" "$p50" "$t0"
}
sysbench_point() { # scenario workers
  $have_sysbench || return 0
  local t0; t0=$(server_ticks)
  local timer=(); [ -x /usr/bin/time ] && timer=(/usr/bin/time -f "%U %S" -o "$tmp/sb.time")
  echo "0 0" >"$tmp/sb.time"
  "${timer[@]}" sysbench oltp_point_select --mysql-host="$host" --mysql-port="$port" --mysql-user="$user" --mysql-db="$db" \
    --tables=1 --table-size=100000 --threads="$2" --time="$DUR" --db-driver=mysql --percentile=50 run 2>/dev/null >"$tmp/sb.out"
  local q p50
  q=$(awk '/queries:/ && /per sec/ {print $2}' "$tmp/sb.out")
  p50=$(awk '/percentile:/ {print $3 * 1000}' "$tmp/sb.out")
  record "$1" sysbench "$q" "$DUR" "$(awk '{print $1+$2}' "$tmp/sb.time")" "${p50:-0}" "$t0"
}

printf '%-6s %-24s %5s %11s %9s %9s %9s\n' scene system round "rate/s" "cpu µs/q" "p50 µs" "srv µs/q"
# Each scenario's runs, one per line; even rounds run them in reverse, so
# a drift of the machine's speed within a round favours no system.
runs() {
  case $1 in
  point) printf '%s\n' "pb point amysql-text point-select $CONC" \
           "pb point amysql-prepared point-select-prepared $CONC" \
           "pb point amysql-prepared-spin point-select-prepared $CONC amysql $SPIN" \
           "anchor point go-sql-driver-prepared point $CONC" \
           "pb point go-sql-driver-text point-select $CONC go-sql-driver" \
           "sysbench_point point $CONC" \
           "aio point aiomysql-text $CONC" ;;
  # The anchor's range mode reads four columns where poolbench's range
  # (sysbench's simple_ranges) reads c, so go-sql-driver runs the same
  # statements through poolbench.
  range) printf '%s\n' "pb range amysql-text range $CONC" \
           "pb range amysql-prepared range-prepared $CONC" \
           "pb range go-sql-driver-text range $CONC go-sql-driver" \
           "pb range go-sql-driver-prepared range-prepared $CONC go-sql-driver" ;;
  p50) printf '%s\n' "pb p50 amysql-prepared point-select-prepared 1" \
         "pb p50 amysql-prepared-spin point-select-prepared 1 amysql $SPIN" \
         "anchor p50 go-sql-driver-prepared point 1" \
         "sysbench_point p50 1" ;;
  esac
}
for round in $(seq "$ROUNDS"); do
  for sc in $SCENARIOS; do
    order=cat; [ $((round % 2)) = 0 ] && order=tac
    while read -r -a run; do "${run[@]}" </dev/null; done < <(runs "$sc" | $order)
  done
done

echo
awk '{k = $1 " " $2; if (!(k in n)) order[++m] = k; rate[k] += $4; cpu[k] += $5; p50[k] += $6; srv[k] += $7; n[k]++
  r[k, $3] = $4; c[k, $3] = $5; l[k, $3] = $6; if ($3 > rounds) rounds = $3}
function mean(a, k) { return a[k] / n[k] }
# median over the rounds of a[ka, round] / a[kb, round]: each round pairs
# runs made minutes apart, so a drift of the machine cancels out
function pmedian(a, ka, kb,   i, j, t, v, cnt) {
  cnt = 0
  for (i = 1; i <= rounds; i++) if ((ka, i) in a && (kb, i) in a && a[kb, i] > 0) v[++cnt] = a[ka, i] / a[kb, i]
  for (i = 2; i <= cnt; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
  if (cnt == 0) return 0
  return cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2
}
function ratio(sc, a, b, what,   ka, kb) {
  ka = sc " " a; kb = sc " " b
  if (!(ka in n) || !(kb in n)) return
  if (what == "p50") printf "ratio %-5s %s/%s: p50 latency %.2f (median of rounds %.2f)\n", sc, a, b,
    mean(p50, ka) / mean(p50, kb), pmedian(l, ka, kb)
  else printf "ratio %-5s %s/%s: throughput %.2f (median of rounds %.2f), client CPU per query %.2f (%.2f)\n", sc, a, b,
    mean(rate, ka) / mean(rate, kb), pmedian(r, ka, kb), mean(cpu, ka) / mean(cpu, kb), pmedian(c, ka, kb)
}
END {
  for (i = 1; i <= m; i++) { k = order[i]; split(k, p, " ")
    printf "mean %-6s %-24s %11.0f /s %7.1f µs CPU/q %8.1f µs p50 %7.1f µs server/q\n", p[1], p[2], mean(rate, k), mean(cpu, k), mean(p50, k), mean(srv, k) }
  print ""
  ratio("point", "amysql-prepared", "go-sql-driver-prepared")
  ratio("point", "amysql-prepared-spin", "go-sql-driver-prepared")
  ratio("point", "amysql-text", "go-sql-driver-text")
  ratio("point", "amysql-prepared", "sysbench")
  ratio("point", "amysql-text", "aiomysql-text")
  ratio("range", "amysql-prepared", "go-sql-driver-prepared")
  ratio("range", "amysql-text", "go-sql-driver-text")
  ratio("p50", "amysql-prepared", "go-sql-driver-prepared", "p50")
  ratio("p50", "amysql-prepared-spin", "go-sql-driver-prepared", "p50")
  ratio("p50", "amysql-prepared", "sysbench", "p50")
}' "$tmp/results"
