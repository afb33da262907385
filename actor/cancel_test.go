package actor_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
)

// running reports whether the session id runs a statement.
func running(t *testing.T, admin *actor.Conn, id uint32) bool {
	row := queryRow(t, admin, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ? AND COMMAND = 'Query'", id)
	return row[0].(int64) > 0
}

// stopsRunning fails the test unless session id's statement ends on the
// server within d.
func stopsRunning(t *testing.T, admin *actor.Conn, id uint32, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); running(t, admin, id); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the statement still runs on the server %v after cancellation", d)
		}
	}
}

func TestCancelledQueryReturnsPromptlyAndStopsOnServer(t *testing.T) {
	for _, kind := range []actor.CursorKind{actor.TupleCursor, actor.SSCursor} {
		t.Run(kind.String(), func(t *testing.T) {
			c := connect(t)
			admin := connect(t)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.Cursor(kind).Execute(ctx, "SELECT SLEEP(10)")
			elapsed := time.Since(start)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Execute = %v, want context.DeadlineExceeded", err)
			}
			if elapsed > 150*time.Millisecond {
				t.Errorf("cancelled Execute returned after %v, want within 100ms of the 50ms deadline", elapsed)
			}
			stopsRunning(t, admin, c.ThreadID(), time.Second)
			// The same connection answers the next statement correctly.
			if got := queryRow(t, c, "SELECT 1")[0]; got != int64(1) {
				t.Errorf("SELECT 1 after cancellation = %v", got)
			}
			if c.Closed() {
				t.Error("connection closed after a recoverable cancellation")
			}
		})
	}
}

func TestAlreadyCancelledContextSendsNothing(t *testing.T) {
	c := connect(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Cursor().Execute(ctx, "SELECT 1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Execute with a cancelled ctx = %v", err)
	}
	if got := queryRow(t, c, "SELECT 2")[0]; got != int64(2) {
		t.Errorf("next statement = %v", got)
	}
}

func TestCancelMidStreamKeepsConnectionInSync(t *testing.T) {
	c := connect(t)
	ctx := ctxT(t)
	ss := c.Cursor(actor.SSCursor)
	// A slow stream: each row sleeps a little. Rows are wide so the
	// server's 16 KiB network buffer flushes every few rows.
	start := time.Now()
	if _, err := ss.Execute(ctx, "SELECT seq, REPEAT('x', 2000), SLEEP(0.01) FROM seq_1_to_2000"); err != nil {
		t.Fatal(err)
	}
	fctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var err error
	for err == nil {
		_, err = ss.FetchMany(fctx, 50)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("fetch error = %v, want deadline exceeded", err)
	}
	if got := queryRow(t, c, "SELECT 'next'")[0]; got != "next" {
		t.Errorf("after a cancelled fetch: %v", got)
	}
	// The 20 s statement was stopped on the server, not read to its end.
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancelled stream took %v to resynchronise", d)
	}
}

func TestUnreachableKillBreaksTheConnectionCleanly(t *testing.T) {
	// With a cancel timeout this short the connection may give up on
	// resynchronising; either way the next call must not hang and must
	// not read the old result.
	c := connect(t, func(cfg *actor.Config) { cfg.CancelTimeout = time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := c.Cursor().Execute(ctx, "SELECT SLEEP(5)"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Execute = %v", err)
	}
	start := time.Now()
	cur := c.Cursor()
	_, err := cur.Execute(ctxT(t), "SELECT 'fresh'")
	if err == nil {
		row, _ := cur.FetchOne(ctxT(t))
		if row[0] != "fresh" {
			t.Errorf("got %v, want the new statement's row", row)
		}
	} else if !actor.IsBadConn(err) {
		t.Errorf("next Execute = %v, want success or a bad-connection error", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("next Execute took %v", time.Since(start))
	}
}

func TestKillQueryGoesToTheAddressTheConnectionReached(t *testing.T) {
	cfg := testConfig(t)
	if cfg.UnixSocket != "" || cfg.Host != "127.0.0.1" {
		t.Skip("needs the test server on 127.0.0.1 over TCP")
	}
	cfg.Host = "localhost" // a name: KILL QUERY must not resolve it again
	c := connectCfg(t, cfg)
	if want := fmt.Sprintf("127.0.0.1:%d", c.Port()); c.RemoteAddr() != want || c.Host() != "localhost" {
		t.Fatalf("RemoteAddr %q, Host %q; want %q and localhost", c.RemoteAddr(), c.Host(), want)
	}
	admin := connect(t)
	ctx, cancel := context.WithTimeout(ctxT(t), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Cursor().Execute(ctx, "SELECT SLEEP(10)"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Execute = %v", err)
	}
	stopsRunning(t, admin, c.ThreadID(), time.Second)
	if got := queryRow(t, c, "SELECT 'still in sync'")[0]; got != "still in sync" {
		t.Errorf("after the kill: %v", got)
	}
}
