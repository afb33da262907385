#!/usr/bin/env bash
# Runs amysql (poolbench, text and prepared), go-sql-driver/mysql (the
# shared anchor, in its default prepared mode and its text mode) and sysbench
# (the C client; CPU from /usr/bin/time) on the same server and workload —
# point selects on sbtest1, 16 workers — alternating ROUNDS times, and prints
# each run and the ratios. Usage: scripts/compare.sh [DSN] (default root@tcp(127.0.0.1:3306)/test).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
DSN=${1:-root@tcp(127.0.0.1:3306)/test}
ROUNDS=${ROUNDS:-3}
DUR=${DUR:-5}
CONC=${CONC:-16}
ANCHORS=${AMYSQL_ANCHORS:-../shared/anchors}
host=$(sed -E 's/.*tcp\(([^:)]+).*/\1/' <<<"$DSN"); port=$(sed -E 's/.*tcp\([^:]+:([0-9]+)\).*/\1/' <<<"$DSN")
user=$(sed -E 's/^([^:@]*).*/\1/' <<<"$DSN"); db=$(sed -E 's/.*\)\/([^?]*).*/\1/' <<<"$DSN")

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/poolbench" ./cmd/poolbench
have_anchor=false; [ -d "$ANCHORS/gosqldriver" ] && (cd "$ANCHORS/gosqldriver" && go build -o "$tmp/anchor" .) && have_anchor=true
have_sysbench=false; command -v sysbench >/dev/null && have_sysbench=true

# A fresh sbtest1 of 100,000 rows, as the anchors expect (tests and other
# runs may have left another size).
if [ "${SKIP_PREPARE:-}" != 1 ]; then
  echo "compare: preparing sbtest1 (100,000 rows)" >&2
  "$tmp/poolbench" -dsn "$DSN" -prepare -table-size 100000 -n 1 -c 1 >/dev/null
fi

printf '%-22s %5s %10s %12s\n' system round "q/s" "CPU µs/q"
pb() { # name workload
  "$tmp/poolbench" -dsn "$DSN" -w "$2" -c "$CONC" -d "${DUR}s" -json "$tmp/pb.json" >/dev/null
  python3 - "$tmp/pb.json" "$1" "$r" <<'PY' | tee -a "$tmp/results"
import json,sys
x=json.load(open(sys.argv[1]))["runs"][0]
print(f'{sys.argv[2]:<22} {sys.argv[3]:>5} {x["queries_per_second"]:10.0f} {x["client_cpu_us_per_query"]:12.1f}')
PY
}
anchor() { # name mode
  "$tmp/anchor" -dsn "$DSN" -mode "$2" -c "$CONC" -conns "$CONC" -d "${DUR}s" \
    | sed -E 's/.*qps=([0-9.]+).*client_cpu_us_per_q=([0-9.]+).*/\1 \2/' \
    | awk -v r="$r" -v n="$1" '{printf "%-22s %5s %10.0f %12.1f\n", n, r, $1, $2}' | tee -a "$tmp/results"
}
for r in $(seq "$ROUNDS"); do
  pb amysql-text point-select
  pb amysql-prepared point-select-prepared
  if $have_anchor; then
    anchor go-sql-driver-prepared point
    anchor go-sql-driver-text point-text
  fi
  if $have_sysbench; then
    timer=(); [ -x /usr/bin/time ] && timer=(/usr/bin/time -f "%U %S" -o "$tmp/sb.time")
    echo "0 0" >"$tmp/sb.time"
    "${timer[@]}" sysbench oltp_point_select --mysql-host="$host" --mysql-port="$port" --mysql-user="$user" --mysql-db="$db" \
      --tables=1 --table-size=100000 --threads="$CONC" --time="$DUR" --db-driver=mysql run 2>/dev/null >"$tmp/sb.out"
    awk -v r="$r" -v t="$(awk '{print $1+$2}' "$tmp/sb.time")" '/queries:/ && /per sec/ {
      gsub(/[()]/,""); printf "%-22s %5s %10.0f %12.1f\n", "sysbench", r, $3, t*1e6/$2 }' "$tmp/sb.out" | tee -a "$tmp/results"
  fi
done
echo
awk '{q[$1]+=$3; c[$1]+=$4; n[$1]++} END {
  for (s in q) printf "mean %-22s %10.0f q/s %8.1f µs CPU/q\n", s, q[s]/n[s], c[s]/n[s];
  best = q["amysql-text"] > q["amysql-prepared"] ? "amysql-text" : "amysql-prepared";
  g = "go-sql-driver-prepared";
  if (q[g] > 0) {
    printf "ratio amysql-prepared/%s: throughput %.2f, CPU per query %.2f\n", g, q["amysql-prepared"]/q[g], c["amysql-prepared"]/c[g];
    printf "ratio amysql-text/%s: throughput %.2f, CPU per query %.2f\n", g, q["amysql-text"]/q[g], c["amysql-text"]/c[g];
  }
  if (q["go-sql-driver-text"] > 0)
    printf "ratio amysql-text/go-sql-driver-text: throughput %.2f, CPU per query %.2f\n", q["amysql-text"]/q["go-sql-driver-text"], c["amysql-text"]/c["go-sql-driver-text"];
  if (q["sysbench"] > 0)
    printf "ratio %s/sysbench: throughput %.2f, CPU per query %.2f\n", best, q[best]/q["sysbench"], c[best]/c["sysbench"];
}' "$tmp/results"
