package main

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The report's figures: the sweep, the latency spectrum, and per group of
// runs their time series.

// sweepFigure draws throughput and p50/p99 against workers (log scale),
// a line per driver, with the pool's size marked; nil without at least
// two worker counts.
func sweepFigure(runs []*result, poolMax int) (*figure, error) {
	byDriver := map[string][]*result{}
	var drivers []string
	levels := map[int]bool{}
	for _, r := range runs {
		if byDriver[r.Driver] == nil {
			drivers = append(drivers, r.Driver)
		}
		byDriver[r.Driver] = append(byDriver[r.Driver], r)
		levels[r.Workers] = true
	}
	if len(levels) < 2 {
		return nil, nil
	}
	var ticks []float64
	for w := range levels {
		ticks = append(ticks, float64(w))
	}
	if poolMax > 0 && !levels[poolMax] {
		ticks = append(ticks, float64(poolMax))
	}
	slices.Sort(ticks)
	label := func(v float64) string { return fmt.Sprint(int(v)) }
	tp := newPanel("Throughput against workers", "workers (log scale)", "queries/s")
	lat := newPanel("Latency against workers", "workers (log scale)", "latency")
	for _, pn := range []*panel{tp, lat} {
		pn.p.X.Scale = logScale{}
		pn.p.X.Tick.Marker = constTicks(ticks, label)
		pn.p.X.Min, pn.p.X.Max = ticks[0]/1.15, ticks[len(ticks)-1]*1.15
	}
	tp.p.Y.Tick.Marker = humanTicks{label: humanNum}
	lat.p.Y.Tick.Marker = humanTicks{label: humanMs}
	for _, d := range drivers {
		rs := mergeLevels(byDriver[d])
		sty := lineStyle{color: driverColors[d]}
		if sty.color == nil {
			sty.color = color.Black
		}
		xs, q, p50, p99 := make([]float64, len(rs)), make([]float64, len(rs)), make([]float64, len(rs)), make([]float64, len(rs))
		for i, r := range rs {
			xs[i], q[i], p50[i], p99[i] = float64(r.Workers), r.Throughput, r.Latency.P50, r.Latency.P99
		}
		if err := tp.line(xs, q, sty, d, true); err != nil {
			return nil, err
		}
		if err := lat.line(xs, p50, sty, d+" p50", true); err != nil {
			return nil, err
		}
		sty.dashes = dashed
		if err := lat.line(xs, p99, sty, d+" p99", true); err != nil {
			return nil, err
		}
	}
	yRange(tp.p, 1)
	yRange(lat.p, 0.01)
	if poolMax > 0 {
		name := fmt.Sprintf("pool max %d", poolMax)
		tp.vmark(float64(poolMax), name)
		lat.vmark(float64(poolMax), name)
	}
	svg, err := render([]*panel{tp, lat}, panelHeight)
	if err != nil {
		return nil, err
	}
	return &figure{id: "sweep", title: "Sizing sweep", svg: svg, points: tp.points + lat.points, lines: tp.lines + lat.lines}, nil
}

// mergeLevels keeps one run per worker count (the last), in order.
func mergeLevels(rs []*result) []*result {
	by := map[int]*result{}
	for _, r := range rs {
		by[r.Workers] = r
	}
	out := make([]*result, 0, len(by))
	for _, r := range by {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *result) int { return a.Workers - b.Workers })
	return out
}

// spectrumFigure draws each run's latency against the percentile, on a
// log scale of nines (50, 90, 99, 99.9, 99.99 %), all runs overlaid.
func spectrumFigure(runs []*result, st []lineStyle) (*figure, error) {
	pn := newPanel("Latency by percentile", "percentile", "latency (log scale)")
	pn.p.Y.Scale = logScale{}
	pn.p.Y.Tick.Marker = logTicks{label: humanMs}
	hi := 0.0
	for i, r := range runs {
		xs, ys := make([]float64, len(r.Spectrum)), make([]float64, len(r.Spectrum))
		for j, pt := range r.Spectrum {
			xs[j], ys[j] = nines(pt.P), pt.Ms
			if pt.Ms <= 0 {
				ys[j] = math.NaN() // nothing to place on a log scale
			}
			hi = max(hi, xs[j])
		}
		if err := pn.line(xs, ys, st[i], st[i].label, false); err != nil {
			return nil, err
		}
	}
	if pn.points == 0 {
		return nil, nil
	}
	var at []float64
	for _, p := range []float64{50, 90, 99, 99.9, 99.99} {
		if nines(p) <= hi+1e-9 {
			at = append(at, nines(p))
		}
	}
	pn.p.X.Tick.Marker = constTicks(at, func(v float64) string {
		return strconv.FormatFloat(math.Round(1e4*(1-math.Pow(10, -v)))/100, 'f', -1, 64) + " %"
	})
	pn.p.X.Min, pn.p.X.Max = nines(50), max(hi, nines(90))
	pn.p.Y.Min, pn.p.Y.Max = pn.p.Y.Min/1.2, pn.p.Y.Max*1.2
	svg, err := render([]*panel{pn}, 1.6*panelHeight)
	if err != nil {
		return nil, err
	}
	return &figure{id: "spectrum", title: "Latency percentile spectrum", svg: svg, points: pn.points, lines: pn.lines}, nil
}

// groups are the runs drawn together over time: the two drivers of each
// -compare round, else each run on its own.
func groups(runs []*result) [][]int {
	var out [][]int
	byRound := map[int]int{}
	for i, r := range runs {
		if r.Round > 0 {
			if g, ok := byRound[r.Round]; ok {
				out[g] = append(out[g], i)
				continue
			}
			byRound[r.Round] = len(out)
		}
		out = append(out, []int{i})
	}
	return out
}

// Pool series colours, the same for every run (runs differ by dashes).
var (
	busyColor    = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	idleColor    = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
	waitingColor = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	errorColor   = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
)

// timeFigure draws a group's runs over time: throughput (and errors),
// p50 and p99, the pool's connections and its waits per second. Runs
// differ by colour; in the pool panel, where colours name the series, by
// dashes. The partial last interval follows chartSamples' rule.
func timeFigure(id string, runs []*result, st []lineStyle, poolMax int) (*figure, error) {
	tp := newPanel("Throughput", "time", "queries/s")
	lat := newPanel("Latency", "time", "latency")
	conns := newPanel("Pool connections", "time", "connections")
	waits := newPanel("Pool waits", "time", "waits/s")
	lat.key("p50", lineStyle{color: markColor})
	lat.key("p99", lineStyle{color: markColor, dashes: dashed})
	conns.key("busy", lineStyle{color: busyColor})
	conns.key("idle", lineStyle{color: idleColor})
	end, hasPool, hasWaiting := 0.0, false, false
	for i, r := range runs {
		c := seriesColumns(r)
		hasWaiting = hasWaiting || c.anyWaiting
		if n := len(c.t); n > 0 {
			end = max(end, c.t[n-1])
		}
		sty := lineStyle{color: st[i].color, label: st[i].label}
		if err := tp.line(c.t, c.qps, sty, sty.label, false); err != nil {
			return nil, err
		}
		if c.anyErr {
			if err := tp.line(c.t, c.errs, lineStyle{color: errorColor, dashes: dotted}, "errors/s, "+sty.label, false); err != nil {
				return nil, err
			}
		}
		if err := lat.line(c.t, c.p50, sty, sty.label, false); err != nil {
			return nil, err
		}
		if err := lat.line(c.t, c.p99, lineStyle{color: sty.color, dashes: dashed}, "", false); err != nil {
			return nil, err
		}
		if !c.anyPool {
			continue
		}
		hasPool = true
		d := roundDashes[i%len(roundDashes)]
		for _, s := range []struct {
			ys []float64
			c  color.Color
		}{{c.busy, busyColor}, {c.idle, idleColor}, {c.waiting, waitingColor}} {
			if err := conns.line(c.t, s.ys, lineStyle{color: s.c, dashes: d}, "", false); err != nil {
				return nil, err
			}
		}
		if err := waits.line(c.t, c.waits, sty, sty.label, false); err != nil {
			return nil, err
		}
	}
	title := groupTitle(runs)
	if tp.points == 0 {
		return &figure{id: id, title: title, note: "too short for a time series: under half of one " +
			humanSeconds(runs[0].Step) + " interval"}, nil
	}
	if hasWaiting {
		conns.key("waiting in Acquire", lineStyle{color: waitingColor})
	}
	if len(runs) > 1 {
		for i := range runs {
			conns.key(st[i].label, lineStyle{color: markColor, dashes: roundDashes[i%len(roundDashes)]})
		}
	}
	panels := []*panel{tp, lat}
	if hasPool {
		if poolMax > 0 {
			conns.p.Y.Max = max(conns.p.Y.Max, float64(poolMax))
		}
		panels = append(panels, conns, waits)
	}
	for _, pn := range panels {
		pn.p.X.Min, pn.p.X.Max = 0, end
		pn.p.X.Tick.Marker = humanTicks{label: humanSeconds, n: 10}
	}
	tp.p.Y.Tick.Marker = humanTicks{label: humanNum}
	lat.p.Y.Tick.Marker = humanTicks{label: humanMs}
	conns.p.Y.Tick.Marker = humanTicks{label: humanNum, integer: true}
	waits.p.Y.Tick.Marker = humanTicks{label: humanNum}
	yRange(tp.p, 1)
	yRange(lat.p, 0.01)
	yRange(conns.p, 1)
	yRange(waits.p, 1)
	svg, err := render(panels, panelHeight)
	if err != nil {
		return nil, err
	}
	f := &figure{id: id, title: title, svg: svg}
	for _, pn := range panels {
		f.points += pn.points
		f.lines += pn.lines
	}
	return f, nil
}

// columns are a run's time series as drawn: one value per interval kept
// by chartSamples, rates over each interval's own span, NaN where there is
// nothing to draw (no latency without a successful query, no waiting count
// from database/sql).
type columns struct {
	t, qps, errs, p50, p99      []float64
	busy, idle, waiting, waits  []float64
	anyErr, anyPool, anyWaiting bool
}

func seriesColumns(r *result) columns {
	ss := chartSamples(r.Series, r.Step)
	n := len(ss)
	col := func() []float64 { return make([]float64, n) }
	c := columns{t: col(), qps: col(), errs: col(), p50: col(), p99: col(), busy: col(), idle: col(), waiting: col(), waits: col()}
	for j, s := range ss {
		c.t[j] = s.T
		c.qps[j], c.errs[j] = s.rate(s.Ops+s.Errors), s.rate(s.Errors)
		c.p50[j], c.p99[j] = s.P50Ms, s.P99Ms
		if s.Ops == 0 {
			c.p50[j], c.p99[j] = math.NaN(), math.NaN()
		}
		c.anyErr = c.anyErr || s.Errors > 0
		c.busy[j], c.idle[j], c.waiting[j], c.waits[j] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if p := s.Pool; p != nil {
			c.anyPool = true
			c.busy[j], c.idle[j], c.waits[j] = float64(p.Acquired), float64(p.Idle), s.rate(p.Waits)
			if p.Waiting >= 0 {
				c.waiting[j] = float64(p.Waiting)
				c.anyWaiting = true
			}
		}
	}
	return c
}

// groupTitle names a time figure: the run, or for a -compare round the
// drivers side by side.
func groupTitle(runs []*result) string {
	if len(runs) == 1 {
		return runTitle(runs[0])
	}
	names := make([]string, len(runs))
	for i, r := range runs {
		names[i] = r.Driver
	}
	r := runs[0]
	return fmt.Sprintf("Round %d: %s · %s · %s · %s", r.Round, strings.Join(names, " and "), r.Workload,
		workersText(r.Workers), humanSeconds(round1(r.Seconds)))
}

// logScale is gonum's log scale, safe for the non-positive values an
// empty axis starts with.
type logScale struct{}

func (logScale) Normalize(lo, hi, x float64) float64 {
	if lo <= 0 || hi <= 0 || x <= 0 {
		return 0
	}
	return (math.Log(x) - math.Log(lo)) / (math.Log(hi) - math.Log(lo))
}
