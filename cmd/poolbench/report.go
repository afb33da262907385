package main

import (
	"time"

	"github.com/amysql/amysql/pool"
)

// result is one run's outcome, as printed and as written by -json.
type result struct {
	Driver         string           `json:"driver"`
	Workload       string           `json:"workload"`
	Workers        int              `json:"workers"`
	Rate           float64          `json:"target_rate,omitempty"`
	Seconds        float64          `json:"seconds"`
	Queries        int64            `json:"queries"` // statements: a batch counts each of its own
	Successes      int64            `json:"successes"`
	Errors         int64            `json:"errors"`
	ErrorsBy       map[string]int64 `json:"errors_by_class,omitempty"`
	FirstError     string           `json:"first_error,omitempty"`
	Throughput     float64          `json:"queries_per_second"`
	Latency        latency          `json:"latency_ms"`
	CPUPerQueryUs  float64          `json:"client_cpu_us_per_query"`
	AllocsPerQuery float64          `json:"allocs_per_query"`
	Pool           *poolStats       `json:"pool,omitempty"`
	ByNode         map[string]int64 `json:"queries_by_node,omitempty"` // statements each server ran (amysql)
	Round          int              `json:"round,omitempty"`           // -compare's round, from 1
	Step           float64          `json:"step_s"`                    // the series' interval
	Series         []sample         `json:"series"`
	Spectrum       []pctPoint       `json:"latency_spectrum"`
}

type latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
}

// poolStats are the pool's counters over the run.
type poolStats struct {
	Acquires           int64            `json:"acquires"`
	EmptyAcquires      int64            `json:"empty_acquires"`
	EmptyAcquireWaitMs float64          `json:"empty_acquire_wait_ms"`
	CanceledAcquires   int64            `json:"canceled_acquires"`
	Created            int64            `json:"connections_created"`
	Destroyed          map[string]int64 `json:"connections_destroyed"`
	Total              int              `json:"connections_at_end"`
}

func newResult(st *runStats, elapsed time.Duration, rc runConfig) *result {
	h := st.hist.snapshot()
	r := &result{
		Workers:   rc.workers,
		Rate:      rc.rate,
		Seconds:   elapsed.Seconds(),
		Successes: st.ok.Load(),
		Errors:    st.errs.Load(),
		ErrorsBy:  st.classes,
		Spectrum:  h.spectrum(),
		Latency: latency{
			P50: ms(h.quantile(0.5)), P90: ms(h.quantile(0.9)), P99: ms(h.quantile(0.99)),
			P999: ms(h.quantile(0.999)), Max: ms(time.Duration(h.max)),
		},
	}
	r.Queries = (r.Successes + r.Errors) * int64(max(rc.perOp, 1))
	if r.Seconds > 0 {
		r.Throughput = float64(r.Queries) / r.Seconds
	}
	return r
}

func poolDelta(a, b *pool.Stat) *poolStats {
	d := &poolStats{
		Acquires:           b.AcquireCount - a.AcquireCount,
		EmptyAcquires:      b.EmptyAcquireCount - a.EmptyAcquireCount,
		EmptyAcquireWaitMs: ms(b.EmptyAcquireWaitTime - a.EmptyAcquireWaitTime),
		CanceledAcquires:   b.CanceledAcquireCount - a.CanceledAcquireCount,
		Created:            b.NewConns - a.NewConns,
		Destroyed:          map[string]int64{},
		Total:              b.Total,
	}
	for k, v := range b.Destroyed {
		if n := v - a.Destroyed[k]; n > 0 {
			d.Destroyed[k] = n
		}
	}
	return d
}
