package main

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestPartialLastIntervalIsNeverDrawnAsAFall draws a 2-second and a
// 60-second run whose last interval is partial: a sliver (one query in a
// millisecond) is dropped, a longer one is scaled by its own span, and no
// drawn throughput point falls below the steady rate.
func TestPartialLastIntervalIsNeverDrawnAsAFall(t *testing.T) {
	const qps = 17000
	tests := []struct {
		name       string
		d, last    time.Duration
		sliver     bool // the last interval holds one query in 1 ms
		wantPoints int
		wantEnd    float64
	}{
		{"2 s run ending 1 ms after a tick", 2 * time.Second, 0, true, 20, 2},
		{"2 s run ending 60 ms after a tick", 2 * time.Second, 60 * time.Millisecond, false, 21, 2.06},
		{"2 s run ending 40 ms after a tick", 2 * time.Second, 40 * time.Millisecond, false, 20, 2},
		{"60 s run ending 1 ms after a tick", 60 * time.Second, 0, true, 240, 60},
		{"60 s run ending 130 ms after a tick", 60 * time.Second, 130 * time.Millisecond, false, 241, 60.13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := synthRun("amysql", 4, tt.d, qps, 0.2, tt.last, 7)
			if tt.sliver {
				n := len(r.Series)
				r.Series = append(r.Series, sample{T: r.Series[n-1].T + 0.001, Span: 0.001, Ops: 1, P50Ms: 0.2, P99Ms: 0.2})
			}
			if want := sampleEvery(tt.d).Seconds(); r.Step != want {
				t.Fatalf("step %v, want %v", r.Step, want)
			}
			c := seriesColumns(r)
			if len(c.t) != tt.wantPoints {
				t.Errorf("%d points drawn, want %d", len(c.t), tt.wantPoints)
			}
			if end := c.t[len(c.t)-1]; math.Abs(end-tt.wantEnd) > 1e-6 {
				t.Errorf("the time axis ends at %v s, want %v", end, tt.wantEnd)
			}
			for i, v := range c.qps {
				if v < 0.9*qps || v > 1.1*qps {
					t.Errorf("point %d at %.2f s: %.0f q/s, the run held %d q/s", i, c.t[i], v, qps)
				}
			}
			f, err := timeFigure("t", []*result{r}, styles([]*result{r}), 8)
			if err != nil {
				t.Fatal(err)
			}
			// Throughput, p50, p99, busy, idle, waiting, waits/s.
			if f.lines != 7 || f.points != 7*tt.wantPoints {
				t.Errorf("figure has %d lines of %d points, want 7 of %d", f.lines, f.points, 7*tt.wantPoints)
			}
			checkLabels(t, f.svg)
		})
	}
}

// svgText is the text of an SVG's <text> elements.
var svgText = regexp.MustCompile(`<text[^>]*>([^<]*)</text>`)

// checkLabels fails on labels a person should not have to read: NaN,
// infinities, exponents.
func checkLabels(t *testing.T, svg string) {
	t.Helper()
	bad := regexp.MustCompile(`NaN|Inf|\de[+-]?\d`)
	n := 0
	for _, m := range svgText.FindAllStringSubmatch(svg, -1) {
		n++
		if bad.MatchString(m[1]) {
			t.Errorf("label %q", m[1])
		}
	}
	if n < 10 {
		t.Errorf("only %d labels in the chart", n)
	}
}

func TestSpectrumCoversTheNinesTheRunResolves(t *testing.T) {
	for _, tt := range []struct {
		n       int
		lastPct float64
	}{{1, 50}, {100, 99}, {1000, 99.9}, {100000, 99.99}, {1000000, 99.99}} {
		var h histogram
		for i := range tt.n {
			h.record(time.Duration(i+1) * time.Microsecond)
		}
		sp := h.snapshot().spectrum()
		if len(sp) == 0 || sp[0].P != 50 {
			t.Fatalf("n=%d: spectrum %v does not start at 50 %%", tt.n, sp)
		}
		if last := sp[len(sp)-1].P; math.Abs(last-tt.lastPct) > 1e-9 {
			t.Errorf("n=%d: spectrum ends at %v %%, want %v %%", tt.n, last, tt.lastPct)
		}
		for i := 1; i < len(sp); i++ {
			if sp[i].P <= sp[i-1].P || sp[i].Ms < sp[i-1].Ms {
				t.Errorf("n=%d: not monotone at %d: %v then %v", tt.n, i, sp[i-1], sp[i])
			}
		}
		// p50 of 1..n µs is n/2 µs, within the histogram's 3 %.
		if want := float64(tt.n) / 2 / 1000; tt.n >= 100 && math.Abs(sp[0].Ms-want)/want > 0.04 {
			t.Errorf("n=%d: p50 %v ms, want %v", tt.n, sp[0].Ms, want)
		}
	}
}

func TestSweepChartMarksThePoolAndPlotsEveryLevel(t *testing.T) {
	var runs []*result
	levels := []int{1, 4, 16, 64}
	for i, w := range levels {
		runs = append(runs, synthRun("amysql", w, 2*time.Second, 5000*float64(i+1), 0.1*float64(w), 0, uint64(i)))
	}
	f, err := sweepFigure(runs, 8)
	if err != nil {
		t.Fatal(err)
	}
	// Throughput, p50 and p99: a line and a marker per level each.
	if f == nil || f.lines != 3 || f.points != 3*len(levels) {
		t.Fatalf("sweep figure %+v", f)
	}
	var labels []string
	for _, m := range svgText.FindAllStringSubmatch(f.svg, -1) {
		labels = append(labels, m[1])
	}
	all := strings.Join(labels, "|")
	for _, want := range []string{"|1|", "|4|", "|8|", "|16|", "|64|", "pool max 8", "workers (log scale)", "queries/s", "5k"} {
		if !strings.Contains("|"+all+"|", want) {
			t.Errorf("no label %q among %v", want, labels)
		}
	}
	checkLabels(t, f.svg)
	if f, _ := sweepFigure(runs[:1], 8); f != nil {
		t.Error("a sweep chart for a single worker count")
	}
}

func TestTicksAreRoundAndHuman(t *testing.T) {
	tests := []struct {
		ticker     humanTicks
		lo, hi     float64
		wantLabels string
	}{
		{humanTicks{label: humanNum}, 0, 18000, "0 5k 10k 15k"},
		{humanTicks{label: humanSeconds, n: 10}, 0, 60.13, "0 s 10 s 20 s 30 s 40 s 50 s 60 s"},
		{humanTicks{label: humanSeconds, n: 10}, 0, 2, "0 s 0.2 s 0.4 s 0.6 s 0.8 s 1 s 1.2 s 1.4 s 1.6 s 1.8 s 2 s"},
		{humanTicks{label: humanMs}, 0, 0.42, "0 ms 100 µs 200 µs 300 µs 400 µs"},
		{humanTicks{label: humanNum, integer: true}, 0, 3, "0 1 2 3"},
	}
	for _, tt := range tests {
		var got []string
		for _, tk := range tt.ticker.Ticks(tt.lo, tt.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
			if tt.ticker.integer && tk.Value != math.Trunc(tk.Value) {
				t.Errorf("tick at %v on an integer axis", tk.Value)
			}
		}
		if s := strings.Join(got, " "); s != tt.wantLabels {
			t.Errorf("ticks over [%v, %v]: %q, want %q", tt.lo, tt.hi, s, tt.wantLabels)
		}
	}
	var got []string
	for _, tk := range (logTicks{label: humanMs}).Ticks(0.04, 60) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if s := strings.Join(got, " "); s != "100 µs 1 ms 10 ms" {
		t.Errorf("log ticks over 40 µs..60 ms: %q", s)
	}
}
