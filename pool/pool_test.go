package pool_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/pool"
	"github.com/amysql/amysql/proto"
)

func connConfig(t testing.TB) actor.Config {
	t.Helper()
	cfg, err := actor.ParseDSN(testserver.FromEnv(t).DSN)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func newPool(t testing.TB, mod func(*pool.Config)) *pool.Pool {
	t.Helper()
	cfg := pool.Config{Conn: connConfig(t), MinSize: 1, MaxSize: 4}
	if mod != nil {
		mod(&cfg)
	}
	p, err := pool.New(cfg)
	if err != nil {
		t.Fatalf("pool.New: %v", err)
	}
	t.Cleanup(func() {
		p.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.WaitClosed(ctx); err != nil {
			t.Errorf("WaitClosed: %v", err)
		}
	})
	return p
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestNewOpensMinSizeEagerly(t *testing.T) {
	p := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize = 3, 5 })
	if p.Size() != 3 || p.FreeSize() != 3 || p.MinSize() != 3 || p.MaxSize() != 5 {
		t.Errorf("Size=%d FreeSize=%d Min=%d Max=%d, want 3 3 3 5", p.Size(), p.FreeSize(), p.MinSize(), p.MaxSize())
	}
}

func TestNewFailsClearlyWhenTheServerIsUnreachable(t *testing.T) {
	cfg := pool.Config{Conn: actor.Config{Host: "127.0.0.1", Port: 1, User: "x", ConnectTimeout: time.Second}, MinSize: 1}
	_, err := pool.New(cfg)
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("New against a closed port = %v", err)
	}
}

func TestInvalidSizesAreErrors(t *testing.T) {
	for _, cfg := range []pool.Config{
		{MinSize: -1}, {MinSize: 5, MaxSize: 2}, {MaxSize: -5}, {AcquireTimeout: -time.Second},
	} {
		if _, err := pool.New(cfg); !errors.Is(err, pool.ErrConfig) {
			t.Errorf("New(%+v) = %v, want ErrConfig", cfg, err)
		}
	}
}

func TestConcurrentLoadOnASmallPool(t *testing.T) {
	before := runtime.NumGoroutine()
	cfg := pool.Config{Conn: connConfig(t), MinSize: 2, MaxSize: 8}
	p, err := pool.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const workers, ops = 200, 50
	var wg sync.WaitGroup
	var failures atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < ops; i++ {
				c, err := p.Acquire(context.Background())
				if err != nil {
					failures.Add(1)
					t.Error(err)
					return
				}
				cur := c.Cursor()
				want := int64(w*1000 + i)
				_, err = cur.Execute(context.Background(), "SELECT ?", want)
				var row []any
				if err == nil {
					row, err = cur.FetchOne(context.Background())
				}
				if err != nil || row[0] != want {
					failures.Add(1)
					t.Errorf("worker %d op %d: %v %v", w, i, row, err)
				}
				c.Release()
			}
		}(w)
	}
	wg.Wait()
	st := p.Stat()
	if failures.Load() != 0 {
		t.Fatalf("%d failed operations", failures.Load())
	}
	if st.AcquireCount != workers*ops {
		t.Errorf("AcquireCount = %d, want %d", st.AcquireCount, workers*ops)
	}
	if st.Total > 8 || st.Acquired != 0 || st.Idle != st.Total {
		t.Errorf("after load: %+v", st)
	}
	if st.NewConns-st.DestroyedTotal() != int64(st.Total) {
		t.Errorf("NewConns %d - destroyed %d != total %d", st.NewConns, st.DestroyedTotal(), st.Total)
	}
	if st.EmptyAcquireCount == 0 {
		t.Error("200 workers on 8 connections never waited")
	}
	p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.WaitClosed(ctx); err != nil {
		t.Fatal(err)
	}
	if p.Size() != 0 {
		t.Errorf("Size after WaitClosed = %d", p.Size())
	}
	waitGoroutines(t, before)
}

// waitGoroutines fails the test when goroutines started by it linger.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), before, buf[:n])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestReleaseIsIdempotent(t *testing.T) {
	p := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize = 1, 1 })
	c, err := p.Acquire(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	c.Release()
	c2, err := p.Acquire(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	c.Release() // a stale second release must not return c2's connection
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if c3, err := p.Acquire(ctx); err == nil {
		c3.Release()
		t.Fatal("a second Release of a stale handle freed a connection in use")
	}
	c2.Release()
}

func TestDirtyReleaseRollsBackTheTransaction(t *testing.T) {
	p := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize = 1, 1 })
	ctx := ctxT(t)
	if _, err := p.Execute(ctx, "CREATE TABLE IF NOT EXISTS amysql_pool_dirty (id INT PRIMARY KEY) ENGINE=InnoDB"); err != nil {
		t.Fatal(err)
	}
	p.Execute(ctx, "DELETE FROM amysql_pool_dirty")
	t.Cleanup(func() { p.Execute(context.Background(), "DROP TABLE IF EXISTS amysql_pool_dirty") })
	c, _ := p.Acquire(ctx)
	if err := c.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Cursor().Execute(ctx, "INSERT INTO amysql_pool_dirty VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	thread := c.ThreadID()
	c.Release() // no commit
	c2, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Release()
	if c2.ThreadID() != thread {
		t.Logf("connection was replaced (thread %d -> %d)", thread, c2.ThreadID())
	}
	if c2.InTransaction() {
		t.Error("next user got an open transaction")
	}
	cur := c2.Cursor()
	cur.Execute(ctx, "SELECT COUNT(*) FROM amysql_pool_dirty")
	row, _ := cur.FetchOne(ctx)
	if row[0] != int64(0) {
		t.Errorf("uncommitted row is visible: count %v", row[0])
	}
}

func TestHalfReadStreamIsDrainedOnRelease(t *testing.T) {
	p := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize = 1, 1 })
	ctx := ctxT(t)
	c, _ := p.Acquire(ctx)
	ss := c.Cursor(actor.SSCursor)
	if _, err := ss.Execute(ctx, "SELECT seq FROM seq_1_to_100000"); err != nil {
		t.Fatal(err)
	}
	ss.FetchOne(ctx)
	c.Release()
	c2, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Release()
	if c2.HasPendingResult() {
		t.Error("next user got a connection with an unread result")
	}
	cur := c2.Cursor()
	cur.Execute(ctx, "SELECT 'clean'")
	if row, _ := cur.FetchOne(ctx); row[0] != "clean" {
		t.Errorf("next user read %v", row)
	}
}

func TestResetOnReleaseClearsSessionState(t *testing.T) {
	p := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize, c.ResetOnRelease = 1, 1, true })
	ctx := ctxT(t)
	c, _ := p.Acquire(ctx)
	c.Cursor().Execute(ctx, "SET @leak = 'secret'")
	c.Release()
	row, err := p.QueryRow(ctx, "SELECT @leak")
	if err != nil || row[0] != nil {
		t.Errorf("@leak = %v, %v; want NULL", row, err)
	}
}

func TestAcquireHonoursContextAndTimeout(t *testing.T) {
	p := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize = 1, 1 })
	held, _ := p.Acquire(ctxT(t))
	defer held.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := p.Acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Acquire on an exhausted pool = %v", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Acquire returned after %v", d)
	}
	pt := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize, c.AcquireTimeout = 1, 1, 30*time.Millisecond })
	h2, _ := pt.Acquire(ctxT(t))
	defer h2.Release()
	if _, err := pt.Acquire(context.Background()); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Acquire past AcquireTimeout = %v", err)
	}
	if st := p.Stat(); st.CanceledAcquireCount != 1 {
		t.Errorf("CanceledAcquireCount = %d", st.CanceledAcquireCount)
	}
}

func TestWaitersAreWokenWhenAConnectionIsDestroyed(t *testing.T) {
	p := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize = 1, 1 })
	c, _ := p.Acquire(ctxT(t))
	got := make(chan error, 1)
	go func() {
		c2, err := p.Acquire(ctxT(t))
		if err == nil {
			c2.Release()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	c.Close() // broken: Release destroys it, and the waiter gets a new one
	c.Release()
	select {
	case err := <-got:
		if err != nil {
			t.Errorf("waiter: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waiter not woken after its connection was destroyed")
	}
}

func TestQueryCancellationOnAPooledConnection(t *testing.T) {
	p := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize = 1, 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.Execute(ctx, "SELECT SLEEP(5)"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Execute = %v", err)
	}
	row, err := p.QueryRow(ctxT(t), "SELECT 1")
	if err != nil || row[0] != int64(1) {
		t.Errorf("after cancellation: %v, %v", row, err)
	}
}

func TestInTxCommitsOrRollsBack(t *testing.T) {
	p := newPool(t, nil)
	ctx := ctxT(t)
	p.Execute(ctx, "CREATE TABLE IF NOT EXISTS amysql_pool_tx (id INT PRIMARY KEY) ENGINE=InnoDB")
	p.Execute(ctx, "DELETE FROM amysql_pool_tx")
	t.Cleanup(func() { p.Execute(context.Background(), "DROP TABLE IF EXISTS amysql_pool_tx") })
	insert := func(id int) func(*pool.Conn) error {
		return func(c *pool.Conn) error {
			_, err := c.Cursor().Execute(ctx, "INSERT INTO amysql_pool_tx VALUES (?)", id)
			return err
		}
	}
	if err := p.InTx(ctx, insert(1)); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := p.InTx(ctx, func(c *pool.Conn) error { insert(2)(c); return boom }); !errors.Is(err, boom) {
		t.Errorf("InTx error = %v", err)
	}
	func() {
		defer func() { recover() }()
		p.InTx(ctx, func(c *pool.Conn) error { insert(3)(c); panic("in tx") })
	}()
	rows, err := p.FetchAll(ctx, "SELECT id FROM amysql_pool_tx ORDER BY id")
	if err != nil || len(rows) != 1 || rows[0][0] != int64(1) {
		t.Errorf("rows = %v, %v; want only the committed id 1", rows, err)
	}
	var n int64
	if err := p.QueryRowScan(ctx, "SELECT COUNT(*) FROM amysql_pool_tx WHERE id > ?", []any{0}, &n); err != nil || n != 1 {
		t.Errorf("QueryRowScan = %d, %v", n, err)
	}
	if _, err := p.QueryRow(ctx, "SELECT 1 FROM amysql_pool_tx WHERE id = 99"); !errors.Is(err, pool.ErrNoRows) {
		t.Errorf("QueryRow with no rows = %v", err)
	}
}

func TestHooksRun(t *testing.T) {
	var connects, acquires, releases, closes atomic.Int64
	p := newPool(t, func(c *pool.Config) {
		c.MinSize, c.MaxSize = 1, 2
		c.AfterConnect = func(ctx context.Context, conn *actor.Conn) error {
			connects.Add(1)
			_, err := conn.Cursor().Execute(ctx, "SET @hooked = 1")
			return err
		}
		c.BeforeAcquire = func(context.Context, *actor.Conn) bool { acquires.Add(1); return true }
		c.AfterRelease = func(*actor.Conn) bool { releases.Add(1); return releases.Load() != 2 }
		c.BeforeClose = func(*actor.Conn) { closes.Add(1) }
	})
	for i := 0; i < 3; i++ {
		row, err := p.QueryRow(ctxT(t), "SELECT @hooked")
		if err != nil || row[0] != int64(1) {
			t.Fatalf("AfterConnect state missing: %v %v", row, err)
		}
	}
	// Connections are closed on puddle's destroy goroutine: wait for it.
	for end := time.Now().Add(2 * time.Second); closes.Load() == 0 && time.Now().Before(end); {
		time.Sleep(5 * time.Millisecond)
	}
	if connects.Load() != 2 || acquires.Load() != 3 || releases.Load() != 3 || closes.Load() != 1 {
		t.Errorf("connects=%d acquires=%d releases=%d closes=%d, want 2 3 3 1 (second release rejected)",
			connects.Load(), acquires.Load(), releases.Load(), closes.Load())
	}
	if d := p.Stat().Destroyed["hook"]; d != 1 {
		t.Errorf("Destroyed[hook] = %d", d)
	}
}

func TestClearAndLifetimes(t *testing.T) {
	p := newPool(t, func(c *pool.Config) {
		c.MinSize, c.MaxSize = 2, 4
		c.MaxConnLifetime = 100 * time.Millisecond
	})
	if err := p.Clear(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if p.FreeSize() != 0 {
		t.Errorf("FreeSize after Clear = %d", p.FreeSize())
	}
	p.CheckHealth() // restores MinSize
	if p.Size() != 2 {
		t.Errorf("Size after health check = %d, want MinSize 2", p.Size())
	}
	time.Sleep(150 * time.Millisecond)
	// Health passes are periodic; one may not reach a connection while
	// the cleared ones are still closing, the next does.
	for end := time.Now().Add(time.Second); ; {
		p.CheckHealth()
		if p.Stat().Destroyed["lifetime"] >= 2 || time.Now().After(end) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	st := p.Stat()
	if st.Destroyed["lifetime"] != 2 || st.Destroyed["cleared"] != 2 || p.Size() != 2 {
		t.Errorf("after expiry: %+v size %d", st.Destroyed, p.Size())
	}
}

func TestRecycleReplacesConnectionsUnusedTooLong(t *testing.T) {
	p := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize, c.Recycle = 1, 1, 50*time.Millisecond })
	c, _ := p.Acquire(ctxT(t))
	first := c.ThreadID()
	c.Release()
	time.Sleep(80 * time.Millisecond)
	c, err := p.Acquire(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	if c.ThreadID() == first {
		t.Error("connection unused past Recycle was handed out again")
	}
}

func TestConnectionKilledWhileIdleIsReplacedSilently(t *testing.T) {
	p := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize = 2, 2 })
	admin, err := actor.Connect(ctxT(t), connConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	a, _ := p.Acquire(ctxT(t))
	b, _ := p.Acquire(ctxT(t))
	ids := []uint32{a.ThreadID(), b.ThreadID()}
	a.Release()
	b.Release()
	for _, id := range ids {
		if err := admin.Kill(ctxT(t), id); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond) // let the server close the sockets
	for i := 0; i < 4; i++ {
		if _, err := p.QueryRow(ctxT(t), "SELECT 1"); err != nil {
			t.Fatalf("query %d after idle connections were killed: %v", i, err)
		}
	}
	if st := p.Stat(); st.Destroyed["broken"] < 2 {
		t.Errorf("Destroyed = %v, want the 2 killed connections counted as broken", st.Destroyed)
	}
}

// The socket peek on acquire is skipped only for a connection whose last
// command ended within PeekIdle. Past it, a connection the server killed
// while it sat idle is replaced before anyone sees it; with a PeekIdle
// longer than the idle time (and no ping), the dead connection reaches the
// caller, whose query fails with a typed bad-connection error.
func TestPeekIdleDecidesWhetherAKilledIdleConnectionIsSeen(t *testing.T) {
	tests := []struct {
		name     string
		peekIdle time.Duration
		replaced bool
	}{
		{"default (1ms)", 0, true},
		{"every acquire", -1, true},
		{"longer than the idle time", time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t, func(c *pool.Config) {
				c.MinSize, c.MaxSize = 1, 1
				c.PeekIdle, c.PingIdle = tt.peekIdle, -1
			})
			admin, err := actor.Connect(ctxT(t), connConfig(t))
			if err != nil {
				t.Fatal(err)
			}
			defer admin.Close()
			c, err := p.Acquire(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			id := c.ThreadID()
			c.Release()
			if err := admin.Kill(ctxT(t), id); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond) // let the server close the socket
			_, err = p.QueryRow(ctxT(t), "SELECT 1")
			switch {
			case tt.replaced && err != nil:
				t.Fatalf("query after the idle connection was killed: %v", err)
			case !tt.replaced && !actor.IsBadConn(err):
				t.Fatalf("query on the killed connection = %v, want a bad-connection error", err)
			}
			if got := p.Stat().Destroyed["broken"]; tt.replaced && got != 1 {
				t.Errorf("Destroyed[broken] = %d, want the killed connection", got)
			}
		})
	}
}

func TestTerminateClosesConnectionsInUse(t *testing.T) {
	cfg := pool.Config{Conn: connConfig(t), MinSize: 1, MaxSize: 2}
	p, err := pool.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := p.Acquire(ctxT(t))
	p.Terminate()
	if !c.Closed() {
		t.Error("connection in use still open after Terminate")
	}
	if _, err := p.Acquire(ctxT(t)); !errors.Is(err, pool.ErrClosed) {
		t.Errorf("Acquire after Terminate = %v", err)
	}
	c.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.WaitClosed(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestWaitClosedWaitsForConnectionsInUse(t *testing.T) {
	cfg := pool.Config{Conn: connConfig(t), MinSize: 1, MaxSize: 2}
	p, _ := pool.New(cfg)
	c, _ := p.Acquire(ctxT(t))
	p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := p.WaitClosed(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitClosed with a connection out = %v", err)
	}
	// The connection still works until it is released.
	if err := c.Ping(ctxT(t)); err != nil {
		t.Errorf("Ping on a held connection of a closing pool: %v", err)
	}
	c.Release()
	if err := p.WaitClosed(ctxT(t)); err != nil {
		t.Errorf("WaitClosed after release = %v", err)
	}
	if !c.Closed() {
		t.Error("released connection of a closed pool is still open")
	}
}

func ExamplePool_InTx() {
	cfg, err := pool.ParseConfig("root@tcp(127.0.0.1:3306)/test?minsize=1&maxsize=8")
	if err != nil {
		panic(err)
	}
	p, err := pool.New(cfg)
	if err != nil {
		panic(err)
	}
	defer p.Close()
	ctx := context.Background()
	err = p.InTx(ctx, func(c *pool.Conn) error {
		_, err := c.Cursor().Execute(ctx, "UPDATE accounts SET balance = balance - ? WHERE id = ?", 10, 1)
		return err
	})
	fmt.Println(err)
}

func errorsIs(err, target error) bool     { return errors.Is(err, target) }
func errorsAs(err error, target any) bool { return errors.As(err, target) }
func isServer(err error) bool {
	var se *proto.Error
	return errors.As(err, &se)
}

// With SpinWait set, a pool's connections share one SpinGroup (so only a
// lone waiting command spins) unless the caller gave one; without it
// there is none. Queries answer either way.
func TestPoolConnectionsShareOneSpinGroup(t *testing.T) {
	mine := new(actor.SpinGroup)
	cases := []struct {
		name  string
		spin  time.Duration
		group *actor.SpinGroup
		want  func(*actor.SpinGroup) bool
	}{
		{"no spinning, no group", 0, nil, func(g *actor.SpinGroup) bool { return g == nil }},
		{"spinning: the pool's own group", 50 * time.Microsecond, nil, func(g *actor.SpinGroup) bool { return g != nil && g != mine }},
		{"spinning: the caller's group kept", 50 * time.Microsecond, mine, func(g *actor.SpinGroup) bool { return g == mine }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newPool(t, func(c *pool.Config) { c.Conn.SpinWait, c.Conn.SpinGroup = tc.spin, tc.group })
			if g := p.Config().Conn.SpinGroup; !tc.want(g) {
				t.Errorf("pool's SpinGroup = %p (caller's %p)", g, mine)
			}
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 25 {
						row, err := p.QueryRow(ctxT(t), "SELECT ?", w*100+i)
						if err != nil || row[0] != int64(w*100+i) {
							t.Errorf("SELECT %d = %v, %v", w*100+i, row, err)
							return
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}
