package main

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/amysql/amysql/metrics"
	"github.com/amysql/amysql/pool"
)

// runConfig is one measured run.
type runConfig struct {
	workers  int
	rate     float64 // queries/s for the open loop; 0 = closed loop
	duration time.Duration
	count    int64 // stop after this many operations when > 0
	warmup   time.Duration
	progress io.Writer
	tty      bool
	width    int // terminal columns, 0 when unknown
	perOp    int // statements each operation runs (1 unless batched)
}

// runStats accumulates a run's measurements.
type runStats struct {
	hist     histogram
	ok, errs atomic.Int64
	mu       sync.Mutex
	classes  map[string]int64
	firstErr error
}

func (s *runStats) fail(err error) {
	s.errs.Add(1)
	class := metrics.ErrorClass(err)
	s.mu.Lock()
	if s.classes == nil {
		s.classes = map[string]int64{}
	}
	s.classes[class]++
	if s.firstErr == nil {
		s.firstErr = err
	}
	s.mu.Unlock()
}

// run drives o with rc and returns its result.
func run(ctx context.Context, rc runConfig, c client, o op, p *pool.Pool) (*result, error) {
	if rc.warmup > 0 {
		wctx, cancel := context.WithTimeout(ctx, rc.warmup)
		var discard runStats
		drive(wctx, runConfig{workers: rc.workers}, c, o, &discard)
		cancel()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	var st runStats
	var poolBefore *pool.Stat
	if p != nil {
		poolBefore = p.Stat()
	}
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	start := time.Now()

	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if rc.duration > 0 {
		rctx, cancel = context.WithTimeout(rctx, rc.duration)
		defer cancel()
	}
	done := make(chan struct{})
	go func() {
		drive(rctx, rc, c, o, &st)
		close(done)
	}()
	gauge, _ := c.(poolGauge)
	pr := &progress{w: rc.progress, tty: rc.tty, width: rc.width, total: rc.duration, count: rc.count}
	sm := newSampler(&st, gauge, sampleEvery(rc.duration), pr.window(), rc.perOp)
	tick := time.NewTicker(sm.step)
	defer tick.Stop()
	var shown time.Duration
loop:
	for {
		select {
		case <-done:
			break loop
		case <-tick.C:
			t := time.Since(start)
			if rc.duration > 0 {
				t = min(t, rc.duration) // a tick late past the deadline closes the last interval
			}
			sm.take(t)
			if t-shown >= pr.every()-sm.step/2 {
				pr.show(sm.live(t))
				shown = t
			}
		}
	}
	pr.done()
	// The run's window ends at its planned length: operations the deadline
	// interrupted are not counted, and the time spent draining them is not
	// either.
	elapsed := time.Since(start)
	if rc.duration > 0 && ctx.Err() == nil {
		elapsed = min(elapsed, rc.duration)
	}
	sm.take(elapsed) // the last, partial interval
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)

	res := newResult(&st, elapsed, rc)
	res.Step, res.Series = sm.step.Seconds(), sm.series
	cpu := tv(ru1.Utime) - tv(ru0.Utime) + tv(ru1.Stime) - tv(ru0.Stime)
	if n := res.Queries; n > 0 {
		res.CPUPerQueryUs = float64(cpu.Microseconds()) / float64(n)
		res.AllocsPerQuery = float64(ms1.Mallocs-ms0.Mallocs) / float64(n)
	}
	if p != nil {
		res.Pool = poolDelta(poolBefore, p.Stat())
	}
	if st.firstErr != nil {
		res.FirstError = st.firstErr.Error()
	}
	return res, nil
}

func tv(t syscall.Timeval) time.Duration {
	return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// drive runs workers until ctx ends or the count is reached: a closed loop
// (each worker runs operations back to back) or, with a rate, an open loop
// where operations are issued at fixed intended times and their latency is
// measured from that time, so a stall is not hidden (coordinated omission).
func drive(ctx context.Context, rc runConfig, c client, o op, st *runStats) {
	var issued atomic.Int64
	take := func() bool { return rc.count <= 0 || issued.Add(1) <= rc.count }
	var wg sync.WaitGroup
	if rc.rate <= 0 {
		for w := 0; w < rc.workers; w++ {
			wg.Add(1)
			go func(seed uint64) {
				defer wg.Done()
				r := rand.New(rand.NewPCG(seed, seed*7+1))
				for ctx.Err() == nil && take() {
					t0 := time.Now()
					err := o(ctx, c, r)
					record(st, err, time.Since(t0), ctx)
				}
			}(uint64(w) + 1)
		}
		wg.Wait()
		return
	}
	jobs := make(chan time.Time, 1<<16)
	for w := 0; w < rc.workers; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, seed*7+1))
			for intended := range jobs {
				if ctx.Err() != nil {
					continue // drain
				}
				err := o(ctx, c, r)
				record(st, err, time.Since(intended), ctx)
			}
		}(uint64(w) + 1)
	}
	interval := time.Duration(float64(time.Second) / rc.rate)
	start := time.Now()
	next := 0
	t := time.NewTicker(time.Millisecond)
	for ctx.Err() == nil {
		now := time.Now()
		for due := start.Add(time.Duration(next) * interval); !due.After(now); due = start.Add(time.Duration(next) * interval) {
			if !take() {
				goto done
			}
			select {
			case jobs <- due:
			default:
				// The queue is full: the system cannot keep up. Count the
				// operation as an error rather than block the schedule.
				st.fail(errQueueFull)
			}
			next++
		}
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
done:
	t.Stop()
	close(jobs)
	wg.Wait()
}

var errQueueFull = errors.New("open loop: issue queue full")

func record(st *runStats, err error, d time.Duration, ctx context.Context) {
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return // the run's end interrupted it; not a measured operation
		}
		st.fail(err)
		return
	}
	st.ok.Add(1)
	st.hist.record(d)
}
