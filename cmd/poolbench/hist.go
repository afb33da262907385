package main

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// histogram is an HDR-style log-linear latency histogram: 32 buckets per
// power of two (about 3 % resolution), lock-free to record into.
type histogram struct {
	counts [histBuckets]atomic.Int64
	max    atomic.Int64
}

const (
	histSub     = 5 // 2^5 sub-buckets per power of two
	histBuckets = 64 << histSub
)

func bucketOf(ns int64) int {
	v := uint64(max(ns, 0))
	if v < 1<<histSub {
		return int(v)
	}
	msb := bits.Len64(v) - 1
	shift := msb - histSub
	return (shift+1)<<histSub + int(v>>shift) - 1<<histSub
}

// lowerBound is the smallest value in bucket i.
func lowerBound(i int) int64 {
	if i < 1<<histSub {
		return int64(i)
	}
	shift := i>>histSub - 1
	m := int64(i&(1<<histSub-1)) + 1<<histSub
	return m << shift
}

func (h *histogram) record(d time.Duration) {
	ns := int64(d)
	h.counts[bucketOf(ns)].Add(1)
	for {
		m := h.max.Load()
		if ns <= m || h.max.CompareAndSwap(m, ns) {
			return
		}
	}
}

// snapshot copies the counts.
func (h *histogram) snapshot() *histSnap {
	s := new(histSnap)
	h.snapshotInto(s)
	return s
}

// snapshotInto copies the counts into s, reusing its memory.
func (h *histogram) snapshotInto(s *histSnap) {
	s.max, s.total = h.max.Load(), 0
	for i := range h.counts {
		c := h.counts[i].Load()
		s.counts[i] = c
		s.total += c
	}
}

// histSnap is a histogram frozen for reading.
type histSnap struct {
	counts [histBuckets]int64
	total  int64
	max    int64
}

// subInto sets d to s - prev (the interval between two snapshots), reusing d's memory. d's max is the run's
// maximum so far, which caps its quantiles without bounding them.
func (s *histSnap) subInto(prev, d *histSnap) {
	d.max, d.total = s.max, 0
	for i := range s.counts {
		d.counts[i] = s.counts[i] - prev.counts[i]
		d.total += d.counts[i]
	}
}

// quantile returns the value at quantile q (0..1): the upper edge of the
// bucket holding it, capped at the maximum seen.
func (s *histSnap) quantile(q float64) time.Duration {
	if s.total == 0 {
		return 0
	}
	rank := int64(q*float64(s.total) + 0.5)
	rank = min(max(rank, 1), s.total)
	var seen int64
	for i, c := range s.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(lowerBound(i+1)-1, s.max))
		}
	}
	return time.Duration(s.max)
}
