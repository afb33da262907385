//go:build !linux

package actor

import "net"

// newRawSocket leaves nc as it is: raw socket system calls are used on
// Linux only.
func newRawSocket(nc net.Conn) net.Conn { return nc }
