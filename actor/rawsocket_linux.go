//go:build linux

package actor

import (
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// rawSocket reads and writes a TCP or Unix socket with raw system calls.
//
// Go's socket I/O enters each read and write through the scheduler
// (entersyscall/exitsyscall), which wakes the runtime's monitor thread
// whenever the process had gone idle, and lets it hand the P to another
// thread when a call runs long. A client that waits on the network between
// short commands goes idle and busy again thousands of times a second, so
// those wake-ups cost about as many context switches as the queries
// themselves. The socket is non-blocking, so a raw read or write of a
// bounded size returns in microseconds; when it would block (EAGAIN) the
// netpoller waits as usual, with deadlines and interruption unchanged.
// Large transfers keep the ordinary scheduler-aware call.
type rawSocket struct {
	net.Conn
	rc syscall.RawConn

	// The operation in flight; the read and write halves are used by one
	// goroutine each at most (the wire lock's holder).
	rp, wp     []byte
	rn, wn     int
	rerr, werr error
	rfn, wfn   func(fd uintptr) bool
	tfn        func(fd uintptr) bool // one read that never waits

	// Spinning before a read sleeps (nil: never); spinUntil is the end of
	// the current read's spin, 0 before it began, -1 after it ended;
	// waiting is set while the read counts in group.waiting.
	spin      *spinner
	group     *SpinGroup
	spinUntil int64
	waiting   bool
}

// rawIOMax bounds a transfer made with a raw system call.
const rawIOMax = 64 << 10

// newRawSocket wraps nc when it is a plain TCP or Unix socket; a read that
// finds no data spins for up to spin first (see spinner), while no other
// read of group waits (nil: a group of its own).
func newRawSocket(nc net.Conn, spin time.Duration, group *SpinGroup) net.Conn {
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return nc
	}
	rc, err := nc.(syscall.Conn).SyscallConn()
	if err != nil {
		return nc
	}
	s := &rawSocket{Conn: nc, rc: rc, spin: newSpinner(spin), group: group}
	if s.spin != nil && s.group == nil {
		s.group = new(SpinGroup)
	}
	s.rfn, s.wfn, s.tfn = s.readFd, s.writeFd, s.tryReadFd
	return s
}

// transfer reads or writes p (trap is SYS_READ or SYS_WRITE) with one
// system call: a raw one up to rawIOMax bytes, else the scheduler-aware one.
func transfer(trap, fd uintptr, p []byte) (uintptr, syscall.Errno) {
	if len(p) <= rawIOMax {
		n, _, e := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		return n, e
	}
	n, _, e := syscall.Syscall(trap, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return n, e
}

func (s *rawSocket) readFd(fd uintptr) bool {
	p := s.rp
	for {
		n, e := transfer(syscall.SYS_READ, fd, p)
		switch {
		case e == syscall.EINTR:
			continue
		case e == syscall.EAGAIN:
			if s.spinning() {
				runtime.Gosched() // runnable goroutines go first
				continue
			}
			return false // wait in the netpoller
		case e != 0:
			s.rerr = os.NewSyscallError("read", e)
		case n == 0:
			s.rerr = io.EOF
		default:
			s.rn = int(n)
		}
		if s.spinUntil > 0 {
			s.spin.paidOff()
		}
		return true
	}
}

func (s *rawSocket) tryReadFd(fd uintptr) bool {
	for {
		n, e := transfer(syscall.SYS_READ, fd, s.rp)
		switch {
		case e == syscall.EINTR:
			continue
		case e == syscall.EAGAIN:
		case e != 0:
			s.rerr = os.NewSyscallError("read", e)
		case n == 0:
			s.rerr = io.EOF
		default:
			s.rn = int(n)
		}
		return true
	}
}

// spinning reports whether a read that found no data should try again
// at once rather than sleep: while the read's spin lasts and no other
// read of the group waits.
func (s *rawSocket) spinning() bool {
	if s.spin == nil || s.spinUntil < 0 {
		return false
	}
	if !s.waiting {
		s.waiting = true
		if s.group.waiting.Add(1) != 1 {
			s.spinUntil = -1 // others wait too: leave them the CPU
			return false
		}
	} else if s.group.waiting.Load() != 1 {
		s.spinUntil = -1
		return false
	}
	if s.spinUntil == 0 {
		until, ok := s.spin.start(spinClock())
		if !ok {
			s.spinUntil = -1
			return false
		}
		s.spinUntil = until
		return true
	}
	if spinClock() < s.spinUntil {
		return true
	}
	s.spin.timedOut()
	s.spinUntil = -1
	return false
}

func (s *rawSocket) writeFd(fd uintptr) bool {
	for len(s.wp) > 0 {
		p := s.wp
		n, e := transfer(syscall.SYS_WRITE, fd, p)
		switch {
		case e == syscall.EINTR:
			continue
		case e == syscall.EAGAIN:
			return false // wait for room in the send buffer
		case e != 0:
			s.werr = os.NewSyscallError("write", e)
			return true
		}
		s.wn += int(n)
		s.wp = p[n:]
	}
	return true
}

// Read reads like net.Conn's Read.
func (s *rawSocket) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.rp, s.rn, s.rerr, s.spinUntil = p, 0, nil, 0
	err := s.rc.Read(s.rfn)
	n, rerr := s.rn, s.rerr
	s.rp = nil
	if s.waiting {
		s.waiting = false
		s.group.waiting.Add(-1)
	}
	if err == nil {
		err = rerr
	}
	if err != nil && err != io.EOF {
		return n, s.opError("read", err)
	}
	return n, err
}

// TryRead reads what has arrived without waiting: 0 and no error when
// nothing has (proto.NonBlockingReader).
func (s *rawSocket) TryRead(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.rp, s.rn, s.rerr = p, 0, nil
	err := s.rc.Read(s.tfn)
	n, rerr := s.rn, s.rerr
	s.rp = nil
	if err == nil {
		err = rerr
	}
	if err != nil && err != io.EOF {
		return n, s.opError("read", err)
	}
	return n, err
}

// Write writes all of p like net.Conn's Write.
func (s *rawSocket) Write(p []byte) (int, error) {
	s.wp, s.wn, s.werr = p, 0, nil
	err := s.rc.Write(s.wfn)
	n, werr := s.wn, s.werr
	s.wp = nil
	if err == nil {
		err = werr
	}
	if err != nil {
		return n, s.opError("write", err)
	}
	return n, nil
}

// opError reports err as net.Conn's Read and Write do.
func (s *rawSocket) opError(op string, err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) { // from the RawConn: a deadline or a closed socket
		err = oe.Err
	}
	return &net.OpError{Op: op, Net: s.LocalAddr().Network(), Source: s.LocalAddr(), Addr: s.RemoteAddr(), Err: err}
}
