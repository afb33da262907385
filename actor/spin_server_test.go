package actor_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
)

// A connection that spins before sleeping answers like any other, and
// its deadlines, cancellation and read timeouts still end a waiting
// statement, at most SpinWait late.
func TestSpinningConnectionKeepsCancellationAndTimeouts(t *testing.T) {
	spin := func(cfg *actor.Config) { cfg.SpinWait = actor.MaxSpinWait }
	t.Run("answers", func(t *testing.T) {
		c := connect(t, spin)
		for i := range int64(50) {
			if got := queryRow(t, c, "SELECT ? + 1", i)[0]; got != i+1 {
				t.Fatalf("SELECT %d + 1 = %v", i, got)
			}
		}
	})
	t.Run("ctx deadline", func(t *testing.T) {
		c := connect(t, spin)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		if _, err := c.Cursor().Execute(ctx, "SELECT SLEEP(10)"); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Execute = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("cancelled Execute returned after %v", d)
		}
		if got := queryRow(t, c, "SELECT 'after'")[0]; got != "after" {
			t.Errorf("next statement = %v", got)
		}
	})
	t.Run("read timeout", func(t *testing.T) {
		c := connect(t, spin, func(cfg *actor.Config) { cfg.ReadTimeout = 50 * time.Millisecond })
		start := time.Now()
		_, err := c.Cursor().Execute(ctxT(t), "SELECT SLEEP(10)")
		if !errors.Is(err, os.ErrDeadlineExceeded) || !actor.IsBadConn(err) {
			t.Fatalf("Execute past ReadTimeout = %v, want a bad connection from a deadline", err)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("timed-out Execute returned after %v", d)
		}
	})
}
