package actor_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
)

// Commands on an idle connection run on the caller's goroutine; these
// tests pin down that doing so keeps the actor's guarantees: prompt
// cancellation, a connection in sync afterwards, and one command at a time.

func TestInterruptedBufferedResultKeepsConnectionInSync(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*actor.Config)
	}{
		{"plain", func(*actor.Config) {}},
		{"with read and write timeouts", func(cfg *actor.Config) {
			cfg.ReadTimeout, cfg.WriteTimeout = 10*time.Second, 10*time.Second
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connect(t, tc.mod)
			// Rows arrive over about two seconds, so the deadline lands
			// while the buffered cursor is reading them.
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.Cursor().Execute(ctx, "SELECT seq, REPEAT('x', 2000), SLEEP(0.001) FROM seq_1_to_2000")
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Execute = %v, want context.DeadlineExceeded", err)
			}
			if d := time.Since(start); d > 250*time.Millisecond {
				t.Errorf("interrupted Execute returned after %v, want within 100ms of its 150ms deadline", d)
			}
			if got := queryRow(t, c, "SELECT 'after'")[0]; got != "after" {
				t.Errorf("next statement read %v, want its own row", got)
			}
			if c.Closed() {
				t.Error("the connection was given up although the interruption was resumable")
			}
		})
	}
}

func TestConcurrentCallersOnOneConnectionGetTheirOwnResults(t *testing.T) {
	c := connect(t)
	ctx := ctxT(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cur := c.Cursor()
			for i := 0; i < 200; i++ {
				want := fmt.Sprintf("g%d-%d", g, i)
				if _, err := cur.Execute(ctx, "SELECT ?", want); err != nil {
					errs <- err
					return
				}
				row, err := cur.FetchOne(ctx)
				if err != nil || row[0] != want {
					errs <- fmt.Errorf("got %v, %v; want %q", row, err, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if c.Busy() {
		t.Error("connection reports a command in flight after every caller returned")
	}
}

// TestCancellationAtAnyPointNeverDesynchronises cancels a multi-row query
// after delays spread over its whole response, so the cut lands before
// the header, inside column definitions, between rows and after the end.
// Whatever happens to the cancelled call, the next statement on the
// connection must read its own result, or the connection must be closed.
func TestCancellationAtAnyPointNeverDesynchronises(t *testing.T) {
	sweepCancellation(t, 300, context.DeadlineExceeded,
		func(_ *actor.Conn, delay time.Duration) (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), delay)
		})
}

// sweepCancellation runs a 3000-row query n times under the ctx that arm
// makes for a delay spread over the response; the ctx is to end with
// want after that delay. It checks the connection stays in sync.
func sweepCancellation(t *testing.T, n int, want error, arm func(c *actor.Conn, delay time.Duration) (context.Context, context.CancelFunc)) {
	const q = "SELECT seq, 'some text', seq * 2 FROM seq_1_to_3000"
	c := connect(t)
	// Spread the delays over the time the whole response takes.
	start := time.Now()
	for i := 0; i < 5; i++ {
		mustExec(t, c, q)
	}
	span := time.Since(start) / 5
	var completed, cancelled, replaced int
	for i := 0; i < n; i++ {
		ctx, cancel := arm(c, span*time.Duration(i%30)/25)
		rows, err := c.Cursor().Execute(ctx, q)
		cancel()
		switch {
		case err == nil:
			if rows != 3000 {
				t.Fatalf("completed query returned %d rows, want 3000", rows)
			}
			completed++
		case errors.Is(err, want):
			cancelled++
		default:
			t.Fatalf("cancelled Execute = %v, want %v", err, want)
		}
		if c.Closed() {
			replaced++
			c = connect(t)
			continue
		}
		check := fmt.Sprintf("check-%d", i)
		row := queryRow(t, c, "SELECT ?", check)
		if row[0] != check {
			t.Fatalf("after %v: next statement read %v, want %q", err, row, check)
		}
	}
	t.Logf("response takes %v; %d completed, %d cancelled, %d connections given up", span, completed, cancelled, replaced)
	if cancelled == 0 {
		t.Error("no call was cancelled; the delays no longer cover the response")
	}
	if replaced > cancelled/2 {
		t.Errorf("%d of %d cancellations cost the connection; most should resynchronise", replaced, cancelled)
	}
}
