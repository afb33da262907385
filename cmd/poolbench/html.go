package main

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// writeHTML writes a self-contained report: a summary table and, per run,
// inline SVG charts of throughput and latency over time. No external
// assets are referenced.
func writeHTML(w io.Writer, title string, runs []*result) error {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + html.EscapeString(title) + `</title>
<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f4f4f4}svg{background:#fafafa;border:1px solid #ddd;margin:6px 12px 6px 0}h2{margin-top:1.6em}.legend span{margin-right:1em}</style>
</head><body><h1>` + html.EscapeString(title) + `</h1>
<table><tr><th>driver</th><th>workload</th><th>workers</th><th>queries/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>errors</th><th>CPU µs/query</th><th>allocs/query</th></tr>`)
	for _, r := range runs {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%d</td><td>%.0f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%d</td><td>%.1f</td><td>%.1f</td></tr>",
			html.EscapeString(r.Driver), html.EscapeString(r.Workload), r.Workers, r.Throughput, r.Latency.P50, r.Latency.P90,
			r.Latency.P99, r.Latency.P999, r.Latency.Max, r.Errors, r.CPUPerQueryUs, r.AllocsPerQuery)
	}
	b.WriteString("</table>")
	for i, r := range runs {
		fmt.Fprintf(&b, `<h2 id="run-%d">%s · %s · %d workers</h2>`, i+1, html.EscapeString(r.Driver), html.EscapeString(r.Workload), r.Workers)
		ops := make([]float64, len(r.PerSecond))
		p50 := make([]float64, len(r.PerSecond))
		p99 := make([]float64, len(r.PerSecond))
		for j, s := range r.PerSecond {
			ops[j], p50[j], p99[j] = float64(s.Ops)/max(s.Span, 0.001), s.P50Ms, s.P99Ms
		}
		b.WriteString(chart("throughput", "queries/s", [][]float64{ops}, []string{"#1f77b4"}))
		b.WriteString(chart("latency", "ms", [][]float64{p50, p99}, []string{"#2ca02c", "#d62728"}))
		b.WriteString(`<div class="legend"><span style="color:#2ca02c">■ p50</span><span style="color:#d62728">■ p99</span></div>`)
	}
	b.WriteString("</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// chart draws series as polylines in a 600×220 SVG with axes.
func chart(class, unit string, series [][]float64, colors []string) string {
	const w, h, left, bottom = 600.0, 220.0, 60.0, 24.0
	maxY := 0.0
	n := 0
	for _, s := range series {
		n = max(n, len(s))
		for _, v := range s {
			maxY = max(maxY, v)
		}
	}
	if maxY == 0 {
		maxY = 1
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart %s" xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`, class, w, h, w, h)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#888"/>`, left, h-bottom, w-5, h-bottom)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="5" x2="%.0f" y2="%.0f" stroke="#888"/>`, left, left, h-bottom)
	fmt.Fprintf(&b, `<text x="4" y="14" font-size="11">%.4g %s</text><text x="4" y="%.0f" font-size="11">0</text>`, maxY, unit, h-bottom)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="11">%d s</text>`, w-40, h-6, n)
	for i, s := range series {
		if len(s) == 0 {
			continue
		}
		var pts []string
		for j, v := range s {
			x := left + (w-left-10)*float64(j)/float64(max(n-1, 1))
			y := (h - bottom) - (h-bottom-10)*v/maxY
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		}
		fmt.Fprintf(&b, `<polyline class="series" fill="none" stroke="%s" stroke-width="2" points="%s"/>`, colors[i%len(colors)], strings.Join(pts, " "))
	}
	b.WriteString("</svg>")
	return b.String()
}
