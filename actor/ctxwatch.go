package actor

import (
	"context"
	"sync"
)

// keepAfter is how many consecutive commands must watch the same Done
// channel before a ctxWatch keeps its registration between commands. A
// kept registration saves a context.AfterFunc and its stop (two
// allocations, a lock of the ctx's parent and a map insert and delete) on
// every later command under that ctx; it costs a goroutine, about five
// registrations' worth, when the ctx ends while the connection is between
// commands. The streak keeps per-request contexts that run a handful of
// commands off the cache, and gives contexts shared by many commands, such
// as a worker's or a service's, the saving.
const keepAfter = 16

// ctxWatch calls onEnd when the ctx of the command it watches ends.
//
// One callback, made once, serves every command. It is registered with
// context.AfterFunc and acts only while a command is watched, so a
// registration can outlive the command it was made for: once keepAfter
// commands in a row watched one Done channel it stays for the next ones,
// and it is replaced when a command brings another, dropped when the
// streak breaks and when the connection closes. A callback that has run
// (or is running) is waited for before a new registration is made, so a
// late one never acts for a command under another ctx.
//
// watch and unwatch are called by one goroutine at a time (the holder of
// the connection's wire lock); release may be called by any.
type ctxWatch struct {
	mu       sync.Mutex // also guards the owner's state that onEnd touches
	watching bool       // a command is running under the callback
	acted    bool       // onEnd ran for the watched command
	// onEnd runs with mu held when the watched command's ctx ends; the
	// function it returns, if any, runs next, without the lock.
	onEnd  func() (then func())
	fireFn func() // fire, as the AfterFunc callback
	ran    chan struct{}

	reg     func() bool     // stops the live registration; nil: none
	regDone <-chan struct{} // the Done channel reg watches
	spent   bool            // reg's callback has run or is running
	last    <-chan struct{} // the Done channel of the previous command
	streak  int             // consecutive commands that watched last
	closed  bool            // the connection closed: keep nothing
}

func (w *ctxWatch) init(onEnd func() func()) {
	w.onEnd = onEnd
	w.ran = make(chan struct{}, 1)
	w.fireFn = w.fire
}

// watch starts watching a command under ctx, whose Done channel is not
// nil. The caller calls unwatch when the command ends.
func (w *ctxWatch) watch(ctx context.Context) {
	done := ctx.Done()
	w.mu.Lock()
	if w.reg != nil && w.regDone == done && !w.spent {
		w.watching = true
		w.mu.Unlock()
		return // the kept registration fires for this command too
	}
	old := w.reg
	w.reg = nil
	w.mu.Unlock()
	if old != nil && !old() {
		<-w.ran // its callback has started: let it finish unwatched
	}
	w.mu.Lock()
	w.watching, w.spent = true, false
	if w.closed {
		w.mu.Unlock()
		return // the socket is closing: nothing to act on
	}
	w.mu.Unlock()
	stop := context.AfterFunc(ctx, w.fireFn)
	w.mu.Lock()
	w.reg, w.regDone = stop, done
	w.mu.Unlock()
}

// fire acts for the watched command, if any.
func (w *ctxWatch) fire() {
	var then func()
	w.mu.Lock()
	w.spent = true
	if w.watching {
		w.acted = true
		then = w.onEnd()
	}
	w.mu.Unlock()
	if then != nil {
		then()
	}
	w.ran <- struct{}{}
}

// unwatch stops watching the command that watch started under a ctx with
// Done channel done, and reports whether onEnd ran for it. Unless the
// registration is to be kept, it is stopped, and a callback that has
// already started is waited for.
func (w *ctxWatch) unwatch(done <-chan struct{}) (acted bool) {
	w.mu.Lock()
	w.watching = false
	acted, w.acted = w.acted, false
	if done == w.last {
		w.streak++
	} else {
		w.last, w.streak = done, 1
	}
	var stop func() bool
	if w.closed || w.streak < keepAfter {
		stop, w.reg = w.reg, nil
	}
	w.mu.Unlock()
	if stop != nil && !stop() {
		<-w.ran
	}
	return acted
}

// release drops a kept registration for good, so a long-lived ctx does
// not hold on to a closed connection. It may run on any goroutine, also
// while a command is watched: that command's socket is closing anyway.
func (w *ctxWatch) release() {
	w.mu.Lock()
	w.closed = true
	stop := w.reg
	w.reg = nil
	w.last = nil
	w.mu.Unlock()
	if stop != nil {
		stop()
	}
}
