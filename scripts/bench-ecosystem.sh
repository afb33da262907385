#!/usr/bin/env bash
# Runs the ecosystem module's database/sql, GORM, sqlx and pool benchmarks
# with amysql and go-sql-driver/mysql alternating, ROUNDS times (even rounds
# in reverse order, so a drift of the machine favours neither), one
# `go test -bench` run per sub-benchmark, and prints each run, the means,
# and the ratios amysql / go-sql-driver in the same mode:
#
#   text      amysql interpolating (its default) / go-sql-driver with
#             interpolateParams=true
#   prepared  amysql binary_protocol=true / go-sql-driver's default, both
#             with the statement kept (*sql.Stmt, GORM PrepareStmt, sqlx
#             Preparex); pool rows: amysql's pool API, Cursor.Binary
#
# and against go-sql-driver's better mode of the round for each figure
# ("best": the lower ns/op, p50, CPU and allocations, the higher rows/s,
# each taken separately). A ratio is the median of the per-round ratios;
# below 1 is better for ns/op, p50, CPU and allocations, above 1 for rows/s.
#
# Usage: scripts/bench-ecosystem.sh [GROUP...]   (default: all below)
# Environment: AMYSQL_TEST_DSN (default root@tcp(127.0.0.1:3306)/test),
# ROUNDS (4), BENCHTIME (2s), OUT (a file to keep the raw lines in),
# REPORT (a file OUT kept: print its summary instead of running).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
export AMYSQL_TEST_DSN=${AMYSQL_TEST_DSN:-root@tcp(127.0.0.1:3306)/test}
ROUNDS=${ROUNDS:-4}
BENCHTIME=${BENCHTIME:-2s}
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(
  DatabaseSQLPointSelect DatabaseSQLPointSelect16 DatabaseSQLRange100 DatabaseSQLRange100x16
  GORM/First GORM/Find100 GORM/Create SQLX/Get SQLX/Select100
  SpeedPointSelect16 SpeedRange100x16)
systems() { # the sub-benchmarks of a group
  case $1 in
  Speed*) echo amysql-pool-text go-sql-driver-text amysql-pool-prepared go-sql-driver-prepared ;;
  DatabaseSQLPointSelect) echo amysql-text go-sql-driver-text amysql-prepared go-sql-driver-prepared amysql-prepared-spin ;;
  *) echo amysql-text go-sql-driver-text amysql-prepared go-sql-driver-prepared ;;
  esac
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
results=${OUT:-$tmp/results}
if [ -n "${REPORT:-}" ]; then results=$REPORT; ROUNDS=0; else
  (cd ecosystem && go test -c -o "$tmp/eco.test" .)
  : >"$results"
  echo "bench-ecosystem: $(uptime)" >&2
fi
for round in $(seq "$ROUNDS"); do
  for g in "${groups[@]}"; do
    read -r -a sys <<<"$(systems "$g")"
    [ $((round % 2)) = 0 ] && read -r -a sys <<<"$(printf '%s\n' "${sys[@]}" | tac | tr '\n' ' ')"
    for s in "${sys[@]}"; do
      re="^Benchmark${g%%/*}\$"
      [[ $g == */* ]] && re="$re/^${g#*/}\$"
      "$tmp/eco.test" -test.run '^$' -test.bench "$re/^$s\$" -test.benchtime "$BENCHTIME" -test.benchmem 2>&1 |
        awk -v r="$round" -v g="$g" -v s="$s" '/^Benchmark/ {
          line = r " " g " " s
          for (i = 3; i < NF; i += 2) line = line " " $(i + 1) "=" $i
          print line }' | tee -a "$results"
    done
  done
done
[ -n "${REPORT:-}" ] || echo "load: $(uptime)" >&2
echo
awk '
{ k = $2 " " $3; if (!(k in seen)) { seen[k] = 1; order[++m] = k }
  if (!($2 in gseen)) { gseen[$2] = 1; gorder[++ng] = $2 }
  for (i = 4; i <= NF; i++) { split($i, kv, "="); v[k, kv[1], $1] = kv[2]; sum[k, kv[1]] += kv[2]; cnt[k, kv[1]]++; units[kv[1]] = 1 }
  if ($1 > rounds) rounds = $1 }
function median(a, n,   i, j, t) {
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# the median over rounds of metric u of a over b (b "best": the go-sql-driver
# mode with the better u in that round)
function ratio(g, a, b, u,   i, n, x, y, vals, kb) {
  n = 0
  for (i = 1; i <= rounds; i++) {
    kb = g " " b
    if (b == "best") {
      t = v[g " go-sql-driver-text", u, i]; p = v[g " go-sql-driver-prepared", u, i]
      pbetter = u == "rows/s" ? p + 0 > t + 0 : p + 0 < t + 0
      kb = (p != "" && (t == "" || pbetter)) ? g " go-sql-driver-prepared" : g " go-sql-driver-text"
    }
    x = v[g " " a, u, i]; y = v[kb, u, i]
    if (x != "" && y != "" && y + 0 > 0) vals[++n] = x / y
  }
  return n ? sprintf("%.2f", median(vals, n)) : ""
}
END {
  for (i = 1; i <= m; i++) {
    k = order[i]; line = sprintf("mean %-28s %-24s", substr(k, 1, index(k, " ") - 1), substr(k, index(k, " ") + 1))
    split("ns/op p50-µs cpu-µs/op rows/s allocs/op", us, " ")
    for (j = 1; j <= 5; j++) if ((k, us[j]) in sum) line = line sprintf(" %12.1f %s", sum[k, us[j]] / cnt[k, us[j]], us[j])
    print line
  }
  print ""
  for (gi = 1; gi <= ng; gi++) {
    g = gorder[gi]
    for (mi = 1; mi <= 2; mi++) for (i = 1; i <= m; i++) {
      k = order[i]
      if (substr(k, 1, index(k, " ") - 1) != g) continue
      a = substr(k, index(k, " ") + 1)
      if (a !~ /^amysql-/) continue
      mode = a ~ /-text/ ? "text" : "prepared"
      b = mi == 1 ? "go-sql-driver-" mode : "best"
      {
        line = sprintf("ratio %-26s %-22s / %-24s", g, a, b)
        split("ns/op p50-µs cpu-µs/op rows/s allocs/op", us, " ")
        for (j = 1; j <= 5; j++) { r = ratio(g, a, b, us[j]); if (r != "") line = line sprintf(" %s %s", us[j], r) }
        print line
      }
    }
  }
}' "$results"
