package pool_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/pool"
	"github.com/amysql/amysql/proto"
)

// replicaSetConfig is the connection configuration of user amysql on
// every node of rs, in Hosts order hosts.
func replicaSetConfig(t testing.TB, hosts ...string) actor.Config {
	t.Helper()
	return actor.Config{User: "amysql", Password: "tq7-Secret-pw", DB: "test", Hosts: hosts,
		ConnectTimeout: 2 * time.Second, CancelTimeout: 2 * time.Second}
}

// serverID reads the server a connection reached.
func serverID(t testing.TB, c interface {
	Cursor(...actor.CursorKind) *actor.Cursor
}) int64 {
	t.Helper()
	cur := c.Cursor()
	if _, err := cur.Execute(ctxT(t), "SELECT @@server_id"); err != nil {
		t.Fatal(err)
	}
	row, err := cur.FetchOne(ctxT(t))
	if err != nil || row == nil {
		t.Fatalf("@@server_id: %v %v", row, err)
	}
	return int64(row[0].(uint64))
}

func deadAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestTargetsReachTheServerOfTheirRole(t *testing.T) {
	rs := testserver.StartReplicaSet(t, testserver.ReplicaSetOptions{})
	primary, replica := rs.Primary(), rs.Replicas()[0]
	hosts := []string{deadAddr(t), replica.Addr(), primary.Addr()}
	tests := []struct {
		target actor.Target
		want   int
	}{
		{actor.TargetAny, replica.ServerID},
		{actor.TargetPrimary, primary.ServerID},
		{actor.TargetReplica, replica.ServerID},
		{actor.TargetPreferReplica, replica.ServerID},
	}
	for _, tt := range tests {
		t.Run(tt.target.String(), func(t *testing.T) {
			cfg := replicaSetConfig(t, hosts...)
			cfg.Target = tt.target
			c, err := actor.Connect(ctxT(t), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if got := serverID(t, c); got != int64(tt.want) {
				t.Errorf("server_id %d, want %d", got, tt.want)
			}
		})
	}
	t.Run("prefer-replica without replicas", func(t *testing.T) {
		cfg := replicaSetConfig(t, deadAddr(t), primary.Addr())
		cfg.Target = actor.TargetPreferReplica
		c, err := actor.Connect(ctxT(t), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if got := serverID(t, c); got != int64(primary.ServerID) {
			t.Errorf("server_id %d, want the primary's %d", got, primary.ServerID)
		}
	})
	t.Run("replica without replicas", func(t *testing.T) {
		cfg := replicaSetConfig(t, deadAddr(t), primary.Addr())
		cfg.Target = actor.TargetReplica
		_, err := actor.Connect(ctxT(t), cfg)
		var ce *actor.ConnectError
		if !errors.As(err, &ce) || len(ce.Hosts) != 2 || !errors.Is(ce.Hosts[1].Err, actor.ErrWrongRole) {
			t.Errorf("Connect = %v, want a ConnectError naming the primary's wrong role", err)
		}
	})
}

// writers inserts unique ids through p from n goroutines until stop is
// closed, and returns the ids whose insert was acknowledged and every
// error seen.
func writers(ctx context.Context, p *pool.Pool, tbl string, n int, stop <-chan struct{}) (acked func() []int64, errs func() []error) {
	var mu sync.Mutex
	var ids []int64
	var seen []error
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				id := next.Add(1)
				octx, cancel := context.WithTimeout(ctx, 5*time.Second)
				_, err := p.Execute(octx, "INSERT INTO "+tbl+" (id) VALUES (?)", id)
				cancel()
				mu.Lock()
				if err == nil {
					ids = append(ids, id)
				} else {
					seen = append(seen, err)
				}
				mu.Unlock()
				if err != nil {
					time.Sleep(5 * time.Millisecond)
				}
			}
		}()
	}
	done := func() { wg.Wait() }
	return func() []int64 {
			done()
			mu.Lock()
			defer mu.Unlock()
			return append([]int64(nil), ids...)
		}, func() []error {
			done()
			mu.Lock()
			defer mu.Unlock()
			return append([]error(nil), seen...)
		}
}

// idsOn returns the ids in tbl on node.
func idsOn(t *testing.T, node *testserver.ReplicaNode, tbl string) map[int64]bool {
	t.Helper()
	return idsOnAddr(t, node.Addr(), tbl)
}

func TestAPrimaryPoolFollowsTheNewPrimaryAfterACrash(t *testing.T) {
	rs := testserver.StartReplicaSet(t, testserver.ReplicaSetOptions{SemiSyncTimeout: 30 * time.Second})
	const tbl = "test.amysql_crash"
	rs.Primary().Exec(t, "CREATE TABLE "+tbl+" (id BIGINT PRIMARY KEY) ENGINE=InnoDB")
	rs.WaitCaughtUp(t)
	cfg := replicaSetConfig(t, rs.Addrs()...)
	cfg.Target = actor.TargetPrimary
	before := runtime.NumGoroutine()
	p, err := pool.New(pool.Config{Conn: cfg, MinSize: 4, MaxSize: 16, FailoverWait: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	acked, errs := writers(context.Background(), p, tbl, 16, stop)
	time.Sleep(500 * time.Millisecond)

	old := rs.Primary()
	old.Kill9()
	// An Acquire while there is no primary waits for one instead of
	// failing at once.
	type acquired struct {
		c   *pool.Conn
		err error
		at  time.Time
	}
	waiting := make(chan acquired, 1)
	go func() {
		c, err := p.Acquire(ctxT(t))
		waiting <- acquired{c, err, time.Now()}
	}()
	time.Sleep(500 * time.Millisecond) // the orchestrator notices
	next := rs.MostAdvancedReplica(t)
	next.Promote(t)
	promoted := time.Now()
	a := <-waiting
	if a.err != nil {
		t.Fatalf("an Acquire during the failover failed: %v", a.err)
	}
	if a.at.Before(promoted) {
		t.Logf("the waiting Acquire returned before the promotion finished")
	}
	if got := serverID(t, a.c); got != int64(next.ServerID) {
		t.Errorf("the waiting Acquire got server %d, want the new primary %d", got, next.ServerID)
	}
	a.c.Release()
	// Writes succeed again within 2 s of the promotion.
	deadline := promoted.Add(2 * time.Second)
	for {
		cctx, cancel := context.WithTimeout(ctxT(t), time.Until(deadline))
		_, err := p.Execute(cctx, "INSERT INTO "+tbl+" (id) VALUES (?)", -1-time.Now().UnixNano()%1e9)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no write succeeded within 2 s of the promotion: %v", err)
		}
	}
	recovered := time.Since(promoted)
	time.Sleep(300 * time.Millisecond)
	close(stop)
	ids, seen := acked(), errs()
	p.Close()
	p.WaitClosed(ctxT(t))

	have := idsOn(t, next, tbl)
	missing := 0
	for _, id := range ids {
		if !have[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged inserts are not on the new primary", missing, len(ids))
	}
	for _, err := range seen {
		if !typed(err) {
			t.Errorf("an untyped error during the failover: %T %v", err, err)
		}
	}
	t.Logf("failover: writes resumed %v after the promotion; %d inserts acknowledged, all on server %d; %d errors in flight",
		recovered.Round(time.Millisecond), len(ids), next.ServerID, len(seen))
	waitGoroutines(t, before)
}

func TestAPlannedSwitchoverMovesThePoolWithinOneHealthCheck(t *testing.T) {
	rs := testserver.StartReplicaSet(t, testserver.ReplicaSetOptions{})
	const tbl = "test.amysql_switch"
	rs.Primary().Exec(t, "CREATE TABLE "+tbl+" (id BIGINT PRIMARY KEY) ENGINE=InnoDB")
	rs.WaitCaughtUp(t)
	const period = 500 * time.Millisecond
	wcfg := replicaSetConfig(t, rs.Addrs()...)
	wcfg.Target = actor.TargetPrimary
	writer, err := pool.New(pool.Config{Conn: wcfg, MinSize: 4, MaxSize: 8, HealthCheckPeriod: period})
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	old, next := rs.Primary(), rs.Replicas()[0]
	rcfg := replicaSetConfig(t, rs.Replicas()[1].Addr()) // a replica that stays one
	reader, err := pool.New(pool.Config{Conn: rcfg, MinSize: 2, MaxSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()

	stop := make(chan struct{})
	acked, errs := writers(context.Background(), writer, tbl, 4, stop)
	var readErrs atomic.Int64
	var rwg sync.WaitGroup
	rwg.Add(1)
	go func() {
		defer rwg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := reader.QueryRow(ctxT(t), "SELECT COUNT(*) FROM "+tbl); err != nil {
				readErrs.Add(1)
			}
		}
	}()
	time.Sleep(300 * time.Millisecond)
	next.Promote(t) // read_only on the old primary, then the new one takes over
	switched := time.Now()
	time.Sleep(period + 500*time.Millisecond)
	close(stop)
	rwg.Wait()
	ids, seen := acked(), errs()

	var readOnly int
	for _, err := range seen {
		var se *proto.Error
		if errors.As(err, &se) && se.Code == proto.ErOptionPreventsStatement {
			readOnly++
			continue
		}
		t.Errorf("a write failed other than with 1290 (read-only): %v", err)
	}
	if readOnly > 4 {
		t.Errorf("%d writes failed with 1290: more than the 4 that can be in flight", readOnly)
	}
	if n := readErrs.Load(); n != 0 {
		t.Errorf("%d reads failed during the switchover", n)
	}
	c, err := writer.Acquire(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := serverID(t, c); got != int64(next.ServerID) {
		t.Errorf("%v after the switchover the writer pool is on server %d, want %d", time.Since(switched), got, next.ServerID)
	}
	c.Release()
	have := idsOn(t, next, tbl)
	for _, id := range ids {
		if !have[id] {
			t.Fatalf("acknowledged insert %d is not on the new primary", id)
		}
	}
	t.Logf("switchover: %d inserts acknowledged, %d refused with 1290, the old primary (server %d) left", len(ids), readOnly, old.ServerID)
}

func TestCancelUnderSeveralHostsKillsOnTheRightServer(t *testing.T) {
	rs := testserver.StartReplicaSet(t, testserver.ReplicaSetOptions{})
	nodes := []*testserver.ReplicaNode{rs.Primary(), rs.Replicas()[0]}
	ids := make([]uint32, 2)
	for i, n := range nodes {
		c, err := actor.Connect(ctxT(t), replicaSetConfig(t, n.Addr()))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = c.ThreadID()
		c.Close()
	}
	// The connection goes on the server whose thread ids run ahead, second
	// in its host list; on the other, first in the list, a bystander gets
	// the same thread id.
	on, other, target := nodes[1], nodes[0], actor.TargetReplica
	if ids[1] < ids[0] {
		on, other, target = nodes[0], nodes[1], actor.TargetPrimary
	}
	cfg := replicaSetConfig(t, other.Addr(), on.Addr())
	cfg.Target = target
	c, err := actor.Connect(ctxT(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var bystander *actor.Conn
	for i := 0; i < 1000 && bystander == nil; i++ {
		b, err := actor.Connect(ctxT(t), replicaSetConfig(t, other.Addr()))
		if err != nil {
			t.Fatal(err)
		}
		if b.ThreadID() == c.ThreadID() {
			bystander = b
			break
		}
		b.Close()
		if b.ThreadID() > c.ThreadID() {
			t.Fatalf("thread id %d on the other server went past %d", b.ThreadID(), c.ThreadID())
		}
	}
	if bystander == nil {
		t.Fatal("no session on the other server got the connection's thread id")
	}
	defer bystander.Close()
	go bystander.Cursor().Execute(ctxT(t), "SELECT SLEEP(3)")
	time.Sleep(100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(ctxT(t), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.Cursor().Execute(ctx, "SELECT SLEEP(10)"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Execute = %v", err)
	}
	running := func(node *testserver.ReplicaNode, id uint32) string {
		return node.Query(t, fmt.Sprintf("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = %d AND INFO LIKE 'SELECT SLEEP%%'", id))
	}
	for running(on, c.ThreadID()) != "0" {
		if time.Since(start) > 2*time.Second {
			t.Fatal("the cancelled statement still runs on its server")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if running(other, bystander.ThreadID()) != "1" {
		t.Error("the kill reached the session with the same thread id on the other server")
	}
}
