//go:build unix

package actor

import (
	"errors"
	"net"
	"syscall"
)

// prober looks at an idle socket without consuming anything. It is built
// once per connection so a probe allocates nothing.
type prober struct {
	rc    syscall.RawConn
	alive bool
	buf   [1]byte
	fn    func(fd uintptr) bool
}

func newProber(nc net.Conn) *prober {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	p := &prober{rc: rc}
	p.fn = func(fd uintptr) bool {
		n, err := peek(fd, p.buf[:])
		switch {
		case n > 0: // unsolicited bytes, such as an error packet
			p.alive = false
		case err == nil: // EOF
			p.alive = false
		case errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK):
			p.alive = true
		default:
			p.alive = false
		}
		return true // never wait for readiness
	}
	return p
}

// probe reports whether the socket is open and silent.
func (p *prober) probe() bool {
	if err := p.rc.Read(p.fn); err != nil {
		return false
	}
	return p.alive
}
