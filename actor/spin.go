package actor

import (
	"sync/atomic"
	"time"
)

// MaxSpinWait caps Config.SpinWait: a longer spin would hold a CPU, and
// delay cancellation, for longer than any answer it could catch is worth.
const MaxSpinWait = time.Millisecond

// spinMaxSkip bounds how many waits in a row sleep without spinning after
// spins that timed out.
const spinMaxSkip = 256

// spinner decides whether a read that found no data polls the socket
// (spins) before it sleeps in the netpoller, and for how long.
//
// A spin that ends with data pays off: waking a sleeping thread, and on a
// virtual machine an idle CPU, costs tens of microseconds on both sides
// of the socket. A spin that times out is CPU burnt for nothing, so after
// one the connection sleeps without spinning for the next waits, twice as
// many after each further timeout (up to spinMaxSkip), half as many after
// each spin that pays off. Answers slower than the budget (a remote
// server, a saturated one) thus leave spinning almost always off.
type spinner struct {
	budget  int64 // nanoseconds a spin may last
	skip    int   // waits left that sleep without spinning
	backoff int   // waits to skip after the next spin that times out
}

// newSpinner returns a spinner for budget (capped at MaxSpinWait), or nil
// when budget is not positive.
func newSpinner(budget time.Duration) *spinner {
	if budget <= 0 {
		return nil
	}
	return &spinner{budget: int64(min(budget, MaxSpinWait))}
}

// start reports whether this wait should spin, and until when (a
// monotonic time from spinClock).
func (sp *spinner) start(now int64) (until int64, ok bool) {
	if sp.skip > 0 {
		sp.skip--
		return 0, false
	}
	return now + sp.budget, true
}

// paidOff records a spin that ended with data.
func (sp *spinner) paidOff() { sp.backoff /= 2 }

// timedOut records a spin that found no data within the budget.
func (sp *spinner) timedOut() {
	sp.backoff = min(2*sp.backoff+1, spinMaxSkip)
	sp.skip = sp.backoff
}

// SpinGroup is shared by connections that spin (Config.SpinWait): a read
// spins only while no other read of its group is waiting for the server,
// so connections of a busy pool leave the CPU to each other and to the
// server. The zero value is ready to use; a connection without a group
// is a group of its own. pool.New gives each pool one.
type SpinGroup struct {
	waiting atomic.Int32
}

// spinClockBase is the origin of spinClock; it is set once.
var spinClockBase = time.Now()

// spinClock is the monotonic clock spins are timed by, in nanoseconds.
func spinClock() int64 { return int64(time.Since(spinClockBase)) }
