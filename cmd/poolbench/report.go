package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
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
	Queries        int64            `json:"queries"`
	Successes      int64            `json:"successes"`
	Errors         int64            `json:"errors"`
	ErrorsBy       map[string]int64 `json:"errors_by_class,omitempty"`
	FirstError     string           `json:"first_error,omitempty"`
	Throughput     float64          `json:"queries_per_second"`
	Latency        latency          `json:"latency_ms"`
	CPUPerQueryUs  float64          `json:"client_cpu_us_per_query"`
	AllocsPerQuery float64          `json:"allocs_per_query"`
	Pool           *poolStats       `json:"pool,omitempty"`
	PerSecond      []second         `json:"per_second"`
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
		PerSecond: st.seconds,
		Latency: latency{
			P50: ms(h.quantile(0.5)), P90: ms(h.quantile(0.9)), P99: ms(h.quantile(0.99)),
			P999: ms(h.quantile(0.999)), Max: ms(time.Duration(h.max)),
		},
	}
	r.Queries = r.Successes + r.Errors
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

// printReport writes the human-readable report of one run.
func printReport(w io.Writer, r *result) {
	fmt.Fprintf(w, "\n== %s, workload %s, %d workers", r.Driver, r.Workload, r.Workers)
	if r.Rate > 0 {
		fmt.Fprintf(w, ", open loop at %.0f q/s", r.Rate)
	}
	fmt.Fprintf(w, ", %.1f s\n", r.Seconds)
	fmt.Fprintf(w, "  throughput    %10.0f queries/s  (%d queries: %d ok, %d errors)\n", r.Throughput, r.Queries, r.Successes, r.Errors)
	fmt.Fprintf(w, "  latency (ms)  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n",
		r.Latency.P50, r.Latency.P90, r.Latency.P99, r.Latency.P999, r.Latency.Max)
	if len(r.ErrorsBy) > 0 {
		var parts []string
		for k, v := range r.ErrorsBy {
			parts = append(parts, fmt.Sprintf("%s %d", k, v))
		}
		sort.Strings(parts)
		fmt.Fprintf(w, "  errors        %s\n", strings.Join(parts, ", "))
		if r.FirstError != "" {
			fmt.Fprintf(w, "  first error   %s\n", r.FirstError)
		}
	}
	fmt.Fprintf(w, "  client cost   %.1f µs CPU/query (getrusage, user+sys), %.1f allocations/query\n", r.CPUPerQueryUs, r.AllocsPerQuery)
	if p := r.Pool; p != nil {
		fmt.Fprintf(w, "  pool          %d acquires, %d waited (%.1f ms total), %d canceled, %d connections opened, closed %v, %d open at end\n",
			p.Acquires, p.EmptyAcquires, p.EmptyAcquireWaitMs, p.CanceledAcquires, p.Created, p.Destroyed, p.Total)
	}
}

// printSweepRow writes one line of a concurrency sweep table.
func printSweepRow(w io.Writer, r *result, header bool) {
	if header {
		fmt.Fprintf(w, "\n%8s %12s %9s %9s %9s %9s %8s\n", "workers", "queries/s", "p50 ms", "p99 ms", "p99.9 ms", "errors", "waits")
	}
	waits := int64(0)
	if r.Pool != nil {
		waits = r.Pool.EmptyAcquires
	}
	fmt.Fprintf(w, "%8d %12.0f %9.3f %9.3f %9.3f %9d %8d\n", r.Workers, r.Throughput, r.Latency.P50, r.Latency.P99, r.Latency.P999, r.Errors, waits)
}
