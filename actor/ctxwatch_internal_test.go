package actor

import (
	"context"
	"net"
	"testing"
	"time"
)

// keptInterrupter returns an interrupter over one end of a pipe whose
// registration with ctx is kept.
func keptInterrupter(t *testing.T, ctx context.Context) *interrupter {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	in := newInterrupter(a)
	for i := 0; i < keepAfter; i++ {
		in.watch(ctx)
		in.unwatch(ctx.Done())
	}
	if in.reg == nil {
		t.Fatal("registration not kept")
	}
	return in
}

// TestWatchUnderAnEndedKeptContextStillFires covers the window between a
// caller's ctx.Err check and watch: the kept registration's callback ran
// in between, with nothing watched, so watch must register again, and the
// new registration interrupts the command at once.
func TestWatchUnderAnEndedKeptContextStillFires(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	in := keptInterrupter(t, ctx)
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		in.mu.Lock()
		spent := in.spent
		in.mu.Unlock()
		if spent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the kept registration's callback never ran")
		}
		time.Sleep(time.Millisecond)
	}
	if in.fired.Load() {
		t.Fatal("a callback with nothing watched interrupted the socket")
	}
	in.watch(ctx)
	for !in.fired.Load() {
		if time.Now().After(deadline) {
			t.Fatal("a command watched under an ended ctx was not interrupted")
		}
		time.Sleep(time.Millisecond)
	}
	if !in.unwatch(ctx.Done()) {
		t.Error("unwatch did not report the interruption")
	}
}

// TestAnotherContextReplacesAKeptRegistration: a command under a new ctx
// is interrupted by the new ctx, and no longer by the old one.
func TestAnotherContextReplacesAKeptRegistration(t *testing.T) {
	old, cancelOld := context.WithCancel(context.Background())
	in := keptInterrupter(t, old)
	next, cancelNext := context.WithCancel(context.Background())
	in.watch(next)
	cancelOld()
	time.Sleep(20 * time.Millisecond)
	if in.fired.Load() {
		t.Fatal("the replaced ctx interrupted a command under another ctx")
	}
	cancelNext()
	for deadline := time.Now().Add(5 * time.Second); !in.fired.Load(); {
		if time.Now().After(deadline) {
			t.Fatal("the new ctx did not interrupt its command")
		}
		time.Sleep(time.Millisecond)
	}
	in.unwatch(next.Done())
}
