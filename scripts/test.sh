#!/usr/bin/env bash
# The whole test suite: make sure a MariaDB is reachable, then go vet,
# staticcheck and go test -race over every package. Extra arguments go to
# `go test`.
#
# Server, in order: $AMYSQL_TEST_DSN; else the server on 127.0.0.1:3306
# ($AMYSQL_TEST_DEFAULT_ADDR) when it answers; else a private mariadbd in a
# temporary directory (installing Debian's mariadb-server-core and
# mariadb-client-core first when missing and running as root). The
# replication and Galera topologies the tests start need mariadb-server
# (Galera 4, rsync), installed the same way when missing. Under
# CI=true a missing server fails the run. The tests never use the DSN's
# database: each test binary creates a scratch database amysql_test_<UTC
# time>_<hex> with the mariadb client and drops it when it ends (see
# internal/testserver), so the DSN's user needs CREATE and DROP.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:/usr/sbin"

log() { echo "test.sh: $*" >&2; }

client_ok() { # host port user [password]
  mariadb --no-defaults --connect-timeout=3 -h"$1" -P"$2" -u"$3" ${4:+-p"$4"} -e 'SELECT 1' >/dev/null 2>&1
}

install_mariadb() {
  if command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null && command -v mariadb >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    log "MariaDB is not installed and we are not root; cannot install it"
    return 1
  fi
  log "installing mariadb-server-core and mariadb-client-core"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq mariadb-server-core mariadb-client-core >&2
}

PRIVATE_DIR=""
PRIVATE_PID=""
cleanup() {
  if [ -n "$PRIVATE_PID" ]; then
    kill -TERM "$PRIVATE_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$PRIVATE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PRIVATE_PID" 2>/dev/null || true
  fi
  [ -n "$PRIVATE_DIR" ] && rm -rf "$PRIVATE_DIR"
  return 0
}
trap cleanup EXIT

start_private() {
  install_mariadb || return 1
  local port=3407
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  PRIVATE_DIR=$(mktemp -d /tmp/amytest.XXXXXX)
  local runas=()
  [ "$(id -u)" = 0 ] && runas=(--user=root)
  log "starting a private mariadbd on 127.0.0.1:$port in $PRIVATE_DIR"
  mariadb-install-db --no-defaults --datadir="$PRIVATE_DIR/data" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve "${runas[@]}" >"$PRIVATE_DIR/install.log" 2>&1 \
    || { cat "$PRIVATE_DIR/install.log" >&2; return 1; }
  mariadbd --no-defaults "${runas[@]}" --datadir="$PRIVATE_DIR/data" --socket="$PRIVATE_DIR/s.sock" \
    --port="$port" --bind-address=127.0.0.1 --skip-name-resolve --max-allowed-packet=64M \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --local-infile=1 --log-error="$PRIVATE_DIR/error.log" --pid-file="$PRIVATE_DIR/pid" \
    --innodb-buffer-pool-dump-at-shutdown=0 </dev/null >/dev/null 2>&1 &
  PRIVATE_PID=$!
  for _ in $(seq 300); do
    mariadb --no-defaults --socket="$PRIVATE_DIR/s.sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
    kill -0 "$PRIVATE_PID" 2>/dev/null || { tail -20 "$PRIVATE_DIR/error.log" >&2; return 1; }
    sleep 0.1
  done
  mariadb --no-defaults --socket="$PRIVATE_DIR/s.sock" -uroot -e "
    CREATE DATABASE IF NOT EXISTS test;
    CREATE USER 'amysql'@'%' IDENTIFIED BY 'tq7-Secret-pw';
    GRANT ALL ON *.* TO 'amysql'@'%' WITH GRANT OPTION;" || return 1
  export AMYSQL_TEST_DSN="amysql:tq7-Secret-pw@tcp(127.0.0.1:$port)/test"
}

# External tools some tests drive: promtool and prometheus (Debian's
# prometheus package) check and scrape the metrics; headless Chromium
# renders poolbench's HTML report.
need_pkg() { # command-or-path package
  command -v "$1" >/dev/null && return 0
  [[ "$1" == /* && -e "$1" ]] && return 0
  [ "$(id -u)" = 0 ] || { log "$1 missing and not root: its tests will skip (or fail under CI=true)"; return 0; }
  log "installing $2 (for $1)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1; } \
    || log "could not install $2: tests needing $1 will skip (or fail under CI=true)"
}
need_pkg promtool prometheus
need_pkg chromium chromium
# The mariadb client creates and drops the tests' scratch databases.
need_pkg mariadb mariadb-client-core
# internal/testserver's topologies: the replica set needs only mariadbd;
# the Galera cluster needs the Galera 4 library, rsync and the SST scripts,
# which Debian ships with mariadb-server (galera-4 and rsync are its
# dependencies; mariadb-server-core alone has neither).
need_pkg wsrep_sst_rsync mariadb-server
need_pkg /usr/lib/galera/libgalera_smm.so galera-4
need_pkg rsync rsync

if [ -z "${AMYSQL_TEST_DSN:-}" ]; then
  addr=${AMYSQL_TEST_DEFAULT_ADDR:-127.0.0.1:3306}
  host=${addr%:*} port=${addr##*:}
  if command -v mariadb >/dev/null && client_ok "$host" "$port" root; then
    mariadb --no-defaults -h"$host" -P"$port" -uroot -e 'CREATE DATABASE IF NOT EXISTS test'
    export AMYSQL_TEST_DSN="root@tcp($host:$port)/test"
  else
    start_private || log "could not start a private MariaDB"
  fi
fi

if [ -n "${AMYSQL_TEST_DSN:-}" ]; then
  log "using server ${AMYSQL_TEST_DSN/:*@/:***@}"
  export AMYSQL_TEST_REQUIRE_SERVER=1
elif [ "${CI:-}" = true ]; then
  log "no MariaDB reachable under CI=true: failing"
  exit 1
else
  log "WARNING: no MariaDB reachable; integration tests will be skipped"
fi

# The workspace (go.work) holds the library and the modules that test it
# against heavy independent peers; ./... stops at module boundaries, so
# each module is named.
modules=(./... ./interop/... ./ecosystem/... ./cmd/poolbench/...)
go vet "${modules[@]}"

# staticcheck over every module: the one on PATH or in GOBIN (or
# GOPATH/bin, ~/go/bin by default), else installed there now. Without
# network it is skipped with a warning; under CI=true that fails the run.
STATICCHECK_VERSION=v0.8.2
find_staticcheck() {
  command -v staticcheck 2>/dev/null && return 0
  local dir
  for dir in "$(go env GOBIN)" "$(go env GOPATH | cut -d: -f1)/bin"; do
    [ -n "$dir" ] && [ -x "$dir/staticcheck" ] && { echo "$dir/staticcheck"; return 0; }
  done
  return 1
}
if ! staticcheck=$(find_staticcheck); then
  log "installing staticcheck $STATICCHECK_VERSION"
  go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" >&2 || true
  staticcheck=$(find_staticcheck) || staticcheck=""
fi
if [ -n "$staticcheck" ]; then
  "$staticcheck" "${modules[@]}"
elif [ "${CI:-}" = true ]; then
  log "staticcheck unavailable under CI=true: failing"
  exit 1
else
  log "WARNING: staticcheck unavailable; skipped"
fi

go test -race -count=1 "$@" "${modules[@]}"

# Every benchmark runs once (-short skips the minute-long ones), so a
# benchmark that no longer works fails the run instead of the next person
# who measures with it.
out=$(go test -run '^$' -bench . -benchtime 1x -short "${modules[@]}" 2>&1) ||
  { echo "a benchmark failed:" >&2; echo "$out" | grep -v '^Benchmark' | tail -40 >&2; exit 1; }
echo "benchmarks: each ran once"

# Every fuzz target of the library runs for a bounded number of inputs
# (AMYSQL_FUZZTIME, default 100000x each; a count, because time-limited
# runs can end in a spurious "context deadline exceeded"): a malformed
# packet must give an error, never a panic, and every DSN must round-trip.
while read -r file target; do
  pkg=./$(dirname "$file")
  out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "${AMYSQL_FUZZTIME:-100000x}" "$pkg" </dev/null 2>&1) \
    || { echo "fuzz target $target ($pkg) failed:" >&2; echo "$out" | tail -30 >&2; exit 1; }
  echo "fuzz: $pkg $target ok (${AMYSQL_FUZZTIME:-100000x})"
done < <(grep -Ho '^func Fuzz[A-Za-z0-9_]*' proto/*_test.go actor/*_test.go pool/*_test.go stdlib/*_test.go |
  sed 's/:func / /' | sort -u)
