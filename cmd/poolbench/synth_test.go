package main

import (
	"math"
	"math/rand/v2"
	"time"
)

// synthRun builds the result of a run of about qps queries/s without
// running it, as the sampler would have recorded it: whole intervals of
// sampleEvery(d) up to d, then a last one lastSpan long (a run rarely ends
// on a tick), latency from an exponential distribution around p50.
func synthRun(driver string, workers int, d time.Duration, qps, p50ms float64, lastSpan time.Duration, seed uint64) *result {
	r := rand.New(rand.NewPCG(seed, seed+1))
	var h histogram
	step := sampleEvery(d)
	res := &result{Driver: driver, Workload: "point-select", Workers: workers, Step: step.Seconds()}
	var t time.Duration
	waitsTotal := int64(0)
	full := int(d / step)
	for i := 0; i <= full; i++ {
		span := step
		if i == full {
			if lastSpan <= 0 {
				break
			}
			span = lastSpan
		}
		t += span
		n := int64(qps * span.Seconds() * (0.95 + 0.1*r.Float64()))
		var ih histogram
		for range n {
			v := time.Duration(r.ExpFloat64() * p50ms / math.Ln2 * float64(time.Millisecond))
			h.record(v)
			ih.record(v)
		}
		s := ih.snapshot()
		w := int64(0)
		if workers > 8 {
			w = n / 3
		}
		waitsTotal += w
		res.Series = append(res.Series, sample{T: t.Seconds(), Span: span.Seconds(), Ops: n,
			P50Ms: ms(s.quantile(0.5)), P99Ms: ms(s.quantile(0.99)),
			Pool: &poolSample{Acquired: min(workers, 8) - r.IntN(2), Idle: r.IntN(2), Waiting: max(workers-8-r.IntN(2), 0), Waits: w, WaitMs: float64(w) * 0.3}})
	}
	snap := h.snapshot()
	res.Seconds = t.Seconds()
	res.Successes, res.Queries = snap.total, snap.total
	res.Throughput = float64(snap.total) / res.Seconds
	res.Latency = latency{P50: ms(snap.quantile(0.5)), P90: ms(snap.quantile(0.9)), P99: ms(snap.quantile(0.99)),
		P999: ms(snap.quantile(0.999)), Max: ms(time.Duration(snap.max))}
	res.Spectrum = snap.spectrum()
	res.CPUPerQueryUs, res.AllocsPerQuery = 45.4, 19
	if driver == "amysql" {
		res.Pool = &poolStats{Acquires: snap.total, EmptyAcquires: waitsTotal, EmptyAcquireWaitMs: float64(waitsTotal) * 0.3,
			Created: int64(min(workers, 8)), Destroyed: map[string]int64{}, Total: min(workers, 8)}
	} else {
		for i := range res.Series {
			res.Series[i].Pool.Waiting = -1
		}
	}
	return res
}

func synthMeta() meta {
	return meta{Started: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), Server: "10.11.6-MariaDB-0+deb12u1",
		DSN: "app:***@tcp(db:3306)/bench", Pool: "min 8, max 8, recycle off", PoolMax: 8, Workload: "point-select",
		Command: "poolbench -dsn 'app:***@tcp(db:3306)/bench' -c 1,4,8,16,32 -max 8", Go: "go1.26.0", Machine: "test, linux/amd64, 2 CPUs"}
}
