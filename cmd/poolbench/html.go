package main

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// writeHTML writes the report as one self-contained page: what was
// measured, a summary table, and the charts as inline SVG. Nothing is
// fetched: no script, no stylesheet, no font file.
func writeHTML(w io.Writer, m meta, runs []*result) error {
	st := styles(runs)
	var figs []*figure
	if f, err := sweepFigure(runs, m.PoolMax); err != nil {
		return err
	} else if f != nil {
		figs = append(figs, f)
	}
	if f, err := spectrumFigure(runs, st); err != nil {
		return err
	} else if f != nil {
		figs = append(figs, f)
	}
	for gi, g := range groups(runs) {
		rs, ss := make([]*result, len(g)), make([]lineStyle, len(g))
		for i, ri := range g {
			rs[i], ss[i] = runs[ri], st[ri]
		}
		f, err := timeFigure(fmt.Sprintf("time-%d", gi+1), rs, ss, m.PoolMax)
		if err != nil {
			return err
		}
		figs = append(figs, f)
	}

	var b strings.Builder
	title := "poolbench: " + m.Workload
	b.WriteString(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>` + html.EscapeString(title) + `</title>
<style>
body{font-family:'Liberation Sans',Arial,Helvetica,sans-serif;margin:1.5em 2em;color:#222;max-width:1000px}
h1{font-size:1.5em;margin-bottom:.3em}h2{font-size:1.15em;margin:1.6em 0 .4em}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:.15em 1em;margin:0 0 1em;font-size:.92em}
dl.facts dt{color:#666}dl.facts dd{margin:0}
code{font-family:'Liberation Mono',Menlo,Consolas,monospace;font-size:.92em}
table{border-collapse:collapse;font-size:.85em}td,th{border-bottom:1px solid #ddd;padding:3px 6px;text-align:right;white-space:nowrap}
th{background:#f4f4f4;border-bottom:1px solid #bbb}td.l,th.l{text-align:left}
figure{margin:.5em 0 1.2em}figure svg.plot{width:100%;height:auto;display:block;border:1px solid #e4e4e4}
figcaption{color:#555;font-size:.9em;margin-bottom:.3em}p.note{color:#8a5a00}
</style>
</head><body>
<h1>` + html.EscapeString(title) + `</h1>
`)
	writeFacts(&b, m)
	writeSummary(&b, runs)
	for _, f := range figs {
		fmt.Fprintf(&b, "<h2>%s</h2>\n<figure class=\"chart\" id=\"chart-%s\" data-points=\"%d\" data-lines=\"%d\">\n",
			html.EscapeString(f.title), f.id, f.points, f.lines)
		if f.note != "" {
			fmt.Fprintf(&b, "<p class=\"note\">%s</p>\n", html.EscapeString(f.note))
		} else {
			b.WriteString(f.svg)
		}
		b.WriteString("</figure>\n")
	}
	b.WriteString("</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeFacts writes the header: what was measured, where, when.
func writeFacts(b *strings.Builder, m meta) {
	b.WriteString(`<dl class="facts">`)
	fact := func(k, v string, code bool) {
		v = html.EscapeString(v)
		if code {
			v = "<code>" + v + "</code>"
		}
		fmt.Fprintf(b, "<dt>%s</dt><dd class=\"%s\">%s</dd>\n", k, strings.ReplaceAll(k, " ", "-"), v)
	}
	fact("server", m.Server, false)
	fact("DSN", m.DSN, true)
	fact("pool", m.Pool, false)
	fact("workload", m.Workload, false)
	fact("command", m.Command, true)
	fact("client", "Go "+strings.TrimPrefix(m.Go, "go")+", "+m.Machine, false)
	fact("date", m.Started.Format("2006-01-02 15:04:05 MST"), false)
	b.WriteString("</dl>\n")
	if m.Embedded {
		b.WriteString(`<p class="note">These figures measure the embedded go-mysql-server, not a real MySQL/MariaDB server.</p>` + "\n")
	}
}

// writeSummary writes one table row per run.
func writeSummary(b *strings.Builder, runs []*result) {
	b.WriteString(`<table class="summary"><tr><th class="l">driver</th><th>workers</th><th>time</th><th>queries/s</th><th>errors</th>` +
		`<th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>waits</th><th>waited</th><th>CPU/query</th><th>allocs/query</th></tr>` + "\n")
	for _, r := range runs {
		waits, waited := "-", "-"
		if p := r.Pool; p != nil {
			waits, waited = humanCount(p.EmptyAcquires), humanMs(p.EmptyAcquireWaitMs)
		}
		driver := r.Driver
		if r.Round > 0 {
			driver += fmt.Sprintf(" (round %d)", r.Round)
		}
		workers := fmt.Sprint(r.Workers)
		if r.Rate > 0 {
			workers += ", " + humanNum(r.Rate) + " q/s open loop"
		}
		cells := []string{workers, humanSeconds(round1(r.Seconds)), humanNum(r.Throughput), humanCount(r.Errors),
			humanMs(r.Latency.P50), humanMs(r.Latency.P90), humanMs(r.Latency.P99), humanMs(r.Latency.P999), humanMs(r.Latency.Max),
			waits, waited, humanMs(r.CPUPerQueryUs / 1000), sig3(r.AllocsPerQuery)}
		fmt.Fprintf(b, `<tr><td class="l">%s</td>`, html.EscapeString(driver))
		for _, c := range cells {
			fmt.Fprintf(b, "<td>%s</td>", html.EscapeString(c))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")
}
