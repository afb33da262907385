package main

import (
	"context"
	"errors"
	"fmt"
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
}

// runStats accumulates a run's measurements.
type runStats struct {
	hist     histogram
	ok, errs atomic.Int64
	mu       sync.Mutex
	classes  map[string]int64
	firstErr error
	seconds  []second // one entry per second of the run
}

type second struct {
	T      int     `json:"t"`
	Span   float64 `json:"span_s"` // 1, or less for the last, partial interval
	Ops    int64   `json:"ops"`
	Errors int64   `json:"errors"`
	P50Ms  float64 `json:"p50_ms"`
	P99Ms  float64 `json:"p99_ms"`
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
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	prev := st.hist.snapshot()
	prevErr := int64(0)
	var poolPrev *pool.Stat
	if p != nil {
		poolPrev = p.Stat()
	}
loop:
	for {
		select {
		case <-done:
			break loop
		case <-tick.C:
			snap := st.hist.snapshot()
			d := snap.sub(prev)
			errs := st.errs.Load()
			sec := second{T: len(st.seconds) + 1, Span: 1, Ops: d.total, Errors: errs - prevErr,
				P50Ms: ms(d.quantile(0.5)), P99Ms: ms(d.quantile(0.99))}
			st.seconds = append(st.seconds, sec)
			prev, prevErr = snap, errs
			if rc.progress != nil {
				line := fmt.Sprintf("%4ds %9d q/s  p50 %7.3f ms  p99 %7.3f ms  errors %d", sec.T, sec.Ops, sec.P50Ms, sec.P99Ms, sec.Errors)
				if p != nil {
					ps := p.Stat()
					line += fmt.Sprintf("  pool acquired %d idle %d waits/s %d", ps.Acquired, ps.Idle, ps.EmptyAcquireCount-poolPrev.EmptyAcquireCount)
					poolPrev = ps
				}
				if rc.tty {
					fmt.Fprintf(rc.progress, "\r\033[K%s", line)
				} else {
					fmt.Fprintln(rc.progress, line)
				}
			}
		}
	}
	if rc.tty && rc.progress != nil {
		fmt.Fprintln(rc.progress)
	}
	// The last, partial second.
	if d := st.hist.snapshot().sub(prev); d.total > 0 || st.errs.Load() > prevErr {
		span := time.Since(start).Seconds() - float64(len(st.seconds))
		st.seconds = append(st.seconds, second{T: len(st.seconds) + 1, Span: min(max(span, 0.001), 1), Ops: d.total, Errors: st.errs.Load() - prevErr,
			P50Ms: ms(d.quantile(0.5)), P99Ms: ms(d.quantile(0.99))})
	}
	elapsed := time.Since(start)
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)

	res := newResult(&st, elapsed, rc)
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
