//go:build linux

package actor

import (
	"syscall"
	"unsafe"
)

// peek looks at the socket's next bytes without consuming them or
// waiting. It is a raw system call: it returns at once, and unlike
// syscall.Recvfrom it does not wake the runtime's monitor thread.
func peek(fd uintptr, buf []byte) (int, error) {
	n, _, e := syscall.RawSyscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)),
		syscall.MSG_PEEK|syscall.MSG_DONTWAIT, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
