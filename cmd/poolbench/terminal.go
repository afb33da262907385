package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/amysql/amysql/pool"
)

// printReport writes the report of one run in aligned columns.
func printReport(w io.Writer, r *result) {
	fmt.Fprintf(w, "\n== %s\n", runTitle(r))
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintf(tw, "  throughput\t%s q/s\t%s queries\t%s ok\t%s errors\n",
		humanNum(r.Throughput), humanCount(r.Queries), humanCount(r.Successes), humanCount(r.Errors))
	fmt.Fprintf(tw, "  latency\tp50 %s\tp90 %s\tp99 %s\tp99.9 %s\tmax %s\n",
		humanMs(r.Latency.P50), humanMs(r.Latency.P90), humanMs(r.Latency.P99), humanMs(r.Latency.P999), humanMs(r.Latency.Max))
	if len(r.ErrorsBy) > 0 {
		var parts []string
		for k, v := range r.ErrorsBy {
			parts = append(parts, fmt.Sprintf("%s %s", k, humanCount(v)))
		}
		sort.Strings(parts)
		fmt.Fprintf(tw, "  errors\t%s\n", strings.Join(parts, ", "))
		if r.FirstError != "" {
			fmt.Fprintf(tw, "  first error\t%s\n", r.FirstError)
		}
	}
	fmt.Fprintf(tw, "  client cost\t%s CPU/query\t%s allocations/query\t(getrusage user+sys; runtime mallocs)\n",
		humanMs(r.CPUPerQueryUs/1000), sig3(r.AllocsPerQuery))
	if p := r.Pool; p != nil {
		fmt.Fprintf(tw, "  pool\t%s acquires\t%s waited, %s in all\t%s canceled\n",
			humanCount(p.Acquires), humanCount(p.EmptyAcquires), humanMs(p.EmptyAcquireWaitMs), humanCount(p.CanceledAcquires))
		fmt.Fprintf(tw, "  connections\t%s opened\t%d open at end\tclosed: %s\n", humanCount(p.Created), p.Total, closedInWords(p.Destroyed))
	}
	if len(r.ByNode) > 1 {
		fmt.Fprintf(tw, "  by server\t%s\n", byNodeInWords(r.ByNode))
	}
	tw.Flush()
}

// runTitle names a run: amysql · point-select · 16 workers · 3 s.
func runTitle(r *result) string {
	s := r.Driver + " · " + r.Workload + " · " + workersText(r.Workers)
	if r.Rate > 0 {
		s += " · open loop at " + humanNum(r.Rate) + " q/s"
	}
	if r.Round > 0 {
		s += fmt.Sprintf(" · round %d", r.Round)
	}
	return s + " · " + humanSeconds(round1(r.Seconds))
}

// closeReasons says in words why the pool closed connections, by
// pool.Stat's Destroyed keys.
var closeReasons = map[string]string{
	"broken":   "broken",
	"ping":     "failed the ping on acquire",
	"lifetime": "reached their maximum lifetime",
	"idle":     "idle too long",
	"recycle":  "unused past the recycle time",
	"dirty":    "could not be cleaned on release",
	"hook":     "rejected by a hook",
	"cleared":  "cleared",
	"closed":   "closed with the pool",
	"role":     "lost the server role the pool targets",
}

// closedInWords is "none", or the count and the reasons: "3 (2 idle too
// long, 1 broken)", in pool.DestroyReasons' order.
func closedInWords(by map[string]int64) string {
	var total int64
	keys := make([]string, 0, len(by))
	for k, v := range by {
		if v > 0 {
			keys = append(keys, k)
			total += v
		}
	}
	if total == 0 {
		return "none"
	}
	order := func(k string) int {
		if i := slices.Index(pool.DestroyReasons[:], k); i >= 0 {
			return i
		}
		return len(pool.DestroyReasons)
	}
	sort.Slice(keys, func(i, j int) bool {
		if oi, oj := order(keys[i]), order(keys[j]); oi != oj {
			return oi < oj
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		words, ok := closeReasons[k]
		if !ok {
			words = k
		}
		parts[i] = humanCount(by[k]) + " " + words
	}
	return humanCount(total) + " (" + strings.Join(parts, ", ") + ")"
}

// printSweep writes a concurrency sweep as a right-aligned table, one
// row per run.
func printSweep(w io.Writer, runs []*result) {
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w)
	fmt.Fprint(tw, "workers\tqueries/s\tp50\tp99\tp99.9\terrors\twaits\twaited\t\n")
	for _, r := range runs {
		waits, waited := "-", "-"
		if p := r.Pool; p != nil {
			waits, waited = humanCount(p.EmptyAcquires), humanMs(p.EmptyAcquireWaitMs)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Workers, humanNum(r.Throughput), humanMs(r.Latency.P50),
			humanMs(r.Latency.P99), humanMs(r.Latency.P999), humanCount(r.Errors), waits, waited)
	}
	tw.Flush()
}

// byNodeInWords lists each server's share of the statements, largest
// first: "db2:3306 52 %, db3:3306 48 %".
func byNodeInWords(by map[string]int64) string {
	var total int64
	nodes := make([]string, 0, len(by))
	for n, v := range by {
		nodes = append(nodes, n)
		total += v
	}
	sort.Slice(nodes, func(i, j int) bool {
		return by[nodes[i]] > by[nodes[j]] || by[nodes[i]] == by[nodes[j]] && nodes[i] < nodes[j]
	})
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = fmt.Sprintf("%s %.0f %%", n, 100*float64(by[n])/float64(max(total, 1)))
	}
	return strings.Join(parts, ", ")
}
