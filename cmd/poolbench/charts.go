package main

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The report's charts are drawn by gonum/plot as SVG, in Go, so the
// report is one file with no script and no asset to fetch.

const (
	chartWidth  = 720 * vg.Length(1) // points
	legendWidth = 150 * vg.Length(1)
	panelHeight = 165 * vg.Length(1)
)

var (
	chartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
	gridColor = color.RGBA{R: 0xe3, G: 0xe3, B: 0xe3, A: 0xff}
	axisColor = color.RGBA{R: 0x77, G: 0x77, B: 0x77, A: 0xff}
	markColor = color.RGBA{R: 0x99, G: 0x99, B: 0x99, A: 0xff}
	dashed    = []vg.Length{vg.Points(5), vg.Points(3)}
	dotted    = []vg.Length{vg.Points(1.5), vg.Points(2.5)}
)

// figure is a chart as the report embeds it.
type figure struct {
	id, title string
	svg       string
	points    int // data points drawn
	lines     int // data lines drawn
	note      string
}

// panel is one plot of a figure and the legend drawn beside it.
type panel struct {
	p      *plot.Plot
	legend plot.Legend
	points int
	lines  int
}

func newPanel(title, xLabel, yLabel string) *panel {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(font.Font{Typeface: chartFont.Typeface, Variant: chartFont.Variant, Weight: xfont.WeightBold}, 11)
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(chartFont, 10)
		a.Tick.Label.Font = font.From(chartFont, 9)
		a.LineStyle.Color, a.Tick.LineStyle.Color = axisColor, axisColor
		a.Tick.Length = vg.Points(4)
		a.Padding = vg.Points(2)
	}
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = gridColor, gridColor
	g.Vertical.Width, g.Horizontal.Width = vg.Points(0.6), vg.Points(0.6)
	p.Add(g)
	l := plot.NewLegend()
	l.TextStyle.Font = font.From(chartFont, 9)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(18)
	l.Padding = vg.Points(2)
	return &panel{p: p, legend: l}
}

// line adds a data line (with markers when marks is set) and its legend
// entry (when name is not empty). Points with a NaN y are left out.
func (pn *panel) line(xs, ys []float64, sty lineStyle, name string, marks bool) error {
	var xy plotter.XYs
	for i := range xs {
		if !math.IsNaN(ys[i]) && !math.IsInf(ys[i], 0) {
			xy = append(xy, plotter.XY{X: xs[i], Y: ys[i]})
		}
	}
	if len(xy) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return err
	}
	l.LineStyle = draw.LineStyle{Color: sty.color, Width: vg.Points(1.6), Dashes: sty.dashes}
	pn.p.Add(l)
	thumbs := []plot.Thumbnailer{l}
	if marks {
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: sty.color, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
		pn.p.Add(s)
		thumbs = append(thumbs, s)
	}
	if name != "" {
		pn.legend.Add(name, thumbs...)
	}
	pn.points += len(xy)
	pn.lines++
	return nil
}

// key adds a legend entry for a line style without data (p50 solid, p99
// dashed).
func (pn *panel) key(name string, sty lineStyle) {
	pn.legend.Add(name, &plotter.Line{LineStyle: draw.LineStyle{Color: sty.color, Width: vg.Points(1.6), Dashes: sty.dashes}})
}

// vmark draws a dashed vertical line at x across the panel, for the pool
// size on a sweep.
func (pn *panel) vmark(x float64, name string) {
	m := &vline{x: x, style: draw.LineStyle{Color: markColor, Width: vg.Points(1.2), Dashes: dashed}}
	pn.p.Add(m)
	if name != "" {
		pn.legend.Add(name, &plotter.Line{LineStyle: m.style})
	}
}

type vline struct {
	x     float64
	style draw.LineStyle
}

func (v *vline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	c.StrokeLine2(v.style, trX(v.x), c.Min.Y, trX(v.x), c.Max.Y)
}

func (v *vline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return v.x, v.x, math.Inf(1), math.Inf(-1)
}

// render draws the panels stacked, their plot areas aligned, each with its
// legend on the right, as inline SVG.
func render(panels []*panel, each vg.Length) (string, error) {
	h := each * vg.Length(len(panels))
	c := vgsvg.New(chartWidth, h)
	dc := draw.New(c)
	white := dc
	white.SetColor(color.White)
	white.Fill(dc.Rectangle.Path())
	area := draw.Crop(dc, 0, -legendWidth, 0, 0)
	plots := make([][]*plot.Plot, len(panels))
	for i, pn := range panels {
		plots[i] = []*plot.Plot{pn.p}
	}
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadY: vg.Points(10), PadTop: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8), PadBottom: vg.Points(4)}
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("chart: %v", r)
			}
		}()
		canvases := plot.Align(plots, tiles, area)
		for i, pn := range panels {
			pn.p.Draw(canvases[i][0])
			data := pn.p.DataCanvas(canvases[i][0])
			lc := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: dc.Max.X - legendWidth + vg.Points(4), Y: data.Min.Y},
				Max: vg.Point{X: dc.Max.X - vg.Points(2), Y: data.Max.Y},
			}}
			pn.legend.Draw(lc)
		}
	}()
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", err
	}
	return inlineSVG(b.String()), nil
}

// inlineSVG makes vgsvg's document fit inside HTML: no XML prolog, a
// width the page can shrink, and Liberation Sans (gonum's metrics) with
// the metric-compatible Arial and Helvetica after it.
func inlineSVG(s string) string {
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	s = strings.Replace(s, "<svg ", `<svg class="plot" preserveAspectRatio="xMinYMin meet" `, 1)
	return strings.ReplaceAll(s, "font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")
}

// Tickers: gonum's positions, labelled the way people read numbers.

type humanTicks struct {
	label   func(float64) string
	integer bool // only whole numbers (connections)
	n       int  // about how many labels; 0 for 5
}

// Ticks labels about n round values (steps of 1, 2, 2.5 or 5 times a
// power of ten) with minor ticks between.
func (t humanTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: t.label(lo)}}
	}
	n := t.n
	if n == 0 {
		n = 5
	}
	step := niceStep((hi - lo) / float64(n))
	if t.integer {
		step = max(step, 1)
	}
	minor := step / 5
	if m := step / math.Pow10(int(math.Floor(math.Log10(step)))); m == 2 || m == 2.5 {
		minor = step / 2
	}
	var ts []plot.Tick
	for i := math.Ceil(lo/minor - 1e-9); i*minor <= hi+minor*1e-9; i++ {
		v := i * minor
		tk := plot.Tick{Value: v}
		if r := v / step; math.Abs(r-math.Round(r)) < 1e-6 {
			tk.Value = math.Round(r) * step
			tk.Label = t.label(tk.Value)
		} else if t.integer && v != math.Trunc(v) {
			continue
		}
		ts = append(ts, tk)
	}
	return ts
}

// niceStep is the round step (1, 2, 2.5 or 5 times a power of ten)
// nearest above raw.
func niceStep(raw float64) float64 {
	p := math.Pow10(int(math.Floor(math.Log10(raw))))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= raw*0.999 {
			return m * p
		}
	}
	return 10 * p
}

// logTicks labels decades and, over a short range, their 2 and 5
// multiples; the other multiples are minor ticks.
type logTicks struct{ label func(float64) string }

func (t logTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	few := hi/lo < 30
	for d := math.Pow10(int(math.Floor(math.Log10(lo)))); d <= hi*10; d *= 10 {
		for m := 1; m < 10; m++ {
			v := d * float64(m)
			if v < lo/1.0001 || v > hi*1.0001 {
				continue
			}
			tk := plot.Tick{Value: v}
			if m == 1 || few && (m == 2 || m == 5) {
				tk.Label = t.label(v)
			}
			ts = append(ts, tk)
		}
	}
	return ts
}

// constTicks labels the given values (worker counts, percentiles).
func constTicks(vals []float64, label func(float64) string) plot.ConstantTicks {
	ts := make(plot.ConstantTicks, len(vals))
	for i, v := range vals {
		ts[i] = plot.Tick{Value: v, Label: label(v)}
	}
	return ts
}

// yRange starts the y axis at zero with some headroom above the data
// (or a unit range when all is zero).
func yRange(p *plot.Plot, minTop float64) {
	p.Y.Min = 0
	p.Y.Max = max(p.Y.Max*1.08, minTop)
}

// lineStyle is how one run is drawn in every chart.
type lineStyle struct {
	color  color.Color
	dashes []vg.Length
	label  string
}

var (
	driverColors = map[string]color.RGBA{
		"amysql":        {R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
		"go-sql-driver": {R: 0xe6, G: 0x6a, B: 0x00, A: 0xff},
	}
	// sweepColors runs from light to dark, so more workers is darker.
	sweepColors = []color.RGBA{
		{R: 0x9e, G: 0xca, B: 0xe1, A: 0xff}, {R: 0x6b, G: 0xae, B: 0xd6, A: 0xff}, {R: 0x42, G: 0x92, B: 0xc6, A: 0xff},
		{R: 0x21, G: 0x71, B: 0xb5, A: 0xff}, {R: 0x08, G: 0x51, B: 0x9c, A: 0xff}, {R: 0x08, G: 0x30, B: 0x6b, A: 0xff},
	}
	roundDashes = [][]vg.Length{nil, dashed, dotted}
)

// styles gives every run its colour, dashes and name: by driver and
// round for -compare, from light to dark by workers for a sweep.
func styles(runs []*result) []lineStyle {
	out := make([]lineStyle, len(runs))
	drivers := map[string]bool{}
	levels := map[int]bool{}
	for _, r := range runs {
		drivers[r.Driver] = true
		levels[r.Workers] = true
	}
	for i, r := range runs {
		c, ok := driverColors[r.Driver]
		if !ok {
			c = color.RGBA{A: 0xff}
		}
		s := lineStyle{color: c, label: r.Driver + ", " + workersText(r.Workers)}
		switch {
		case r.Round > 0:
			s.dashes = roundDashes[(r.Round-1)%len(roundDashes)]
			s.label = fmt.Sprintf("%s, round %d", r.Driver, r.Round)
		case len(levels) > 1 && len(drivers) == 1:
			s.color = sweepColors[levelIndex(runs, r.Workers)%len(sweepColors)]
			s.label = workersText(r.Workers)
		}
		out[i] = s
	}
	return out
}

// workersText is "1 worker", "16 workers".
func workersText(n int) string {
	if n == 1 {
		return "1 worker"
	}
	return fmt.Sprintf("%d workers", n)
}

// levelIndex places workers among the sweep's levels, spread over the
// palette so the last level is the darkest.
func levelIndex(runs []*result, workers int) int {
	var ws []int
	for _, r := range runs {
		if !slices.Contains(ws, r.Workers) {
			ws = append(ws, r.Workers)
		}
	}
	slices.Sort(ws)
	i := slices.Index(ws, workers)
	if len(ws) >= len(sweepColors) {
		return i
	}
	return i + len(sweepColors) - len(ws)
}
