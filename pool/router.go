package pool

import "context"

// routed is what a Pool that owns no connections of its own (a Cluster's
// Writer or Reader) does instead: its acquires are routed to the pools of
// its members.
type routed struct {
	acquire func(ctx context.Context) (*Conn, error)
	members func() []*Pool
}

// newRouted returns a pool named name whose acquires go through acquire
// and whose statistics sum those of members.
func newRouted(cfg Config, name string, acquire func(context.Context) (*Conn, error), members func() []*Pool) *Pool {
	cfg.Name = name
	return &Pool{cfg: cfg, route: &routed{acquire: acquire, members: members},
		quit: make(chan struct{}), done: make(chan struct{})}
}

// routedStat sums the statistics of a routed pool's members.
func (r *routed) stat(cfg Config) *Stat {
	s := &Stat{Min: cfg.MinSize, Max: cfg.MaxSize, Destroyed: map[string]int64{}}
	for _, p := range r.members() {
		m := p.Stat()
		s.Acquired += m.Acquired
		s.Idle += m.Idle
		s.Constructing += m.Constructing
		s.Total += m.Total
		s.Waiting += m.Waiting
		s.AcquireCount += m.AcquireCount
		s.AcquireDuration += m.AcquireDuration
		s.EmptyAcquireCount += m.EmptyAcquireCount
		s.EmptyAcquireWaitTime += m.EmptyAcquireWaitTime
		s.CanceledAcquireCount += m.CanceledAcquireCount
		s.AcquireErrors += m.AcquireErrors
		s.NewConns += m.NewConns
		s.ConnectErrors += m.ConnectErrors
		s.PingFailures += m.PingFailures
		s.ExhaustedAcquireCount += m.ExhaustedAcquireCount
		s.FailoverWaitCount += m.FailoverWaitCount
		for k, v := range m.Destroyed {
			s.Destroyed[k] += v
		}
	}
	return s
}
