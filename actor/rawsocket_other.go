//go:build !linux

package actor

import (
	"net"
	"time"
)

// newRawSocket leaves nc as it is: raw socket system calls, and spinning
// before a read sleeps, are used on Linux only.
func newRawSocket(nc net.Conn, _ time.Duration, _ *SpinGroup) net.Conn { return nc }
