package main

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

func TestHistogramQuantilesWithinResolution(t *testing.T) {
	var h histogram
	vals := make([]int64, 100000)
	for i := range vals {
		vals[i] = int64(rand.ExpFloat64() * float64(time.Millisecond))
		h.record(time.Duration(vals[i]))
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	s := h.snapshot()
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		exact := vals[int(q*float64(len(vals)))-1]
		got := int64(s.quantile(q))
		if diff := float64(got-exact) / float64(exact); diff < -0.04 || diff > 0.04 {
			t.Errorf("p%v = %v, exact %v (%.1f%% off)", q*100, time.Duration(got), time.Duration(exact), diff*100)
		}
	}
	if time.Duration(s.max) != time.Duration(vals[len(vals)-1]) || s.total != int64(len(vals)) {
		t.Errorf("max %v total %d", time.Duration(s.max), s.total)
	}
	for _, v := range []int64{0, 1, 31, 32, 33, 1000, 1 << 40} {
		if lb := lowerBound(bucketOf(v)); lb > v || lowerBound(bucketOf(v)+1) <= v {
			t.Errorf("value %d in bucket %d [%d, %d)", v, bucketOf(v), lb, lowerBound(bucketOf(v)+1))
		}
	}
}
