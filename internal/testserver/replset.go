package testserver

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ReplicaSetOptions configure StartReplicaSet.
type ReplicaSetOptions struct {
	// Replicas is the number of replicas; 0 means 2.
	Replicas int
	// SemiSyncTimeout is how long a commit on the primary waits for a
	// replica's ACK before the primary falls back to asynchronous
	// replication (rpl_semi_sync_master_timeout); 0 means 10 s.
	SemiSyncTimeout time.Duration
	// Args are extra mariadbd options for every node.
	Args []string
}

// ReplicaSet is a primary and its replicas: private mariadbd with GTID
// replication (gtid_strict_mode, log_slave_updates), semi-synchronous
// with rpl_semi_sync_master_wait_point=AFTER_SYNC. Replicas run with
// read_only=1, and user amysql (Server.Target) lacks READ ONLY ADMIN, so
// writes through it fail with 1290 there as they would for an
// application; root over the socket (Exec, Query) bypasses read_only.
type ReplicaSet struct {
	// Nodes are the servers in server_id order (Nodes[i].ServerID is
	// i+1); Nodes[0] is the first primary. Roles change with Promote.
	Nodes []*ReplicaNode

	mu      sync.Mutex // serialises role changes; guards primary and the nodes' roles
	primary *ReplicaNode
	opts    ReplicaSetOptions
}

// ReplicaNode is one server of a ReplicaSet. Its embedded Server gives
// the port, socket, Target, Exec, Query and Kill9.
type ReplicaNode struct {
	*Server
	ServerID int

	set  *ReplicaSet
	role role // guarded by set.mu
}

type role int

const (
	roleReplica  role = iota
	rolePrimary       // the set's primary
	roleDetached      // a primary that was down when another was promoted; Restart makes it a replica
)

// StartReplicaSet starts a primary and opts.Replicas replicas, attaches
// the replicas with CHANGE MASTER TO ... MASTER_USE_GTID=slave_pos, and
// returns once every replica's IO and SQL threads run, every replica has
// applied the primary's position and the primary counts every replica as
// a semi-sync client. Everything is killed and removed when the test
// ends. Without mariadbd the test is skipped (failed under CI=true or
// AMYSQL_TEST_REQUIRE_SERVER=1).
func StartReplicaSet(t testing.TB, opts ReplicaSetOptions) *ReplicaSet {
	t.Helper()
	requireServer(t)
	rs, err := newReplicaSet(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { teardown(t, rs.servers()) })
	if err := rs.boot(); err != nil {
		t.Fatal(err)
	}
	return rs
}

func newReplicaSet(opts ReplicaSetOptions) (*ReplicaSet, error) {
	if opts.Replicas <= 0 {
		opts.Replicas = 2
	}
	if opts.SemiSyncTimeout <= 0 {
		opts.SemiSyncTimeout = 10 * time.Second
	}
	rs := &ReplicaSet{opts: opts}
	for i := 0; i <= opts.Replicas; i++ {
		s, err := newServer(Options{}, "")
		if err != nil {
			teardown(nopTB{}, rs.servers())
			return nil, err
		}
		rs.Nodes = append(rs.Nodes, &ReplicaNode{Server: s, ServerID: i + 1, set: rs})
	}
	rs.primary = rs.Nodes[0]
	rs.primary.role = rolePrimary
	return rs, nil
}

func (rs *ReplicaSet) servers() []*Server {
	out := make([]*Server, len(rs.Nodes))
	for i, n := range rs.Nodes {
		out[i] = n.Server
	}
	return out
}

// boot starts every node at once, attaches the replicas, then creates
// user amysql on the primary and waits until it has replicated. (Before
// the replicas are attached, a commit on the primary would wait the whole
// semi-sync timeout for an ACK.)
func (rs *ReplicaSet) boot() error {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, n := range rs.Nodes {
		n.opts.Args = n.args()
	}
	if err := parallel(rs.Nodes, func(n *ReplicaNode) error { return n.start() }); err != nil {
		return err
	}
	p := rs.primary
	replicas := rs.replicasLocked()
	if err := parallel(replicas, func(n *ReplicaNode) error { return n.follow(p) }); err != nil {
		return err
	}
	if err := rs.waitAttachedLocked(replicas); err != nil {
		return err
	}
	for _, q := range slices.Concat(createUser, []string{"REVOKE READ_ONLY ADMIN ON *.* FROM 'amysql'@'%'"}) {
		if _, err := p.query(q); err != nil {
			return fmt.Errorf("primary: %w", err)
		}
	}
	pos, err := p.gtidPos()
	if err != nil {
		return err
	}
	return parallel(replicas, func(n *ReplicaNode) error { return n.waitGTID(pos, 30*time.Second) })
}

// args are the node's mariadbd options for its current role. Only the
// primary enables the master side of semi-sync: a replica with it on and
// log_slave_updates would hold its own SQL thread for the whole timeout,
// waiting for ACKs. Replicas enable the slave side, and start with
// init-rpl-role=SLAVE: then a former primary truncates, at restart, what
// it binlogged but never committed (a transaction no replica
// acknowledged; MDEV-21117, 10.6.19/10.11.9 and later), so it can follow
// the new primary.
func (n *ReplicaNode) args() []string {
	primary := n.role == rolePrimary
	role := "SLAVE"
	if primary {
		role = "MASTER"
	}
	args := []string{
		"--init-rpl-role=" + role,
		"--server-id=" + strconv.Itoa(n.ServerID),
		"--log-bin=mysql-bin",
		"--relay-log=relay-bin",
		"--log-slave-updates",
		"--gtid-strict-mode=1",
		"--rpl-semi-sync-master-wait-point=AFTER_SYNC",
		"--rpl-semi-sync-master-timeout=" + strconv.FormatInt(n.set.opts.SemiSyncTimeout.Milliseconds(), 10),
		"--rpl-semi-sync-master-enabled=" + boolArg(primary),
		"--rpl-semi-sync-slave-enabled=" + boolArg(!primary),
		"--read-only=" + boolArg(!primary),
		// A killed process loses nothing it wrote: the tests kill
		// servers, never the machine, so commits need not fsync.
		"--innodb-flush-log-at-trx-commit=2",
	}
	args = append(args, leanArgs...)
	return append(args, n.set.opts.Args...)
}

func boolArg(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// follow attaches n to primary p by GTID. A node that was a primary
// starts from what it binlogged itself.
func (n *ReplicaNode) follow(p *ReplicaNode) error {
	stmts := []string{"STOP SLAVE", "SET GLOBAL rpl_semi_sync_master_enabled = 0, rpl_semi_sync_slave_enabled = 1, read_only = 1"}
	if n.role != roleReplica {
		stmts = append(stmts, "RESET SLAVE ALL", "SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos")
	}
	stmts = append(stmts,
		fmt.Sprintf("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, MASTER_USER='root', "+
			"MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos", p.Port),
		"START SLAVE")
	for _, q := range stmts {
		if _, err := n.query(q); err != nil {
			return fmt.Errorf("server_id %d: %w", n.ServerID, err)
		}
	}
	n.role = roleReplica
	return nil
}

// waitAttachedLocked waits until the IO and SQL threads of the nodes
// just attached run and the primary counts every running replica as a
// semi-sync client (a replica whose SQL thread was stopped still counts:
// its IO thread acknowledges).
func (rs *ReplicaSet) waitAttachedLocked(attached []*ReplicaNode) error {
	if err := parallel(attached, func(n *ReplicaNode) error { return n.waitThreads(30 * time.Second) }); err != nil {
		return err
	}
	want := 0
	for _, n := range rs.replicasLocked() {
		if n.Running() {
			want++
		}
	}
	p := rs.primary
	return waitFor(30*time.Second, fmt.Sprintf("semi-sync clients on the primary (server_id %d)", p.ServerID),
		func() (bool, string, error) {
			c, err := p.statusInt("Rpl_semi_sync_master_clients")
			return c == want && err == nil, fmt.Sprintf("%d clients, want %d", c, want), err
		})
}

// waitThreads waits until n's IO and SQL threads both run; an error of
// either thread ends the wait at once.
func (n *ReplicaNode) waitThreads(timeout time.Duration) error {
	return waitFor(timeout, fmt.Sprintf("replication threads of server_id %d", n.ServerID), func() (bool, string, error) {
		st, err := n.row("SHOW SLAVE STATUS")
		if err != nil {
			return false, "", err
		}
		io, sql := st["Slave_IO_Running"], st["Slave_SQL_Running"]
		seen := fmt.Sprintf("IO thread %q, SQL thread %q", io, sql)
		// A thread that stopped on an error will not start by itself
		// (an IO thread that lost its primary says Connecting).
		if e := st["Last_IO_Error"]; io == "No" && e != "" {
			return true, seen, fmt.Errorf("server_id %d: IO thread stopped: %s", n.ServerID, e)
		}
		if e := st["Last_SQL_Error"]; sql == "No" && e != "" {
			return true, seen, fmt.Errorf("server_id %d: SQL thread stopped: %s", n.ServerID, e)
		}
		return io == "Yes" && sql == "Yes", seen, nil
	})
}

// Primary returns the current primary.
func (rs *ReplicaSet) Primary() *ReplicaNode {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.primary
}

// Replicas returns the nodes that replicate from the primary (running or
// not), in server_id order.
func (rs *ReplicaSet) Replicas() []*ReplicaNode {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.replicasLocked()
}

func (rs *ReplicaSet) replicasLocked() []*ReplicaNode {
	var out []*ReplicaNode
	for _, n := range rs.Nodes {
		if n.role == roleReplica {
			out = append(out, n)
		}
	}
	return out
}

// Addrs returns every node's "127.0.0.1:port" in server_id order.
func (rs *ReplicaSet) Addrs() []string {
	out := make([]string, len(rs.Nodes))
	for i, n := range rs.Nodes {
		out[i] = n.Addr()
	}
	return out
}

// Addr returns "127.0.0.1:port".
func (n *ReplicaNode) Addr() string { return "127.0.0.1:" + strconv.Itoa(n.Port) }

// IsPrimary reports whether n is the set's primary now.
func (n *ReplicaNode) IsPrimary() bool {
	n.set.mu.Lock()
	defer n.set.mu.Unlock()
	return n.role == rolePrimary
}

// GTIDPos returns @@gtid_current_pos: every transaction n has, written
// or replicated.
func (n *ReplicaNode) GTIDPos(t testing.TB) string {
	t.Helper()
	pos, err := n.gtidPos()
	if err != nil {
		t.Fatal(err)
	}
	return pos
}

func (n *ReplicaNode) gtidPos() (string, error) { return n.query("SELECT @@gtid_current_pos") }

// WaitGTID waits (up to 30 s) until n has applied pos (MASTER_GTID_WAIT).
func (n *ReplicaNode) WaitGTID(t testing.TB, pos string) {
	t.Helper()
	if err := n.waitGTID(pos, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}

func (n *ReplicaNode) waitGTID(pos string, timeout time.Duration) error {
	if pos == "" {
		return nil
	}
	out, err := n.query(fmt.Sprintf("SELECT MASTER_GTID_WAIT('%s', %g)", pos, timeout.Seconds()))
	if err != nil {
		return fmt.Errorf("server_id %d: %w", n.ServerID, err)
	}
	if out != "0" {
		cur, _ := n.gtidPos()
		return fmt.Errorf("server_id %d has not applied GTID %s after %v (it has %s)", n.ServerID, pos, timeout, cur)
	}
	return nil
}

// WaitCaughtUp waits until every running replica has applied all the
// primary has. A replica whose SQL thread is stopped never catches up:
// wait on the others with WaitGTID.
func (rs *ReplicaSet) WaitCaughtUp(t testing.TB) {
	t.Helper()
	p := rs.Primary()
	pos := p.GTIDPos(t)
	var running []*ReplicaNode
	for _, n := range rs.Replicas() {
		if n.Running() {
			running = append(running, n)
		}
	}
	if err := parallel(running, func(n *ReplicaNode) error { return n.waitGTID(pos, 30*time.Second) }); err != nil {
		t.Fatal(err)
	}
}

// ReplicaStatus returns SHOW SLAVE STATUS by column name (empty on a
// node that replicates from nothing).
func (n *ReplicaNode) ReplicaStatus(t testing.TB) map[string]string {
	t.Helper()
	st, err := n.row("SHOW SLAVE STATUS")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// StopSQLThread stops n applying what it receives (STOP SLAVE
// SQL_THREAD): it falls behind, and Seconds_Behind_Master grows, while
// its IO thread still acknowledges the primary's writes.
func (n *ReplicaNode) StopSQLThread(t testing.TB) {
	t.Helper()
	n.Exec(t, "STOP SLAVE SQL_THREAD")
}

// StartSQLThread starts n applying again and returns once its SQL
// thread runs; WaitGTID or WaitCaughtUp waits for it to catch up.
func (n *ReplicaNode) StartSQLThread(t testing.TB) {
	t.Helper()
	n.Exec(t, "START SLAVE SQL_THREAD")
	if err := n.waitThreads(30 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// SetReadOnly sets @@global.read_only on n: the first step of a planned
// switchover on the primary (then Promote a replica).
func (n *ReplicaNode) SetReadOnly(t testing.TB, on bool) {
	t.Helper()
	n.Exec(t, "SET GLOBAL read_only = "+boolArg(on))
}

// MostAdvancedReplica returns the running replica that has received the
// most of the primary's transactions (the highest of its received
// Gtid_IO_Pos and its gtid_current_pos): the one an orchestrator
// promotes. Ties go to the lowest server_id.
func (rs *ReplicaSet) MostAdvancedReplica(t testing.TB) *ReplicaNode {
	t.Helper()
	var best *ReplicaNode
	bestSeq := int64(-1)
	for _, n := range rs.Replicas() {
		if !n.Running() {
			continue
		}
		st, err := n.row("SHOW SLAVE STATUS")
		if err != nil {
			t.Fatal(err)
		}
		cur, err := n.gtidPos()
		if err != nil {
			t.Fatal(err)
		}
		if seq := gtidSeq(st["Gtid_IO_Pos"] + "," + cur); seq > bestSeq {
			best, bestSeq = n, seq
		}
	}
	if best == nil {
		t.Fatal("testserver: no running replica to promote")
	}
	return best
}

// gtidSeq sums, over the domains of a GTID list, the highest sequence
// number each has: a total order good enough for one writer at a time.
func gtidSeq(list string) int64 {
	high := map[string]int64{}
	for _, g := range strings.Split(list, ",") {
		parts := strings.Split(strings.TrimSpace(g), "-")
		if len(parts) != 3 {
			continue
		}
		if seq, err := strconv.ParseInt(parts[2], 10, 64); err == nil && seq > high[parts[0]] {
			high[parts[0]] = seq
		}
	}
	var sum int64
	for _, s := range high {
		sum += s
	}
	return sum
}

// Promote makes replica n the primary, as an orchestrator would. A
// running old primary is made read-only and n waits to have all it
// binlogged (a planned switchover); a dead one is left out and becomes a
// replica when it is restarted. n stops receiving, applies all it
// received (its SQL thread is started if stopped: acknowledged writes
// may still sit in its relay log), then STOP SLAVE, RESET SLAVE ALL and
// rpl_semi_sync_master_enabled=1; the other running replicas (and a live
// old primary) follow n by GTID; once they all run and count as semi-sync
// clients, read_only=0 on n opens it for writes.
func (n *ReplicaNode) Promote(t testing.TB) {
	t.Helper()
	if err := n.promote(); err != nil {
		t.Fatal(err)
	}
}

func (n *ReplicaNode) promote() error {
	rs := n.set
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if n.role != roleReplica {
		return fmt.Errorf("testserver: Promote: server_id %d is not a replica", n.ServerID)
	}
	if !n.Running() {
		return fmt.Errorf("testserver: Promote: server_id %d is down", n.ServerID)
	}
	old := rs.primary
	if old.Running() {
		if _, err := old.query("SET GLOBAL read_only = 1"); err != nil {
			return err
		}
		pos, err := old.query("SELECT @@gtid_binlog_pos")
		if err != nil {
			return err
		}
		if err := n.waitGTID(pos, 30*time.Second); err != nil {
			return err
		}
	}
	if _, err := n.query("STOP SLAVE IO_THREAD; START SLAVE SQL_THREAD"); err != nil {
		return err
	}
	err := waitFor(30*time.Second, fmt.Sprintf("server_id %d applying its relay log", n.ServerID), func() (bool, string, error) {
		st, err := n.row("SHOW SLAVE STATUS")
		if err != nil {
			return false, "", err
		}
		if e := st["Last_SQL_Error"]; e != "" {
			return true, "", fmt.Errorf("server_id %d: SQL thread failed: %s", n.ServerID, e)
		}
		state := st["Slave_SQL_Running_State"]
		return strings.HasPrefix(state, "Slave has read all relay log"), state, nil
	})
	if err != nil {
		return err
	}
	if _, err := n.query("STOP SLAVE; RESET SLAVE ALL; SET GLOBAL rpl_semi_sync_master_enabled = 1"); err != nil {
		return err
	}
	old.role, n.role, rs.primary = roleDetached, rolePrimary, n
	followers := rs.replicasLocked()
	if old.Running() {
		followers = append(followers, old)
	}
	var running []*ReplicaNode
	for _, f := range followers {
		if f.Running() {
			running = append(running, f)
		}
	}
	if err := parallel(running, func(f *ReplicaNode) error { return f.follow(n) }); err != nil {
		return err
	}
	if err := rs.waitAttachedLocked(running); err != nil {
		return err
	}
	_, err = n.query("SET GLOBAL read_only = 0")
	return err
}

// Restart stops n if it runs (SIGTERM) and starts it again in its role:
// the primary waits for its replicas to reconnect (they retry every
// second), a replica for its threads to run. A former primary that was
// down when another was promoted comes back as a replica of the current
// primary.
func (n *ReplicaNode) Restart(t testing.TB) {
	t.Helper()
	if err := n.restart(); err != nil {
		t.Fatal(err)
	}
}

func (n *ReplicaNode) restart() error {
	rs := n.set
	rs.mu.Lock()
	defer rs.mu.Unlock()
	n.Stop(nil)
	n.opts.Args = n.args()
	if err := n.start(); err != nil {
		return err
	}
	if n.role == roleDetached {
		if err := n.follow(rs.primary); err != nil {
			return err
		}
	}
	if !rs.primary.Running() {
		return nil // a replica's IO thread retries until the primary is back
	}
	var attached []*ReplicaNode
	if n.role == roleReplica {
		attached = append(attached, n)
	}
	return rs.waitAttachedLocked(attached)
}

// nopTB is the testing.TB of cleanups that run outside a test.
type nopTB struct{ testing.TB }

func (nopTB) Failed() bool        { return false }
func (nopTB) Logf(string, ...any) {}
