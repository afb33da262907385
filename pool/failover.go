package pool

import (
	"context"
	"errors"
	"time"

	"github.com/amysql/amysql/actor"
)

// failoverWait tracks one Acquire's wait for a server of the target role.
type failoverWait struct {
	until time.Time     // zero before the first failure
	pause time.Duration // before the next attempt
}

// Pauses between connection attempts while a failover is in progress.
const (
	failoverFirstPause = 25 * time.Millisecond
	failoverMaxPause   = 250 * time.Millisecond
)

// followsRole reports whether the pool follows a server of a role (or a
// host list), so that a failure to connect is waited out as a failover.
func (p *Pool) followsRole() bool {
	return p.cfg.FailoverWait > 0 && (p.cfg.Conn.Target != actor.TargetAny || len(p.cfg.Conn.Hosts) > 1)
}

// awaitFailover decides, after Acquire failed with err, whether to try
// again: when the pool follows a role, err is a failure to connect that a
// failover may mend (every host down, or none with the target role), and
// FailoverWait, ctx and AcquireTimeout allow a pause first. It pauses
// and reports true, or reports false at once.
func (p *Pool) awaitFailover(ctx context.Context, w *failoverWait, err error) bool {
	var ce *connectError
	if !p.followsRole() || !errors.As(err, &ce) || !actor.SafeToRetry(ce.err) || p.closed.Load() {
		return false
	}
	now := time.Now()
	if w.until.IsZero() {
		w.until, w.pause = now.Add(p.cfg.FailoverWait), failoverFirstPause
		p.failovers.Add(1)
	}
	if !now.Add(w.pause).Before(w.until) {
		return false
	}
	if dl, ok := ctx.Deadline(); ok && !now.Add(w.pause).Before(dl) {
		return false
	}
	t := time.NewTimer(w.pause)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return false
	case <-p.quit:
		return false
	}
	w.pause = min(2*w.pause, failoverMaxPause)
	return true
}
