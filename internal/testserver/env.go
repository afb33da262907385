// Package testserver gives tests a MariaDB to talk to: a scratch database
// of their own on the server named by AMYSQL_TEST_DSN (see Main and
// FromEnv), a private mariadbd started with special options (Start), or a
// topology of private mariadbd: a replication set or a Galera cluster. It
// uses only the standard library so any package's tests can import it.
//
// # Topologies
//
// StartReplicaSet starts a primary and two replicas (GTID, gtid_strict_mode,
// semi-synchronous with AFTER_SYNC; replicas read_only), in about 1 s.
// StartGalera starts a 3-node Galera 4 cluster (rsync SST, failure detected
// in 2 s), in about 5 s. Each node is a *Server (Port, Target, Exec, Query)
// with the operations failover tests need:
//
//	rs := testserver.StartReplicaSet(t, testserver.ReplicaSetOptions{})
//	hosts := rs.Addrs()                 // "127.0.0.1:port", server_id order
//	rs.Primary().Kill9()                // crash the primary
//	next := rs.MostAdvancedReplica(t)   // what an orchestrator promotes
//	next.Promote(t)                     // the others follow it; then read_only=0
//	rs.Nodes[0].Restart(t)              // the old primary rejoins as a replica
//	rs.WaitCaughtUp(t)
//
//	r := rs.Replicas()[0]
//	r.StopSQLThread(t)                  // lag on demand; StartSQLThread catches up
//	rs.Primary().SetReadOnly(t, true)   // planned switchover: then Promote
//
//	g := testserver.StartGalera(t, testserver.GaleraOptions{})
//	g.Nodes[0].Kill9()
//	g.WaitPrimary(t)                    // the survivors' new primary component
//	g.Nodes[0].Restart(t)               // rejoins (IST or SST), Synced again
//
// User amysql (Target) exists on every node; on a replica set it lacks
// READ ONLY ADMIN, so read_only stops its writes with error 1290, as it
// would an application's. Root over the socket (Exec, Query) is not
// stopped by read_only.
//
// Every node runs with Pdeathsig, so it dies with the test binary however
// the binary ends; when the test ends, pass or fail, the nodes are killed
// and their directories removed (a binary killed by SIGKILL leaves the
// directories under /tmp). Without mariadbd (and, for Galera, the Galera
// library, rsync and wsrep_sst_rsync) the test is skipped; under CI=true
// or AMYSQL_TEST_REQUIRE_SERVER=1 it fails instead.
//
// Topologies are not shared between tests: each test starts its own, so a
// test that kills or promotes nodes cannot leave the next one a changed
// topology. Tests that only read or write can share one as subtests of
// one test.
package testserver

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Target describes how to reach a test server.
type Target struct {
	Host     string
	Port     int
	User     string
	Password string
	DB       string
	Socket   string // unix socket path, "" if unknown
	DSN      string // user[:pass]@tcp(host:port)/db or user@unix(path)/db
}

// required reports whether a missing server must fail the run.
func required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("AMYSQL_TEST_REQUIRE_SERVER") == "1"
}

// skipOrFail skips the test, or fails it when a server is required.
func skipOrFail(t testing.TB, msg string) {
	t.Helper()
	if required() {
		t.Fatal(msg + " (a server is required: CI=true or AMYSQL_TEST_REQUIRE_SERVER=1)")
	}
	t.Skip(msg)
}

// FromEnv returns the binary's scratch database on the server named by
// AMYSQL_TEST_DSN: the DSN's user, password, address and parameters, with
// DB and DSN naming a database that Main drops when the tests end. Without
// AMYSQL_TEST_DSN the test is skipped, except under CI=true or
// AMYSQL_TEST_REQUIRE_SERVER=1, where it fails. It fails the test when the
// binary has no TestMain calling Main, or the scratch database cannot be
// created (the DSN's user needs CREATE and DROP on amysql_test_*).
func FromEnv(t testing.TB) Target {
	t.Helper()
	if !mainInstalled() {
		t.Fatal(errNoMain)
	}
	dsn := os.Getenv("AMYSQL_TEST_DSN")
	if dsn == "" {
		skipOrFail(t, "AMYSQL_TEST_DSN is not set; run scripts/test.sh to get a server")
	}
	tg, err := scratchTarget(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func mainInstalled() bool {
	scratch.mu.Lock()
	defer scratch.mu.Unlock()
	return scratch.installed
}

// parseDSN reads user[:pass]@tcp(host:port)/db[?…] and user@unix(path)/db.
func parseDSN(dsn string) (Target, error) {
	tg := Target{DSN: dsn, Host: "127.0.0.1", Port: 3306}
	slash := strings.LastIndex(dsn, "/")
	if slash < 0 {
		return tg, fmt.Errorf("no '/' in %q", redact(dsn))
	}
	head, tail := dsn[:slash], dsn[slash+1:]
	tg.DB, _, _ = strings.Cut(tail, "?")
	if at := strings.LastIndex(head, "@"); at >= 0 {
		tg.User, tg.Password, _ = strings.Cut(head[:at], ":")
		head = head[at+1:]
	}
	switch {
	case strings.HasPrefix(head, "unix(") && strings.HasSuffix(head, ")"):
		tg.Socket = head[5 : len(head)-1]
		tg.Host, tg.Port = "", 0
	case strings.HasPrefix(head, "tcp(") && strings.HasSuffix(head, ")"):
		addr := head[4 : len(head)-1]
		tg.Host = addr
		if host, port, err := net.SplitHostPort(addr); err == nil {
			p, err := strconv.Atoi(port)
			if err != nil || p <= 0 || p > 65535 {
				return tg, fmt.Errorf("bad port in %q", redact(dsn))
			}
			tg.Host, tg.Port = host, p
		} // else a host without a port (a bare IPv6 address included): port 3306
		tg.Host = strings.Trim(tg.Host, "[]")
		if tg.Host == "" {
			tg.Host = "127.0.0.1"
		}
	case head == "":
	default:
		return tg, fmt.Errorf("unknown address %q", head)
	}
	if tg.Socket == "" && (tg.Host == "127.0.0.1" || tg.Host == "localhost") && tg.Port == 3306 {
		if _, err := os.Stat("/run/mysqld/mysqld.sock"); err == nil {
			tg.Socket = "/run/mysqld/mysqld.sock"
		}
	}
	return tg, nil
}

func redact(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at >= 0 {
		if c := strings.IndexByte(dsn[:at], ':'); c >= 0 {
			return dsn[:c] + ":***" + dsn[at:]
		}
	}
	return dsn
}
