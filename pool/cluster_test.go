package pool_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/pool"
	"github.com/amysql/amysql/proto"
)

func newCluster(t *testing.T, cfg pool.ClusterConfig) *pool.Cluster {
	t.Helper()
	c, err := pool.NewCluster(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// readServers runs n reads through the cluster's reader and counts them
// by server_id.
func readServers(t *testing.T, c *pool.Cluster, n int) map[int64]int {
	t.Helper()
	got := map[int64]int{}
	for i := 0; i < n; i++ {
		row, err := c.Reader().QueryRow(ctxT(t), "SELECT @@server_id")
		if err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		got[int64(row[0].(uint64))]++
	}
	return got
}

func nodeStat(c *pool.Cluster, addr string) pool.NodeStat {
	for _, n := range c.Stat().Nodes {
		if n.Addr == addr {
			return n
		}
	}
	return pool.NodeStat{}
}

func TestClusterWritesToThePrimaryAndReadsFromTheReplicas(t *testing.T) {
	rs := testserver.StartReplicaSet(t, testserver.ReplicaSetOptions{})
	c := newCluster(t, pool.ClusterConfig{Pool: pool.Config{Conn: replicaSetConfig(t, rs.Addrs()...), MaxSize: 4}})
	row, err := c.Writer().QueryRow(ctxT(t), "SELECT @@server_id")
	if err != nil || int64(row[0].(uint64)) != int64(rs.Primary().ServerID) {
		t.Fatalf("the writer reached %v (%v), want the primary %d", row, err, rs.Primary().ServerID)
	}
	got := readServers(t, c, 40)
	for _, r := range rs.Replicas() {
		if got[int64(r.ServerID)] < 10 {
			t.Errorf("reads by server: %v; replica %d got too few of 40", got, r.ServerID)
		}
	}
	if got[int64(rs.Primary().ServerID)] != 0 {
		t.Errorf("reads by server: %v; the primary got reads while replicas were healthy", got)
	}
	st := c.Stat()
	if st.Writer != rs.Primary().Addr() || st.Galera || len(st.Nodes) != 3 {
		t.Errorf("Stat = %+v", st)
	}
	for _, n := range st.Nodes {
		want := "replica"
		if n.Addr == rs.Primary().Addr() {
			want = "primary"
		}
		if n.Role != want || n.Err != nil || n.Pool == nil {
			t.Errorf("node %s: role %q (want %s), err %v", n.Addr, n.Role, want, n.Err)
		}
	}
}

func TestClusterWriterFollowsAFailover(t *testing.T) {
	rs := testserver.StartReplicaSet(t, testserver.ReplicaSetOptions{SemiSyncTimeout: 30 * time.Second})
	const tbl = "test.amysql_cluster_crash"
	rs.Primary().Exec(t, "CREATE TABLE "+tbl+" (id BIGINT PRIMARY KEY) ENGINE=InnoDB")
	rs.WaitCaughtUp(t)
	c := newCluster(t, pool.ClusterConfig{Pool: pool.Config{Conn: replicaSetConfig(t, rs.Addrs()...), MaxSize: 16},
		CheckPeriod: 250 * time.Millisecond})
	stop := make(chan struct{})
	acked, errs := writers(context.Background(), c.Writer(), tbl, 16, stop)
	time.Sleep(500 * time.Millisecond)
	rs.Primary().Kill9()
	time.Sleep(300 * time.Millisecond)
	next := rs.MostAdvancedReplica(t)
	next.Promote(t)
	promoted := time.Now()
	for {
		_, err := c.Writer().Execute(ctxT(t), "INSERT INTO "+tbl+" (id) VALUES (?)", -time.Now().UnixNano())
		if err == nil {
			break
		}
		if time.Since(promoted) > 2*time.Second {
			t.Fatalf("no write within 2 s of the promotion: %v", err)
		}
	}
	resumed := time.Since(promoted)
	time.Sleep(300 * time.Millisecond)
	close(stop)
	ids, seen := acked(), errs()
	have := idsOn(t, next, tbl)
	for _, id := range ids {
		if !have[id] {
			t.Fatalf("acknowledged insert %d is not on the new primary", id)
		}
	}
	for _, err := range seen {
		if !typed(err) {
			t.Errorf("an untyped error: %v", err)
		}
	}
	st := c.Stat()
	if st.Writer != next.Addr() || st.Failovers != 1 {
		t.Errorf("after the failover Writer = %s (want %s), Failovers = %d", st.Writer, next.Addr(), st.Failovers)
	}
	t.Logf("cluster failover: writes resumed %v after the promotion; %d acknowledged inserts, all on server %d; %d errors in flight",
		resumed.Round(time.Millisecond), len(ids), next.ServerID, len(seen))
}

func TestClusterKeepsReadsOffALaggingReplica(t *testing.T) {
	rs := testserver.StartReplicaSet(t, testserver.ReplicaSetOptions{})
	const tbl = "test.amysql_cluster_lag"
	rs.Primary().Exec(t, "CREATE TABLE "+tbl+" (id BIGINT PRIMARY KEY AUTO_INCREMENT) ENGINE=InnoDB")
	rs.WaitCaughtUp(t)
	const maxLag = time.Second
	c := newCluster(t, pool.ClusterConfig{Pool: pool.Config{Conn: replicaSetConfig(t, rs.Addrs()...), MaxSize: 4},
		MaxReplicaLag: maxLag, CheckPeriod: 200 * time.Millisecond})
	lagging, healthy := rs.Replicas()[0], rs.Replicas()[1]
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the primary keeps writing
		defer wg.Done()
		for !stop.Load() {
			c.Writer().Execute(ctxT(t), "INSERT INTO "+tbl+" () VALUES ()")
			time.Sleep(20 * time.Millisecond)
		}
	}()
	defer func() { stop.Store(true); wg.Wait() }()

	lagging.StopSQLThread(t)
	stopped := time.Now()
	for nodeStat(c, lagging.Addr()).Readable {
		if time.Since(stopped) > maxLag+2*time.Second {
			t.Fatalf("the replica with its SQL thread stopped still gets reads: %+v", nodeStat(c, lagging.Addr()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if since := time.Since(stopped); since < maxLag/2 {
		t.Errorf("reads left the replica %v after it stopped applying, before it fell MaxReplicaLag behind", since)
	}
	if got := readServers(t, c, 20); got[int64(lagging.ServerID)] != 0 || got[int64(healthy.ServerID)] != 20 {
		t.Errorf("reads by server while one lags: %v", got)
	}
	lagging.StartSQLThread(t)
	started := time.Now()
	for !nodeStat(c, lagging.Addr()).Readable {
		if time.Since(started) > 3*time.Second {
			t.Fatalf("the replica did not get reads back after catching up: %+v", nodeStat(c, lagging.Addr()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := readServers(t, c, 40); got[int64(lagging.ServerID)] == 0 {
		t.Errorf("reads by server after it caught up: %v", got)
	}
}

func TestClusterReadYourWrites(t *testing.T) {
	rs := testserver.StartReplicaSet(t, testserver.ReplicaSetOptions{})
	const tbl = "test.amysql_cluster_ryw"
	rs.Primary().Exec(t, "CREATE TABLE "+tbl+" (id BIGINT PRIMARY KEY) ENGINE=InnoDB")
	rs.WaitCaughtUp(t)
	for _, r := range rs.Replicas() {
		r.StopSQLThread(t) // every replica stale, none excluded (no MaxReplicaLag)
	}
	for _, ryw := range []bool{false, true} {
		t.Run(fmt.Sprint("ReadYourWrites=", ryw), func(t *testing.T) {
			c := newCluster(t, pool.ClusterConfig{Pool: pool.Config{Conn: replicaSetConfig(t, rs.Addrs()...), MaxSize: 4},
				ReadYourWrites: ryw, CausalWait: 300 * time.Millisecond})
			id := time.Now().UnixNano()
			if _, err := c.Writer().Execute(ctxT(t), "INSERT INTO "+tbl+" VALUES (?)", id); err != nil {
				t.Fatal(err)
			}
			row, err := c.Reader().QueryRow(ctxT(t), "SELECT COUNT(*) FROM "+tbl+" WHERE id = ?", id)
			if err != nil {
				t.Fatal(err)
			}
			if seen := row[0] == int64(1); seen != ryw {
				t.Errorf("the read after the write saw it: %v, want %v", seen, ryw)
			}
		})
	}
	for _, r := range rs.Replicas() {
		r.StartSQLThread(t)
	}
	c := newCluster(t, pool.ClusterConfig{Pool: pool.Config{Conn: replicaSetConfig(t, rs.Addrs()...), MaxSize: 4},
		ReadYourWrites: true, CausalWait: 2 * time.Second})
	for i := 0; i < 20; i++ {
		id := time.Now().UnixNano()
		if _, err := c.Writer().Execute(ctxT(t), "INSERT INTO "+tbl+" VALUES (?)", id); err != nil {
			t.Fatal(err)
		}
		row, err := c.Reader().QueryRow(ctxT(t), "SELECT COUNT(*), @@server_id FROM "+tbl+" WHERE id = ?", id)
		if err != nil || row[0] != int64(1) {
			t.Fatalf("read %d after its write: %v, %v", i, row, err)
		}
		if int64(row[1].(uint64)) == int64(rs.Primary().ServerID) {
			t.Errorf("read %d went to the primary although the replicas caught up within CausalWait", i)
		}
	}
}

func TestGaleraClusterWriterSurvivesANodeLoss(t *testing.T) {
	g := testserver.StartGalera(t, testserver.GaleraOptions{})
	const tbl = "test.amysql_galera"
	g.Nodes[0].Exec(t, "CREATE TABLE "+tbl+" (id BIGINT PRIMARY KEY) ENGINE=InnoDB")
	cfg := replicaSetConfig(t, g.Addrs()...)
	c := newCluster(t, pool.ClusterConfig{Pool: pool.Config{Conn: cfg, MaxSize: 8}, CheckPeriod: 250 * time.Millisecond})
	st := c.Stat()
	if !st.Galera || st.Writer != g.Nodes[0].Addr() {
		t.Fatalf("Stat = %+v: want Galera with the first node writing", st)
	}
	for _, n := range st.Nodes {
		if n.Role != "galera" || n.Readable == n.Writer {
			t.Errorf("node %s: role %q, readable %v, writer %v", n.Addr, n.Role, n.Readable, n.Writer)
		}
	}
	stop := make(chan struct{})
	acked, errs := writers(context.Background(), c.Writer(), tbl, 8, stop)
	time.Sleep(500 * time.Millisecond)
	lost := g.Nodes[0]
	lost.Kill9()
	killed := time.Now()
	g.WaitPrimary(t) // the survivors form a new primary component
	formed := time.Now()
	for {
		_, err := c.Writer().Execute(ctxT(t), "INSERT INTO "+tbl+" VALUES (?)", -time.Now().UnixNano())
		if err == nil {
			break
		}
		if time.Since(formed) > time.Second {
			t.Fatalf("no write within 1 s of the survivors' primary component: %v", err)
		}
	}
	resumed := time.Since(formed)
	time.Sleep(300 * time.Millisecond)
	close(stop)
	ids, seen := acked(), errs()
	for _, n := range g.Running() {
		have := idsOnAddr(t, n.Addr(), tbl)
		for _, id := range ids {
			if !have[id] {
				t.Fatalf("acknowledged insert %d is missing on %s", id, n.Name)
			}
		}
	}
	for _, err := range seen {
		if !typed(err) {
			t.Errorf("an untyped error: %v", err)
		}
	}
	t.Logf("galera: node killed; survivors formed a primary component %v later; writes resumed %v after that; %d acknowledged inserts on every survivor; %d errors in flight",
		formed.Sub(killed).Round(time.Millisecond), resumed.Round(time.Millisecond), len(ids), len(seen))

	lost.Restart(t)
	deadline := time.Now().Add(10 * time.Second)
	for !nodeStat(c, lost.Addr()).Readable {
		if time.Now().After(deadline) {
			t.Fatalf("the node that rejoined gets no reads: %+v", nodeStat(c, lost.Addr()))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestInTxRetriesAGaleraCertificationConflict(t *testing.T) {
	g := testserver.StartGalera(t, testserver.GaleraOptions{})
	const tbl = "test.amysql_cert"
	g.Nodes[0].Exec(t, "CREATE TABLE "+tbl+" (id INT PRIMARY KEY, v INT) ENGINE=InnoDB", "INSERT INTO "+tbl+" VALUES (1, 0)")
	g.WaitPrimary(t)
	open := func(addr string, retries int) *pool.Pool {
		p, err := pool.New(pool.Config{Conn: replicaSetConfig(t, addr), MaxSize: 2, TxRetries: retries})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		return p
	}
	for _, retries := range []int{0, 3} {
		t.Run(fmt.Sprint("TxRetries=", retries), func(t *testing.T) {
			a, b := open(g.Nodes[1].Addr(), retries), open(g.Nodes[2].Addr(), 0)
			runs := 0
			err := a.InTx(ctxT(t), func(c *pool.Conn) error {
				runs++
				if _, err := c.Cursor().Execute(ctxT(t), "UPDATE "+tbl+" SET v = v + 1 WHERE id = 1"); err != nil {
					return err
				}
				if runs == 1 { // another node commits a change of the same row first
					if _, err := b.Execute(ctxT(t), "UPDATE "+tbl+" SET v = v + 10 WHERE id = 1"); err != nil {
						return err
					}
				}
				return nil
			})
			if retries == 0 {
				var se *proto.Error
				if !errors.As(err, &se) || se.Code != proto.ErLockDeadlock || !actor.SafeToRetry(err) {
					t.Fatalf("the conflicting transaction: %v, want 1213 (SafeToRetry)", err)
				}
				return
			}
			if err != nil || runs != 2 {
				t.Fatalf("InTx = %v after %d runs, want success on the second", err, runs)
			}
		})
	}
}

// idsOnAddr returns the ids in tbl on the server at addr.
func idsOnAddr(t *testing.T, addr, tbl string) map[int64]bool {
	t.Helper()
	c, err := actor.Connect(ctxT(t), replicaSetConfig(t, addr))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cur := c.Cursor()
	if _, err := cur.Execute(ctxT(t), "SELECT id FROM "+tbl); err != nil {
		t.Fatal(err)
	}
	have := map[int64]bool{}
	for cur.Next(ctxT(t)) {
		var id int64
		cur.Scan(&id)
		have[id] = true
	}
	return have
}
