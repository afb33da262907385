package actor

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// errInterrupted is returned by reads and writes of a session whose
// direct command's ctx ended; the caller reports the ctx error instead.
var errInterrupted = errors.New("amysql: command interrupted")

// keepAfter is how many consecutive direct commands must watch the same
// Done channel before the interrupter keeps its registration between
// commands. A kept registration saves a context.AfterFunc and its stop
// (two allocations, a lock of the ctx's parent and a map insert and
// delete) on every later command under that ctx; it costs a goroutine,
// about five registrations' worth, when the ctx ends while the
// connection is between commands. The streak keeps per-request contexts
// that run a handful of commands off the cache, and gives contexts shared
// by many commands, such as a worker's or a service's, the saving.
const keepAfter = 16

// interrupter stops the socket I/O of a direct command when its caller's
// ctx ends. It is shared with timeoutConn, so a per-read timeout cannot
// push an interrupted read's deadline back into the future.
//
// One callback, made once, serves every command. It is registered with
// context.AfterFunc and acts only while a command is watched, so a
// registration can outlive the command it was made for: once keepAfter
// commands in a row watched one Done channel it stays for the next ones,
// and it is replaced when a command brings another, dropped when the
// streak breaks and when the connection closes. A callback that has run
// (or is running) is waited for before a new registration is made, so a
// late one never interrupts a command under another ctx.
type interrupter struct {
	mu       sync.Mutex
	nc       net.Conn
	watching bool        // a direct command is running under the callback
	fired    atomic.Bool // the deadline is in the past for the watched command
	ran      chan struct{}
	fireFn   func() // fire, as the AfterFunc callback

	reg     func() bool     // stops the live registration; nil: none
	regDone <-chan struct{} // the Done channel reg watches
	spent   bool            // reg's callback has run or is running
	last    <-chan struct{} // the Done channel of the previous command
	streak  int             // consecutive commands that watched last
	closed  bool            // the connection closed: keep nothing
}

func newInterrupter(nc net.Conn) *interrupter {
	in := &interrupter{nc: nc, ran: make(chan struct{}, 1)}
	in.fireFn = in.fire
	return in
}

// watch starts watching a direct command under ctx, whose Done channel is
// not nil. The caller holds the wire lock and calls unwatch when the
// command ends.
func (in *interrupter) watch(ctx context.Context) {
	done := ctx.Done()
	in.mu.Lock()
	if in.reg != nil && in.regDone == done && !in.spent {
		in.watching = true
		in.mu.Unlock()
		return // the kept registration fires for this command too
	}
	old := in.reg
	in.reg = nil
	in.mu.Unlock()
	if old != nil && !old() {
		<-in.ran // its callback has started: let it finish unwatched
	}
	in.mu.Lock()
	in.watching, in.spent = true, false
	if in.closed {
		in.mu.Unlock()
		return // the socket is closing: nothing to interrupt
	}
	in.mu.Unlock()
	stop := context.AfterFunc(ctx, in.fireFn)
	in.mu.Lock()
	in.reg, in.regDone = stop, done
	in.mu.Unlock()
}

// fire interrupts the watched command, if any.
func (in *interrupter) fire() {
	in.mu.Lock()
	in.spent = true
	if in.watching {
		in.fired.Store(true)
		_ = in.nc.SetDeadline(time.Unix(1, 0))
	}
	in.mu.Unlock()
	in.ran <- struct{}{}
}

// unwatch stops watching the command that watch started under a ctx with
// Done channel done, and reports whether it was interrupted. Unless the
// registration is to be kept, it is stopped, and a callback that has
// already started is waited for.
func (in *interrupter) unwatch(done <-chan struct{}) bool {
	in.mu.Lock()
	in.watching = false
	fired := in.fired.Load()
	if done == in.last {
		in.streak++
	} else {
		in.last, in.streak = done, 1
	}
	var stop func() bool
	if in.closed || in.streak < keepAfter {
		stop, in.reg = in.reg, nil
	}
	in.mu.Unlock()
	if stop != nil && !stop() {
		<-in.ran
	}
	return fired
}

// release drops a kept registration for good, so a long-lived ctx does
// not hold on to a closed connection. It may run on any goroutine, also
// while a command is watched: that command's socket is closing anyway.
func (in *interrupter) release() {
	in.mu.Lock()
	in.closed = true
	stop := in.reg
	in.reg = nil
	in.last = nil
	in.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// clear lifts an interruption's deadline so the socket can be used again.
func (in *interrupter) clear() {
	in.mu.Lock()
	if in.fired.Load() {
		in.fired.Store(false)
		_ = in.nc.SetDeadline(time.Time{})
	}
	in.mu.Unlock()
}

// setReadDeadline sets a per-read deadline unless an interruption holds
// the socket's deadline in the past.
func (in *interrupter) setReadDeadline(t time.Time) error {
	return in.setUnlessFired(true, t)
}

func (in *interrupter) setWriteDeadline(t time.Time) error {
	return in.setUnlessFired(false, t)
}

func (in *interrupter) setUnlessFired(read bool, t time.Time) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.fired.Load() {
		return os.ErrDeadlineExceeded
	}
	if read {
		return in.nc.SetReadDeadline(t)
	}
	return in.nc.SetWriteDeadline(t)
}
