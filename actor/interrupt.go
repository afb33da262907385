package actor

import (
	"net"
	"os"
	"sync/atomic"
	"time"
)

// errInterrupted is returned by reads and writes of a session whose
// direct command's ctx ended; the caller reports the ctx error instead.
var errInterrupted = newSentinel("command interrupted")

// interrupter stops the socket I/O of a direct command when its caller's
// ctx ends, by setting a deadline in the past. It is shared with
// timeoutConn, so a per-read timeout cannot push an interrupted read's
// deadline back into the future. Its ctxWatch's mutex guards the deadline.
type interrupter struct {
	ctxWatch
	nc    net.Conn
	fired atomic.Bool // the deadline is in the past for the watched command
}

func newInterrupter(nc net.Conn) *interrupter {
	in := &interrupter{nc: nc}
	in.init(in.interrupt)
	return in
}

// interrupt runs with the mutex held when the watched command's ctx ends.
func (in *interrupter) interrupt() func() {
	in.fired.Store(true)
	_ = in.nc.SetDeadline(time.Unix(1, 0))
	return nil
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
