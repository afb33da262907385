//go:build unix && !linux

package actor

import "syscall"

// peek looks at the socket's next bytes without consuming them or
// waiting.
func peek(fd uintptr, buf []byte) (int, error) {
	n, _, err := syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	return n, err
}
