#!/usr/bin/env bash
# Runs amysql (poolbench), go-sql-driver/mysql (the shared anchor) and
# sysbench (the C client) on the same server and workload — point selects on
# sbtest1, 16 workers — alternating ROUNDS times, and prints each run and the
# ratios. Usage: scripts/compare.sh [DSN] (default root@tcp(127.0.0.1:3306)/test).
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

printf '%-14s %5s %10s %12s\n' system round "q/s" "CPU µs/q"
for r in $(seq "$ROUNDS"); do
  "$tmp/poolbench" -dsn "$DSN" -c "$CONC" -d "${DUR}s" -json "$tmp/pb.json" >/dev/null
  python3 - "$tmp/pb.json" "$r" <<'PY' | tee -a "$tmp/results"
import json,sys
r=json.load(open(sys.argv[1]))["runs"][0]
print(f'amysql         {sys.argv[2]:>5} {r["queries_per_second"]:10.0f} {r["client_cpu_us_per_query"]:12.1f}')
PY
  if $have_anchor; then
    "$tmp/anchor" -dsn "$DSN" -mode point-text -c "$CONC" -conns "$CONC" -d "${DUR}s" \
      | sed -E 's/.*qps=([0-9.]+).*client_cpu_us_per_q=([0-9.]+).*/\1 \2/' \
      | awk -v r="$r" '{printf "go-sql-driver  %5s %10.0f %12.1f\n", r, $1, $2}' | tee -a "$tmp/results"
  fi
  if $have_sysbench; then
    sysbench oltp_point_select --mysql-host="$host" --mysql-port="$port" --mysql-user="$user" --mysql-db="$db" \
      --tables=1 --table-size=100000 --threads="$CONC" --time="$DUR" --db-driver=mysql run 2>/dev/null \
      | awk -v r="$r" '/queries:/ && /per sec/ {gsub(/[()]/,""); printf "sysbench       %5s %10.0f %12s\n", r, $3, "-"}' | tee -a "$tmp/results"
  fi
done
echo
awk '{q[$1]+=$3; c[$1]+=$4; n[$1]++} END {
  for (s in q) printf "mean %-13s %10.0f q/s %8.1f µs CPU/q\n", s, q[s]/n[s], c[s]/n[s];
  if (q["go-sql-driver"] > 0) printf "ratio amysql/go-sql-driver: throughput %.2f, CPU per query %.2f\n", q["amysql"]/q["go-sql-driver"], c["amysql"]/c["go-sql-driver"];
  if (q["sysbench"] > 0) printf "ratio amysql/sysbench: throughput %.2f\n", q["amysql"]/q["sysbench"];
}' "$tmp/results"
