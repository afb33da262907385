package main

import (
	"errors"
	"math"
	"testing"
	"time"
)

type fakeGauge struct{ now poolNow }

func (g *fakeGauge) poolNow() poolNow { return g.now }

// TestSamplerCutsIntervalsAndFoldsTheTail feeds a sampler by hand: each
// interval gets what was recorded in it, the live figures cover the last
// second, and a run ending on a tick adds its stragglers to the interval
// before instead of an interval of no length.
func TestSamplerCutsIntervalsAndFoldsTheTail(t *testing.T) {
	var st runStats
	g := &fakeGauge{}
	sm := newSampler(&st, g, 100*time.Millisecond, time.Second, 1)
	for i := 1; i <= 15; i++ {
		for range i * 10 { // interval i holds 10*i queries of i ms
			st.ok.Add(1)
			st.hist.record(time.Duration(i) * time.Millisecond)
		}
		if i%5 == 0 {
			st.fail(errors.New("boom"))
		}
		g.now = poolNow{acquired: i, idle: 1, waiting: 2, waits: int64(3 * i), waitTime: time.Duration(i) * time.Millisecond}
		sm.take(time.Duration(i) * 100 * time.Millisecond)
	}
	if len(sm.series) != 15 {
		t.Fatalf("%d intervals, want 15", len(sm.series))
	}
	for i, s := range sm.series {
		n := i + 1
		if s.Ops != int64(10*n) || math.Abs(s.Span-0.1) > 1e-9 || math.Abs(s.T-0.1*float64(n)) > 1e-9 {
			t.Errorf("interval %d: %+v", n, s)
		}
		if want := float64(n); math.Abs(s.P50Ms-want)/want > 0.04 {
			t.Errorf("interval %d: p50 %v ms, want %v", n, s.P50Ms, want)
		}
		if wantErr := int64(0); n%5 == 0 && s.Errors != 1 || n%5 != 0 && s.Errors != wantErr {
			t.Errorf("interval %d: %d errors", n, s.Errors)
		}
		if p := s.Pool; p == nil || p.Acquired != n || p.Waits != 3 || p.Waiting != 2 {
			t.Errorf("interval %d: pool %+v", n, s.Pool)
		}
	}
	// The last second is intervals 6..15: 10*(6+...+15) = 1050 queries
	// and 2 errors in 1 s; their median is 11 or 12 ms.
	f := sm.live(1500 * time.Millisecond)
	if f.rate != 1052 || f.errors != 3 || f.queries != 1203 || f.p50 < 10.5 || f.p50 > 12.5 || f.waitsPerS != 30 || !f.hasWaiting {
		t.Errorf("live figures %+v", f)
	}
	// The run ends on the last tick: 7 more queries complete in no time.
	for range 7 {
		st.ok.Add(1)
		st.hist.record(time.Millisecond)
	}
	sm.take(1500 * time.Millisecond)
	if len(sm.series) != 15 || sm.series[14].Ops != 157 {
		t.Errorf("the tail made %d intervals, the last holding %d", len(sm.series), sm.series[14].Ops)
	}
}

func TestSampleStepKeepsSeriesShort(t *testing.T) {
	for _, tt := range []struct {
		d, want time.Duration
	}{{0, 250 * time.Millisecond}, {2 * time.Second, 100 * time.Millisecond}, {30 * time.Second, 100 * time.Millisecond},
		{time.Minute, 250 * time.Millisecond}, {10 * time.Minute, 2 * time.Second}, {24 * time.Hour, time.Minute}} {
		if got := sampleEvery(tt.d); got != tt.want {
			t.Errorf("a %v run: every %v, want %v", tt.d, got, tt.want)
		}
	}
}
