#!/usr/bin/env bash
# Regenerates docs/poolbench-report.png, the report shown in
# docs/poolbench.md: a sizing sweep against a real server, its -html
# report, and a headless-Chromium screenshot of the page's top.
#
#   scripts/poolbench-screenshot.sh ['root@tcp(127.0.0.1:3306)/bench']
#
# The DSN defaults to $AMYSQL_DSN; -prepare creates (or reuses) sbtest1
# there. Extra poolbench flags can be given in $POOLBENCH_FLAGS.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
dsn=${1:-${AMYSQL_DSN:?give a DSN or set AMYSQL_DSN}}
browser=$(command -v chromium || command -v chromium-browser) || { echo "chromium is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2086
go run ./cmd/poolbench -dsn "$dsn" -prepare -table-size 10000 -c 1,2,4,8,16,32 -max 8 -d 3s \
  -html "$work/report.html" ${POOLBENCH_FLAGS:-} | tee "$work/out.txt" | grep -v '^ *[0-9.]* s / '
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$work/profile" --hide-scrollbars \
  --force-device-scale-factor=1 --window-size=1100,2150 --screenshot="$work/shot.png" "file://$work/report.html" 2>/dev/null
cp "$work/shot.png" docs/poolbench-report.png
echo "wrote docs/poolbench-report.png"
