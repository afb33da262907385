package faultproxy

import (
	"syscall"
	"time"
)

// sleep waits d with the kernel's timer, whose resolution (tens of
// microseconds) a sub-millisecond delay needs; Go's timers can round it
// up to a millisecond.
func sleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}
