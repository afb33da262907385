package testserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestReplicaSetReplicatesSemiSynchronously(t *testing.T) {
	var dirs []string
	var pids []int
	t.Run("set", func(t *testing.T) {
		var down time.Time
		t.Cleanup(func() { t.Logf("torn down in %v", time.Since(down).Round(time.Millisecond)) })
		start := time.Now()
		rs := StartReplicaSet(t, ReplicaSetOptions{})
		t.Cleanup(func() { down = time.Now() })
		t.Logf("primary + 2 replicas up in %v", time.Since(start).Round(time.Millisecond))
		for _, n := range rs.Nodes {
			dirs, pids = append(dirs, n.Dir), append(pids, n.pid())
			t.Logf("server_id %d: port %d, %d MB resident", n.ServerID, n.Port, rssMB(n.pid()))
		}
		p, replicas := rs.Primary(), rs.Replicas()
		if p != rs.Nodes[0] || len(replicas) != 2 || replicas[0] != rs.Nodes[1] || replicas[1] != rs.Nodes[2] {
			t.Fatalf("roles: primary server_id %d, %d replicas", p.ServerID, len(replicas))
		}
		for _, n := range rs.Nodes {
			want := "1"
			if n == p {
				want = "0"
			}
			if got := n.Query(t, "SELECT @@server_id, @@read_only, @@gtid_strict_mode, @@log_slave_updates"); got != itoa(n.ServerID)+"\t"+want+"\t1\t1" {
				t.Errorf("server_id %d: server_id, read_only, gtid_strict_mode, log_slave_updates = %q, want read_only %s", n.ServerID, got, want)
			}
		}
		semi := p.Query(t, "SELECT @@rpl_semi_sync_master_enabled, @@rpl_semi_sync_master_wait_point")
		if semi != "1\tAFTER_SYNC" {
			t.Errorf("primary semi-sync settings: %q", semi)
		}
		for _, r := range replicas {
			if got := r.Query(t, "SELECT @@rpl_semi_sync_master_enabled, @@rpl_semi_sync_slave_enabled"); got != "0\t1" {
				t.Errorf("server_id %d: master, slave semi-sync enabled = %q, want 0 1", r.ServerID, got)
			}
		}
		before := semiSync(t, p)
		if before["Rpl_semi_sync_master_status"] != "ON" || before["Rpl_semi_sync_master_clients"] != "2" {
			t.Errorf("primary semi-sync status: %v", before)
		}

		// A write through the application's user is acknowledged by a
		// replica before it commits, and reaches both.
		if _, err := adminQuery(p.Target(), "CREATE TABLE test.seen (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO test.seen VALUES (1, 'from the primary')"); err != nil {
			t.Fatal(err)
		}
		after := semiSync(t, p)
		if n(after["Rpl_semi_sync_master_yes_tx"]) < n(before["Rpl_semi_sync_master_yes_tx"])+2 || after["Rpl_semi_sync_master_no_tx"] != before["Rpl_semi_sync_master_no_tx"] {
			t.Errorf("the writes were not acknowledged semi-synchronously: before %v, after %v", before, after)
		}
		rs.WaitCaughtUp(t)
		for _, r := range replicas {
			if got := r.Query(t, "SELECT v FROM test.seen WHERE id = 1"); got != "from the primary" {
				t.Errorf("server_id %d: row = %q", r.ServerID, got)
			}
			// The application's user exists there too (it replicated)
			// and read_only stops it.
			if got, err := adminQuery(r.Target(), "SELECT COUNT(*) FROM test.seen"); err != nil || got != "1" {
				t.Errorf("server_id %d as amysql: %q, %v", r.ServerID, got, err)
			}
			_, err := adminQuery(r.Target(), "INSERT INTO test.seen VALUES (2, 'on a replica')")
			if err == nil || !strings.Contains(err.Error(), "ERROR 1290") {
				t.Errorf("server_id %d: a write as amysql on a replica gave %v, want ERROR 1290", r.ServerID, err)
			}
			if st := r.ReplicaStatus(t); st["Using_Gtid"] != "Slave_Pos" || st["Master_Port"] != itoa(p.Port) {
				t.Errorf("server_id %d: Using_Gtid %q, Master_Port %q", r.ServerID, st["Using_Gtid"], st["Master_Port"])
			}
		}
	})
	assertGone(t, dirs, pids)
}

func TestReplicaSetLagsOnDemand(t *testing.T) {
	rs := StartReplicaSet(t, ReplicaSetOptions{})
	p, lagging, current := rs.Primary(), rs.Replicas()[0], rs.Replicas()[1]
	p.Exec(t, "CREATE TABLE test.lag (id INT PRIMARY KEY)")
	rs.WaitCaughtUp(t)

	lagging.StopSQLThread(t)
	p.Exec(t, "INSERT INTO test.lag VALUES (1)")
	pos := p.GTIDPos(t)
	current.WaitGTID(t, pos)
	if got := current.Query(t, "SELECT COUNT(*) FROM test.lag"); got != "1" {
		t.Fatalf("the running replica has %s rows, want 1", got)
	}
	// The lagging replica received the write (its IO thread runs and
	// acknowledged it) but has not applied it.
	err := waitFor(10*time.Second, "the lagging replica receiving the write", func() (bool, string, error) {
		st := lagging.ReplicaStatus(t)
		return gtidSeq(st["Gtid_IO_Pos"]) >= gtidSeq(pos), st["Gtid_IO_Pos"], nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st := lagging.ReplicaStatus(t)
	if st["Slave_SQL_Running"] != "No" || st["Slave_IO_Running"] != "Yes" {
		t.Errorf("lagging replica: IO %q, SQL %q", st["Slave_IO_Running"], st["Slave_SQL_Running"])
	}
	if got := lagging.Query(t, "SELECT COUNT(*) FROM test.lag"); got != "0" {
		t.Fatalf("the replica with its SQL thread stopped has %s rows, want 0", got)
	}
	if got := lagging.Query(t, "SELECT MASTER_GTID_WAIT('"+pos+"', 0.5)"); got != "-1" {
		t.Errorf("MASTER_GTID_WAIT on the lagging replica = %s, want -1 (timeout)", got)
	}

	lagging.StartSQLThread(t)
	lagging.WaitGTID(t, pos)
	if got := lagging.Query(t, "SELECT COUNT(*) FROM test.lag"); got != "1" {
		t.Fatalf("after StartSQLThread the replica has %s rows, want 1", got)
	}
}

func TestReplicaSetFailoverKeepsAcknowledgedWrites(t *testing.T) {
	rs := StartReplicaSet(t, ReplicaSetOptions{})
	old := rs.Primary()
	old.Exec(t, "CREATE TABLE test.acked (id INT PRIMARY KEY)")
	rs.WaitCaughtUp(t)
	// The first replica (which a tie would pick) receives nothing more,
	// so the second is the most advanced one.
	behind, ahead := rs.Replicas()[0], rs.Replicas()[1]
	behind.Exec(t, "STOP SLAVE IO_THREAD")

	// One writer inserts 1, 2, 3, ... through the application's user;
	// a number printed back is an acknowledged insert.
	w := startWriter(t, old.Target(), "test.acked")
	w.waitAcked(t, 200)
	old.Kill9()
	acked := w.wait()
	t.Logf("killed the primary after %d acknowledged inserts (writer: %v)", acked, w.err)

	np := rs.MostAdvancedReplica(t)
	if np != ahead {
		t.Fatalf("MostAdvancedReplica is server_id %d (at %s), want %d (at %s)",
			np.ServerID, np.GTIDPos(t), ahead.ServerID, ahead.GTIDPos(t))
	}
	if got := behind.Query(t, "SELECT COUNT(*) FROM test.acked"); got != "0" {
		t.Fatalf("the replica that stopped receiving has %s rows", got)
	}
	start := time.Now()
	np.Promote(t)
	t.Logf("promoted server_id %d in %v", np.ServerID, time.Since(start).Round(time.Millisecond))
	if rs.Primary() != np || !np.IsPrimary() || old.IsPrimary() {
		t.Fatalf("after Promote the primary is server_id %d", rs.Primary().ServerID)
	}
	if got := np.Query(t, "SELECT @@read_only, @@rpl_semi_sync_master_enabled"); got != "0\t1" {
		t.Errorf("new primary read_only, semi-sync master = %q", got)
	}
	if st := np.ReplicaStatus(t); len(st) != 0 {
		t.Errorf("new primary still replicates: %v", st)
	}
	if got := np.Query(t, fmt.Sprintf("SELECT COUNT(*) FROM test.acked WHERE id <= %d", acked)); got != itoa(acked) {
		t.Fatalf("the new primary has %s of the %d acknowledged inserts", got, acked)
	}
	if st := semiSync(t, np); st["Rpl_semi_sync_master_clients"] != "1" || st["Rpl_semi_sync_master_status"] != "ON" {
		t.Errorf("new primary semi-sync: %v", st)
	}

	// The other replica follows the new primary and gets from it what it
	// missed, and a write on the new primary.
	if _, err := adminQuery(np.Target(), "INSERT INTO test.acked VALUES (1000000)"); err != nil {
		t.Fatal(err)
	}
	rs.WaitCaughtUp(t)
	others := rs.Replicas()
	if len(others) != 1 || others[0] == np || others[0] == old {
		t.Fatalf("replicas after the failover: %d", len(others))
	}
	other := others[0]
	if st := other.ReplicaStatus(t); st["Master_Port"] != itoa(np.Port) {
		t.Errorf("the other replica follows port %s, want %d", st["Master_Port"], np.Port)
	}
	if got := other.Query(t, "SELECT COUNT(*) FROM test.acked WHERE id = 1000000"); got != "1" {
		t.Errorf("the write on the new primary is not on the other replica")
	}
	if got, want := other.Query(t, "SELECT COUNT(*) FROM test.acked"), np.Query(t, "SELECT COUNT(*) FROM test.acked"); got != want {
		t.Errorf("the other replica has %s rows, the new primary %s", got, want)
	}

	// The old primary comes back as a replica of the new one, with the
	// same rows (what it binlogged but no replica acknowledged is gone).
	old.Restart(t)
	for _, line := range strings.Split(old.ErrorLog(), "\n") {
		if strings.Contains(line, "runcat") {
			t.Logf("old primary: %s", line)
		}
	}
	if old.IsPrimary() || len(rs.Replicas()) != 2 {
		t.Fatalf("restarted old primary: primary %v, %d replicas", old.IsPrimary(), len(rs.Replicas()))
	}
	rs.WaitCaughtUp(t)
	want := np.Query(t, "SELECT COUNT(*), SUM(id) FROM test.acked")
	for _, r := range rs.Replicas() {
		if got := r.Query(t, "SELECT COUNT(*), SUM(id) FROM test.acked"); got != want {
			t.Errorf("server_id %d has %q, the primary %q", r.ServerID, got, want)
		}
	}
	if got := old.Query(t, "SELECT @@read_only"); got != "1" {
		t.Errorf("old primary read_only = %s", got)
	}
	if st := semiSync(t, np); st["Rpl_semi_sync_master_clients"] != "2" {
		t.Errorf("semi-sync clients after the rejoin: %v", st)
	}
}

func TestReplicaSetPlannedSwitchover(t *testing.T) {
	rs := StartReplicaSet(t, ReplicaSetOptions{})
	old, np := rs.Primary(), rs.Replicas()[1]
	old.Exec(t, "CREATE TABLE test.sw (id INT PRIMARY KEY)", "INSERT INTO test.sw VALUES (1)")

	old.SetReadOnly(t, true)
	if _, err := adminQuery(old.Target(), "INSERT INTO test.sw VALUES (2)"); err == nil || !strings.Contains(err.Error(), "ERROR 1290") {
		t.Fatalf("a write on the read-only primary gave %v, want ERROR 1290", err)
	}
	np.Promote(t)
	if _, err := adminQuery(np.Target(), "INSERT INTO test.sw VALUES (3)"); err != nil {
		t.Fatalf("a write on the new primary: %v", err)
	}
	rs.WaitCaughtUp(t)
	if old.IsPrimary() || !np.IsPrimary() {
		t.Fatal("roles did not change")
	}
	for _, r := range rs.Replicas() {
		// (Not in one SELECT: with an aggregate over a table, MariaDB
		// 10.11 reports @@read_only as 0.)
		if got := r.Query(t, "SELECT GROUP_CONCAT(id ORDER BY id) FROM test.sw"); got != "1,3" {
			t.Errorf("server_id %d: rows %q, want 1,3", r.ServerID, got)
		}
		if got := r.Query(t, "SELECT @@read_only"); got != "1" {
			t.Errorf("server_id %d: read_only = %s", r.ServerID, got)
		}
		if st := r.ReplicaStatus(t); st["Master_Port"] != itoa(np.Port) || st["Slave_IO_Running"] != "Yes" {
			t.Errorf("server_id %d follows port %s (IO %s), want %d", r.ServerID, st["Master_Port"], st["Slave_IO_Running"], np.Port)
		}
	}
	if _, err := adminQuery(old.Target(), "INSERT INTO test.sw VALUES (4)"); err == nil || !strings.Contains(err.Error(), "ERROR 1290") {
		t.Errorf("a write on the demoted primary gave %v, want ERROR 1290", err)
	}
}

func TestReplicaSetRestartsNodesInTheirRoles(t *testing.T) {
	rs := StartReplicaSet(t, ReplicaSetOptions{})
	p, r := rs.Primary(), rs.Replicas()[0]
	p.Exec(t, "CREATE TABLE test.rs (id INT PRIMARY KEY)")

	p.Restart(t) // returns once both replicas are back as semi-sync clients
	if st := semiSync(t, p); st["Rpl_semi_sync_master_clients"] != "2" {
		t.Errorf("after restarting the primary: %v", st)
	}
	r.StopSQLThread(t)
	r.Restart(t) // both threads run again
	if st := r.ReplicaStatus(t); st["Slave_IO_Running"] != "Yes" || st["Slave_SQL_Running"] != "Yes" {
		t.Errorf("restarted replica: IO %q, SQL %q", st["Slave_IO_Running"], st["Slave_SQL_Running"])
	}
	if _, err := adminQuery(p.Target(), "INSERT INTO test.rs VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	rs.WaitCaughtUp(t)
	for _, n := range rs.Nodes {
		want := "1"
		if n == p {
			want = "0"
		}
		if got := n.Query(t, "SELECT @@read_only"); got != want {
			t.Errorf("server_id %d: read_only %s, want %s", n.ServerID, got, want)
		}
		if got := n.Query(t, "SELECT COUNT(*) FROM test.rs"); got != "1" {
			t.Errorf("server_id %d has %s rows", n.ServerID, got)
		}
	}
}

func TestGTIDSeq(t *testing.T) {
	for _, tc := range []struct {
		list string
		want int64
	}{
		{"", 0},
		{"0-1-4", 4},
		{"0-1-4,0-2-9", 9},
		{"0-1-4,1-3-2", 6},
		{"0-1-4, 0-3-2,", 4},
	} {
		if got := gtidSeq(tc.list); got != tc.want {
			t.Errorf("gtidSeq(%q) = %d, want %d", tc.list, got, tc.want)
		}
	}
}

// writer is a mariadb client inserting 1, 2, 3, ... into a table, one
// statement at a time, and printing each id once its insert is
// acknowledged.
type writer struct {
	acked atomic.Int64 // the last id printed back
	done  chan struct{}
	err   error // how the client ended, once done is closed
}

func startWriter(t *testing.T, tg Target, table string) *writer {
	t.Helper()
	cmd := exec.Command(findBinary("mariadb"), "--no-defaults", "--protocol=TCP", "-h"+tg.Host, "-P"+itoa(tg.Port),
		"-u"+tg.User, "-N", "-B", "--unbuffered")
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+tg.Password)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &writer{done: make(chan struct{})}
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-w.done })
	go func() {
		bw := bufio.NewWriter(in)
		for i := 1; ; i++ {
			if _, err := fmt.Fprintf(bw, "INSERT INTO %s VALUES (%d); SELECT %d;\n", table, i, i); err != nil {
				break
			}
			if i%20 == 0 && bw.Flush() != nil {
				break
			}
		}
		in.Close()
	}()
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if n, err := strconv.ParseInt(sc.Text(), 10, 64); err == nil {
				w.acked.Store(n)
			}
		}
		_, _ = io.Copy(io.Discard, out)
		w.err = cmd.Wait()
		close(w.done)
	}()
	return w
}

// waitAcked waits until the writer has n acknowledged inserts.
func (w *writer) waitAcked(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for w.acked.Load() < n {
		select {
		case <-w.done:
			t.Fatalf("writer ended after %d inserts: %v", w.acked.Load(), w.err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("writer has %d acknowledged inserts after 30 s", w.acked.Load())
		}
	}
}

// wait waits for the client to exit and returns the last acknowledged id.
func (w *writer) wait() int {
	<-w.done
	return int(w.acked.Load())
}

func semiSync(t *testing.T, n *ReplicaNode) map[string]string {
	t.Helper()
	st, err := n.status("Rpl_semi_sync_master_status", "Rpl_semi_sync_master_clients", "Rpl_semi_sync_master_yes_tx", "Rpl_semi_sync_master_no_tx")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func n(s string) int {
	v, _ := strconv.Atoi(s)
	return v
}

// rssMB is a process's resident memory in MB.
func rssMB(pid int) int {
	b, err := os.ReadFile(filepath.Join("/proc", itoa(pid), "status"))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return kb / 1024
		}
	}
	return -1
}

// assertGone checks that a topology's cleanup removed its directories
// and ended its processes.
func assertGone(t *testing.T, dirs []string, pids []int) {
	t.Helper()
	if len(dirs) == 0 {
		t.Fatal("the topology was not started")
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still exists after cleanup (err %v)", d, err)
		}
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("mariadbd %d still running after cleanup", pid)
		}
	}
}
