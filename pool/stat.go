package pool

import "time"

// reason says why the pool closed a connection.
type reason uint8

const (
	reasonBroken   reason = iota // I/O or protocol failure, or closed by the server
	reasonPing                   // failed the ping on acquire
	reasonLifetime               // older than MaxConnLifetime
	reasonIdle                   // idle longer than MaxConnIdleTime
	reasonRecycle                // unused longer than Recycle
	reasonDirty                  // could not be cleaned on release
	reasonHook                   // rejected by BeforeAcquire or AfterRelease
	reasonCleared                // Clear
	reasonClosed                 // the pool closed
	reasonRole                   // its server no longer has Conn.Target's role
	numReasons
)

// DestroyReasons lists the reasons Stat().Destroyed is keyed by.
var DestroyReasons = [...]string{"broken", "ping", "lifetime", "idle", "recycle", "dirty", "hook", "cleared", "closed", "role"}

func (r reason) String() string { return DestroyReasons[r] }

// Stat is a snapshot of the pool's state and counters.
type Stat struct {
	// Current connections.
	Acquired     int // in use
	Idle         int // waiting in the pool
	Constructing int // being opened
	Total        int // all of the above
	Min          int // MinSize
	Max          int // MaxSize (Unlimited for none)
	// Waiting counts the callers inside Acquire waiting for a connection
	// (idle, released, or being opened for them).
	Waiting int

	// Cumulative counters.
	AcquireCount         int64         // successful acquires
	AcquireDuration      time.Duration // time spent in successful acquires
	EmptyAcquireCount    int64         // acquires that had to wait or open a connection
	EmptyAcquireWaitTime time.Duration // time those acquires waited
	CanceledAcquireCount int64         // acquires ended by their ctx
	AcquireErrors        int64         // failed acquires of any cause
	NewConns             int64         // connections opened
	ConnectErrors        int64         // failed background connection attempts
	PingFailures         int64         // idle connections that failed their ping

	// ExhaustedAcquireCount counts the acquires AcquireTimeout ended while
	// every connection was in use (ErrExhausted); also in AcquireErrors.
	ExhaustedAcquireCount int64
	// FailoverWaitCount counts the acquires that found no server of
	// Conn.Target's role and waited for one (see FailoverWait).
	FailoverWaitCount int64

	// Destroyed counts closed connections by reason: broken, ping,
	// lifetime, idle, recycle, dirty, hook, cleared, closed, role.
	Destroyed map[string]int64
}

// DestroyedTotal is the sum of Destroyed.
func (s *Stat) DestroyedTotal() int64 {
	var n int64
	for _, v := range s.Destroyed {
		n += v
	}
	return n
}

// Stat returns the pool's statistics.
func (p *Pool) Stat() *Stat {
	if p.route != nil {
		return p.route.stat(p.cfg)
	}
	ps := p.p.Stat()
	s := &Stat{
		Acquired:             int(ps.AcquiredResources()) - int(p.destroying.Load()),
		Idle:                 int(ps.IdleResources()),
		Constructing:         int(ps.ConstructingResources()),
		Total:                p.total(ps),
		Min:                  p.cfg.MinSize,
		Max:                  p.cfg.MaxSize,
		Waiting:              int(p.waiting.Load()),
		AcquireCount:         ps.AcquireCount(),
		AcquireDuration:      ps.AcquireDuration(),
		EmptyAcquireCount:    ps.EmptyAcquireCount(),
		EmptyAcquireWaitTime: ps.EmptyAcquireWaitTime(),
		CanceledAcquireCount: ps.CanceledAcquireCount(),
		AcquireErrors:        p.acquireErrors.Load(),
		NewConns:             p.newConns.Load(),
		ConnectErrors:        p.connectErrors.Load(),
		PingFailures:         p.pingFailures.Load(),
		Destroyed:            make(map[string]int64, numReasons),

		ExhaustedAcquireCount: p.exhausted.Load(),
		FailoverWaitCount:     p.failovers.Load(),
	}
	for r := reason(0); r < numReasons; r++ {
		s.Destroyed[r.String()] = p.destroyed[r].Load()
	}
	return s
}
