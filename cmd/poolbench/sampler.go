package main

import "time"

// sampler cuts a running measurement into the time series' intervals and
// gives the progress line its figures over a trailing window. It keeps a
// ring of cumulative histogram snapshots, one per interval, reused from
// tick to tick.
type sampler struct {
	st     *runStats
	gauge  poolGauge // nil when the client has no pool to follow
	step   time.Duration
	series []sample

	ring  []snapAt // cumulative state at the last len(ring) ticks
	next  int      // the slot the next tick fills
	taken int      // ticks so far
	diff  histSnap // scratch for interval and window differences
	perOp int64    // statements an operation runs
}

// snapAt is the run's cumulative state at one instant.
type snapAt struct {
	t    time.Duration
	hist histSnap
	errs int64
	pool poolNow
}

// newSampler samples st every step, keeping window for the live line; each
// operation counts perOp statements.
func newSampler(st *runStats, gauge poolGauge, step, window time.Duration, perOp int) *sampler {
	n := int((window+step-1)/step) + 1
	s := &sampler{st: st, gauge: gauge, step: step, ring: make([]snapAt, max(n, 2)), perOp: int64(max(perOp, 1))}
	s.ring[0].pool = s.pool() // the start: all zero but the pool's counters
	s.next, s.taken = 1, 1
	return s
}

func (s *sampler) pool() poolNow {
	if s.gauge == nil {
		return poolNow{}
	}
	return s.gauge.poolNow()
}

// at is the snapshot k ticks back (0: the latest).
func (s *sampler) at(k int) *snapAt {
	return &s.ring[((s.next-1-k)%len(s.ring)+len(s.ring))%len(s.ring)]
}

// take closes the interval ending at t (from the start of the run).
func (s *sampler) take(t time.Duration) {
	prev := s.at(0)
	cur := &s.ring[s.next]
	cur.t = max(t, prev.t)
	s.st.hist.snapshotInto(&cur.hist)
	cur.errs = s.st.errs.Load()
	cur.pool = s.pool()
	cur.hist.subInto(&prev.hist, &s.diff)
	smp := sample{T: cur.t.Seconds(), Span: (cur.t - prev.t).Seconds(), Ops: s.diff.total * s.perOp, Errors: cur.errs - prev.errs,
		P50Ms: ms(s.diff.quantile(0.5)), P99Ms: ms(s.diff.quantile(0.99))}
	if s.gauge != nil {
		smp.Pool = &poolSample{Acquired: cur.pool.acquired, Idle: cur.pool.idle, Waiting: cur.pool.waiting,
			Waits: cur.pool.waits - prev.pool.waits, WaitMs: ms(cur.pool.waitTime - prev.pool.waitTime)}
	}
	s.next = (s.next + 1) % len(s.ring)
	s.taken++
	if smp.Span <= 0 {
		// Nothing of the run's window is left (the run ended on a tick):
		// what completed since belongs to the interval before.
		if n := len(s.series); n > 0 && (smp.Ops > 0 || smp.Errors > 0) {
			last := &s.series[n-1]
			last.Ops += smp.Ops
			last.Errors += smp.Errors
		}
		return
	}
	s.series = append(s.series, smp)
}

// live is the progress line's figures at t: rates and percentiles over
// the ring's window, totals since the start.
func (s *sampler) live(t time.Duration) liveFigures {
	cur := s.at(0)
	old := s.at(min(s.taken, len(s.ring)) - 1)
	cur.hist.subInto(&old.hist, &s.diff)
	span := (cur.t - old.t).Seconds()
	f := liveFigures{elapsed: t, queries: (cur.hist.total + cur.errs) * s.perOp, errors: cur.errs,
		p50: ms(s.diff.quantile(0.5)), p99: ms(s.diff.quantile(0.99))}
	if span > 0 {
		f.rate = float64((s.diff.total+cur.errs-old.errs)*s.perOp) / span
	}
	if s.gauge != nil {
		p := cur.pool
		f.pool, f.hasWaiting = &p, p.waiting >= 0
		if span > 0 {
			f.waitsPerS = float64(p.waits-old.pool.waits) / span
		}
	}
	return f
}
