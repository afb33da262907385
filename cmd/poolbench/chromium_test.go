package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
)

// chromium runs headless Chromium, offline and with a profile of its own,
// on a file and returns what it printed.
func chromium(t *testing.T, bin, page string, args ...string) []byte {
	t.Helper()
	profile, err := os.MkdirTemp(t.TempDir(), "profile")
	if err != nil {
		t.Fatal(err)
	}
	full := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(full, "file://"+page)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

var (
	figureRE = regexp.MustCompile(`(?s)<figure class="chart" id="chart-([a-z0-9-]+)" data-points="(\d+)" data-lines="(\d+)">(.*?)</figure>`)
	pathRE   = regexp.MustCompile(`<path d="([^"]*)" style="fill:none;stroke:`)
	factRE   = regexp.MustCompile(`<dt>([^<]*)</dt><dd[^>]*>(?:<code>)?([^<]*)`)
	badLabel = regexp.MustCompile(`NaN|Inf|\de[+-]?\d`)
)

// checkRenderedReport checks a report as Chromium rendered it: every chart
// the runs call for, each with a line through all its points; labels a
// person can read; the header's facts.
func checkRenderedReport(t *testing.T, dom string, runs []*result, facts map[string]string) {
	t.Helper()
	want := map[string]int{} // figure id -> points its longest line must have
	levels := map[int]bool{}
	for _, r := range runs {
		levels[r.Workers] = true
		want["spectrum"] = max(want["spectrum"], len(r.Spectrum))
	}
	if len(levels) > 1 {
		want["sweep"] = len(levels)
	}
	for gi, g := range groups(runs) {
		id := "time-" + strconv.Itoa(gi+1)
		for _, ri := range g {
			want[id] = max(want[id], len(seriesColumns(runs[ri]).t))
		}
	}
	got := map[string]bool{}
	for _, m := range figureRE.FindAllStringSubmatch(dom, -1) {
		id, svg := m[1], m[4]
		got[id] = true
		points, _ := strconv.Atoi(m[2])
		longest := 0
		for _, p := range pathRE.FindAllStringSubmatch(svg, -1) {
			longest = max(longest, strings.Count(p[1], "L")+1)
		}
		if points < want[id] || longest < want[id] || !strings.Contains(svg, "<svg") {
			t.Errorf("chart %s: %d points, longest line %d vertices; want a line of %d", id, points, longest, want[id])
		}
		labels := 0
		for _, l := range svgText.FindAllStringSubmatch(svg, -1) {
			labels++
			if badLabel.MatchString(l[1]) {
				t.Errorf("chart %s: label %q", id, l[1])
			}
		}
		if labels < 10 {
			t.Errorf("chart %s: %d labels", id, labels)
		}
	}
	for id := range want {
		if !got[id] {
			t.Errorf("no chart %s in the rendered page", id)
		}
	}
	if len(got) != len(want) {
		t.Errorf("charts %v, want %v", got, want)
	}
	shown := map[string]string{}
	for _, m := range factRE.FindAllStringSubmatch(dom, -1) {
		shown[m[1]] = m[2]
	}
	for k, v := range facts {
		if !strings.Contains(shown[k], v) {
			t.Errorf("header %s: %q, want it to say %q", k, shown[k], v)
		}
	}
	body := dom
	for _, ns := range []string{"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"} {
		body = strings.ReplaceAll(body, ns, "")
	}
	if strings.Contains(body, "http:") || strings.Contains(body, "https:") || strings.Contains(body, "<script") {
		t.Error("the report references something outside itself")
	}
}

// checkScreenshot takes a screenshot of the page and checks it shows
// charts: many distinct colours (anti-aliased text and lines in several
// hues) and a fair share of pixels that are not background.
func checkScreenshot(t *testing.T, bin, page, shot string) {
	t.Helper()
	chromium(t, bin, page, "--hide-scrollbars", "--window-size=1100,1800", "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	colours, ink, total := map[[3]uint32]bool{}, 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			if r>>8 < 0xf0 || g>>8 < 0xf0 || bl>>8 < 0xf0 {
				ink++
			}
			total++
		}
	}
	if b.Dx() != 1100 || len(colours) < 200 || float64(ink)/float64(total) < 0.03 {
		t.Errorf("screenshot %v: %d colours, %.1f %% ink; want a page of charts", b.Size(), len(colours), 100*float64(ink)/float64(total))
	}
}

// TestReportRendersInChromium runs a sweep against the server, writes its
// report, and checks what headless Chromium makes of it.
func TestReportRendersInChromium(t *testing.T) {
	bin := need(t, "chromium", "chromium-browser")
	tg := testserver.FromEnv(t)
	dir := t.TempDir()
	page, js := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.json")
	start := time.Now()
	if out, err := runMain(t, "-dsn", tg.DSN, "-prepare", "-table-size", "1000", "-d", "2s", "-c", "1,4", "-max", "2",
		"-html", page, "-json", js); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	runs := readJSON(t, js).Runs
	// The time series is cut at the finer grain and covers the run.
	for _, r := range runs {
		var spans float64
		for _, s := range r.Series {
			spans += s.Span
			if s.Pool == nil {
				t.Fatalf("interval without the pool: %+v", s)
			}
		}
		if r.Step != 0.1 || len(r.Series) < 18 || len(r.Series) > 21 || spans < r.Seconds-0.01 || spans > r.Seconds+0.01 {
			t.Errorf("%d workers: %d intervals of %v s over %.3f s, spanning %.3f s", r.Workers, len(r.Series), r.Step, r.Seconds, spans)
		}
	}
	cfg, err := actor.ParseDSN(tg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	c, err := actor.Connect(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	version := c.ServerVersion() // from the handshake, where the report asks SELECT VERSION()
	c.Close()
	dom := string(chromium(t, bin, page, "--dump-dom"))
	checkRenderedReport(t, dom, runs, map[string]string{
		"server":   version,
		"DSN":      cfg.User + "@tcp(",
		"pool":     "min 2, max 2",
		"workload": "point-select",
		"command":  "-c 1,4 -max 2",
		"client":   "Go " + strings.TrimPrefix(runtime.Version(), "go") + ", ",
		"date":     start.Format("2006-01-02"),
	})
	if !strings.Contains(dom, runtime.GOOS+"/"+runtime.GOARCH+", "+strconv.Itoa(runtime.NumCPU())+" CPUs") {
		t.Error("the header does not name the machine")
	}
	checkScreenshot(t, bin, page, filepath.Join(dir, "shot.png"))
}

// TestSynthesisedReportsRenderInChromium renders a 2-second sweep whose
// runs end a millisecond after a tick and a 60-second -compare (made up,
// not run) whose runs end 130 ms into an interval, both in Chromium.
func TestSynthesisedReportsRenderInChromium(t *testing.T) {
	bin := need(t, "chromium", "chromium-browser")
	dir := t.TempDir()
	var sweep []*result
	for i, w := range []int{1, 4, 16, 64} {
		r := synthRun("amysql", w, 2*time.Second, 4000*float64(i+1), 0.05*float64(w), 0, uint64(i))
		n := len(r.Series)
		r.Series = append(r.Series, sample{T: r.Series[n-1].T + 0.001, Span: 0.001, Ops: 1, P50Ms: 0.1, P99Ms: 0.1,
			Pool: r.Series[n-1].Pool})
		sweep = append(sweep, r)
	}
	var compare []*result
	for round := 1; round <= 3; round++ {
		a := synthRun("amysql", 16, time.Minute, 17000, 0.8, 130*time.Millisecond, uint64(round))
		g := synthRun("go-sql-driver", 16, time.Minute, 16500, 0.85, 130*time.Millisecond, uint64(10+round))
		a.Round, g.Round = round, round
		compare = append(compare, a, g)
	}
	m := synthMeta()
	facts := map[string]string{"server": m.Server, "DSN": m.DSN, "pool": m.Pool, "command": m.Command, "date": "2025-03-01 12:00:00 UTC",
		"client": "Go 1.26.0, test, linux/amd64, 2 CPUs"}
	for _, tt := range []struct {
		name      string
		runs      []*result
		timeLabel string
	}{{"sweep-2s", sweep, ">2 s<"}, {"compare-60s", compare, ">60 s<"}} {
		t.Run(tt.name, func(t *testing.T) {
			page := filepath.Join(dir, tt.name+".html")
			f, err := os.Create(page)
			if err != nil {
				t.Fatal(err)
			}
			if err := writeHTML(f, m, tt.runs); err != nil {
				t.Fatal(err)
			}
			f.Close()
			dom := string(chromium(t, bin, page, "--dump-dom"))
			checkRenderedReport(t, dom, tt.runs, facts)
			if !strings.Contains(dom, tt.timeLabel) {
				t.Errorf("the time axis has no %s tick", tt.timeLabel)
			}
			checkScreenshot(t, bin, page, filepath.Join(dir, tt.name+".png"))
		})
	}
}
