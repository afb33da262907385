//go:build unix

package actor

import (
	"errors"
	"syscall"
)

// peekAlive reports whether an idle socket is still open and silent: no
// EOF and no unsolicited bytes (such as the error packet MySQL sends
// before it closes an idle session). It does not consume anything.
func peekAlive(sc syscall.Conn) bool {
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	alive := true
	var buf [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, rerr := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case n > 0: // unsolicited data
			alive = false
		case rerr == nil: // n == 0: EOF
			alive = false
		case errors.Is(rerr, syscall.EAGAIN) || errors.Is(rerr, syscall.EWOULDBLOCK):
		default:
			alive = false
		}
		return true // never wait for readiness
	})
	if err != nil {
		return false
	}
	return alive
}
