package main

import (
	"math"
	"time"
)

// sample is one interval of a run's time series.
type sample struct {
	T      float64     `json:"t_s"`    // the interval's end, seconds from the start of the run
	Span   float64     `json:"span_s"` // its length; the last one is usually shorter
	Ops    int64       `json:"ops"`
	Errors int64       `json:"errors"`
	P50Ms  float64     `json:"p50_ms"`
	P99Ms  float64     `json:"p99_ms"`
	Pool   *poolSample `json:"pool,omitempty"`
}

// poolSample is the pool at the end of an interval, and its waits during
// it.
type poolSample struct {
	Acquired int     `json:"acquired"`
	Idle     int     `json:"idle"`
	Waiting  int     `json:"waiting"` // callers inside Acquire; -1 when the driver does not say
	Waits    int64   `json:"waits"`   // acquires that had to wait
	WaitMs   float64 `json:"wait_ms"` // the time they waited
}

// poolGauge is a client whose pool the time series follows.
type poolGauge interface {
	poolNow() poolNow
}

// poolNow is a pool's state and cumulative wait counters.
type poolNow struct {
	acquired, idle, waiting int
	waits                   int64
	waitTime                time.Duration
}

// sampleSteps are the time series' possible intervals.
var sampleSteps = []time.Duration{100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute}

// sampleEvery is the time series' interval for a run of length d: the
// finest that keeps it to 300 points (100 ms up to 30 s, 250 ms up to
// 75 s, ...); 250 ms when the length is not known (-n).
func sampleEvery(d time.Duration) time.Duration {
	if d <= 0 {
		return 250 * time.Millisecond
	}
	for _, s := range sampleSteps {
		if d <= 300*s {
			return s
		}
	}
	return sampleSteps[len(sampleSteps)-1]
}

// chartSamples is the series as charts draw it. Rates are counts over
// each interval's own span, so a short last interval is scaled rather than
// drawn as a fall; one shorter than half the step holds too few queries
// to say anything (one query in a millisecond) and is dropped.
func chartSamples(ss []sample, step float64) []sample {
	out := make([]sample, 0, len(ss))
	for i, s := range ss {
		if s.Span <= 0 || i == len(ss)-1 && s.Span < step/2 {
			continue
		}
		out = append(out, s)
	}
	return out
}

// rate is a count over the sample's span.
func (s sample) rate(n int64) float64 { return float64(n) / s.Span }

// pctPoint is one point of a latency percentile spectrum.
type pctPoint struct {
	P  float64 `json:"p"`  // percentile, 50 to 99.99
	Ms float64 `json:"ms"` // latency at it
}

// spectrum is the latency at percentiles evenly spaced in "nines"
// (-log10(1-p)) from 50 % to 99.99 %, as far as the number of
// measurements resolves (no p99.99 from 100 queries).
func (s *histSnap) spectrum() []pctPoint {
	if s.total == 0 {
		return nil
	}
	lo, hi := math.Log10(2), min(4, math.Log10(float64(s.total)))
	steps := max(1, int(math.Ceil((hi-lo)/0.05)))
	out := make([]pctPoint, 0, steps+1)
	for i := 0; i <= steps; i++ {
		n := lo + (hi-lo)*float64(i)/float64(steps)
		q := 1 - math.Pow(10, -n)
		out = append(out, pctPoint{P: 100 * q, Ms: ms(s.quantile(q))})
		if hi <= lo {
			break
		}
	}
	return out
}

// nines maps a percentile to its position on a spectrum's axis: 50 % is
// 0.3, 90 % 1, 99 % 2, 99.9 % 3.
func nines(p float64) float64 { return -math.Log10(1 - p/100) }
