package actor_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
)

// testConfig returns the configuration of the test server.
func testConfig(t testing.TB) actor.Config {
	t.Helper()
	return targetConfig(t, testserver.FromEnv(t))
}

func targetConfig(t testing.TB, tg testserver.Target) actor.Config {
	t.Helper()
	cfg, err := actor.ParseDSN(tg.DSN)
	if err != nil {
		t.Fatalf("test DSN: %v", err)
	}
	return cfg
}

// connect opens a connection to the test server, closed at cleanup.
func connect(t testing.TB, mods ...func(*actor.Config)) *actor.Conn {
	t.Helper()
	cfg := testConfig(t)
	for _, m := range mods {
		m(&cfg)
	}
	return connectCfg(t, cfg)
}

func connectCfg(t testing.TB, cfg actor.Config) *actor.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := actor.Connect(ctx, cfg)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mustExec runs a statement and fails the test on error.
func mustExec(t testing.TB, c *actor.Conn, q string, args ...any) int64 {
	t.Helper()
	n, err := c.Cursor().Execute(ctxT(t), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// queryRow runs q and returns its single row.
func queryRow(t testing.TB, c *actor.Conn, q string, args ...any) []any {
	t.Helper()
	cur := c.Cursor()
	if _, err := cur.Execute(ctxT(t), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	row, err := cur.FetchOne(ctxT(t))
	if err != nil {
		t.Fatalf("%s: fetch: %v", q, err)
	}
	if row == nil {
		t.Fatalf("%s: no row", q)
	}
	return row
}

// tempTable creates a uniquely named table for one test and drops it after.
func tempTable(t testing.TB, c *actor.Conn, name, def string) string {
	t.Helper()
	mustExec(t, c, "DROP TABLE IF EXISTS "+name)
	mustExec(t, c, "CREATE TABLE "+name+" "+def)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if c2, err := actor.Connect(ctx, c.Config()); err == nil {
			c2.Cursor().Execute(ctx, "DROP TABLE IF EXISTS "+name)
			c2.Close()
		}
	})
	return name
}

// connectCounting connects to the test server with a byteCounter as the
// connection's observer.
func connectCounting(t testing.TB) (*actor.Conn, *byteCounter) {
	t.Helper()
	obs := &byteCounter{}
	cfg := testConfig(t)
	cfg.Observer = obs
	return connectCfg(t, cfg), obs
}

// prepareCounting prepares query on a connection observed by a
// byteCounter; the statement is closed when the test ends.
func prepareCounting(t testing.TB, query string) (*actor.Conn, *actor.Stmt, *byteCounter) {
	t.Helper()
	c, obs := connectCounting(t)
	st, err := c.Prepare(ctxT(t), query)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(context.Background()) })
	return c, st, obs
}

// byteCounter is an Observer recording the bytes each command sent and
// received.
type byteCounter struct {
	mu         sync.Mutex
	sent, recv []int64
}

func (b *byteCounter) ObserveCommand(e actor.CommandEvent) {
	b.mu.Lock()
	b.sent = append(b.sent, e.BytesSent)
	b.recv = append(b.recv, e.BytesReceived)
	b.mu.Unlock()
}

// last returns the bytes the latest command sent and received.
func (b *byteCounter) last() (sent, recv int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sent[len(b.sent)-1], b.recv[len(b.recv)-1]
}
