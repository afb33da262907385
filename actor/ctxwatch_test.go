package actor_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
)

// selectN runs SELECT ? under ctx and checks the value comes back.
func selectN(t *testing.T, ctx context.Context, c *actor.Conn, n int) {
	t.Helper()
	cur := c.Cursor()
	if _, err := cur.Execute(ctx, "SELECT ?", n); err != nil {
		t.Fatalf("SELECT %d: %v", n, err)
	}
	row, err := cur.FetchOne(ctx)
	if err != nil || row[0] != int64(n) {
		t.Fatalf("SELECT %d read %v, %v", n, row, err)
	}
}

// watchPaths are the two ways a command's ctx is watched: a direct
// command's interruption, and the KILL QUERY of a command the actor runs
// from its mailbox, which is every command on a compressed connection.
var watchPaths = []struct {
	name string
	conn func(t *testing.T) *actor.Conn
	kept func(*actor.Conn) bool
}{
	{"direct", func(t *testing.T) *actor.Conn { return connect(t) }, actor.KeepsRegistration},
	{"mailbox", func(t *testing.T) *actor.Conn {
		return connect(t, func(cfg *actor.Config) { cfg.Compress = true })
	}, actor.KeepsKillRegistration},
}

func TestRegistrationIsKeptOnlyForAContextManyCommandsShare(t *testing.T) {
	tests := []struct {
		name     string
		commands int
		fresh    bool // a new ctx for every command
		want     bool
	}{
		{"one ctx, fewer commands than the streak", actor.KeepAfter - 1, false, false},
		{"one ctx, a full streak", actor.KeepAfter, false, true},
		{"one ctx, many commands", 4 * actor.KeepAfter, false, true},
		{"a ctx per command", 4 * actor.KeepAfter, true, false},
	}
	for _, path := range watchPaths {
		for _, tt := range tests {
			t.Run(path.name+"/"+tt.name, func(t *testing.T) {
				c := path.conn(t)
				shared, cancel := context.WithCancel(context.Background())
				defer cancel()
				for i := 0; i < tt.commands; i++ {
					ctx := shared
					if tt.fresh {
						var cancelOne context.CancelFunc
						ctx, cancelOne = context.WithCancel(context.Background())
						defer cancelOne()
					}
					if _, err := c.Cursor().Execute(ctx, "DO ?", i); err != nil {
						t.Fatal(err)
					}
				}
				if got := path.kept(c); got != tt.want {
					t.Errorf("after %d commands: registration kept = %v, want %v", tt.commands, got, tt.want)
				}
			})
		}
	}
}

func TestCancellingAKeptContextStopsItsCommand(t *testing.T) {
	for _, path := range watchPaths {
		t.Run(path.name, func(t *testing.T) {
			c := path.conn(t)
			admin := connect(t)
			ctx, cancel := context.WithCancel(context.Background())
			for i := 0; i < actor.KeepAfter; i++ {
				selectN(t, ctx, c, i)
			}
			if !path.kept(c) {
				t.Fatal("registration not kept; the test would not exercise it")
			}
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err := c.Cursor().Execute(ctx, "SELECT SLEEP(5)")
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Execute under a cancelled ctx = %v, want context.Canceled", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("cancelled Execute returned after %v, want about 100ms", d)
			}
			stopsRunning(t, admin, c.ThreadID(), 2*time.Second)
			// The same ctx, already cancelled: nothing is sent.
			if _, err := c.Cursor().Execute(ctx, "SELECT 1"); !errors.Is(err, context.Canceled) {
				t.Fatalf("Execute under an ended ctx = %v, want context.Canceled", err)
			}
			selectN(t, ctxT(t), c, 42)
		})
	}
}

func TestAKeptContextEndingBetweenCommandsLeavesTheNextAlone(t *testing.T) {
	for _, path := range watchPaths {
		t.Run(path.name, func(t *testing.T) {
			c := path.conn(t)
			ctx, cancel := context.WithCancel(context.Background())
			for i := 0; i < actor.KeepAfter; i++ {
				selectN(t, ctx, c, i)
			}
			cancel() // its callback runs now, with no command watched
			time.Sleep(20 * time.Millisecond)
			next, cancelNext := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancelNext()
			cur := c.Cursor()
			if _, err := cur.Execute(next, "SELECT SLEEP(0.2), 7"); err != nil {
				t.Fatalf("command after the old ctx ended: %v", err)
			}
			row, err := cur.FetchOne(next)
			if err != nil || row[1] != int64(7) {
				t.Fatalf("read %v, %v; want [0 7]", row, err)
			}
			for i := 0; i < 2*actor.KeepAfter; i++ {
				selectN(t, next, c, i)
			}
			if !path.kept(c) {
				t.Error("the new ctx's registration is not kept after a full streak")
			}
		})
	}
}

func TestClosingAConnectionDropsItsKeptRegistration(t *testing.T) {
	for _, path := range watchPaths {
		t.Run(path.name, func(t *testing.T) {
			c := path.conn(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			for i := 0; i < actor.KeepAfter; i++ {
				selectN(t, ctx, c, i)
			}
			if !path.kept(c) {
				t.Fatal("registration not kept; the test would not exercise it")
			}
			c.Close()
			if path.kept(c) {
				t.Error("a closed connection still holds a registration with the ctx")
			}
			if _, err := c.Cursor().Execute(ctx, "SELECT 1"); !errors.Is(err, actor.ErrConnClosed) {
				t.Errorf("Execute on the closed connection = %v, want ErrConnClosed", err)
			}
			if path.kept(c) {
				t.Error("a command on the closed connection registered with the ctx")
			}
		})
	}
}

// TestCancellingAKeptContextAtAnyPointNeverDesynchronises is the
// cancellation sweep of direct_test.go with the registration kept: each
// timed query runs under a ctx that a full streak of commands used first.
func TestCancellingAKeptContextAtAnyPointNeverDesynchronises(t *testing.T) {
	sweepCancellation(t, 150, context.Canceled,
		func(c *actor.Conn, delay time.Duration) (context.Context, context.CancelFunc) {
			// A resync of the previous cut may still hold the wire, and
			// commands queued behind it do not run direct.
			for deadline := time.Now().Add(5 * time.Second); c.Busy(); time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the connection stayed busy after the previous query")
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			for j := 0; j < actor.KeepAfter; j++ {
				if _, err := c.Cursor().Execute(ctx, "DO 1"); err != nil {
					t.Fatal(err)
				}
			}
			if !actor.KeepsRegistration(c) {
				t.Fatal("registration not kept; the sweep would not exercise it")
			}
			timer := time.AfterFunc(delay, cancel)
			return ctx, func() { timer.Stop(); cancel() }
		})
}
