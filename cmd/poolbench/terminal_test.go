package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/amysql/amysql/pool"
)

func liveSample() liveFigures {
	return liveFigures{elapsed: 3200 * time.Millisecond, queries: 52584, rate: 17526, p50: 0.803, p99: 4.325, errors: 2,
		pool: &poolNow{acquired: 16, idle: 0, waiting: 3}, hasWaiting: true, waitsPerS: 850}
}

func TestProgressOnATerminalRewritesOneLine(t *testing.T) {
	var out bytes.Buffer
	pr := &progress{w: &out, tty: true, width: 60, total: 10 * time.Second}
	pr.show(liveSample())
	pr.show(liveSample())
	pr.done()
	s := out.String()
	if strings.Contains(s, "\n") {
		t.Errorf("a live line printed a newline: %q", s)
	}
	frames := strings.Split(s, "\r\033[K")
	if len(frames) != 4 || frames[0] != "" || frames[3] != "" {
		t.Fatalf("want two frames each after a carriage return and erase, then an erase: %q", s)
	}
	for _, f := range frames[1:3] {
		if n := utf8.RuneCountInString(f); n >= 60 {
			t.Errorf("frame of %d columns on a 60-column terminal: %q", n, f)
		}
		if !strings.HasPrefix(f, "  3.2 s / 10 s  17.5k q/s  p50 803 µs  p99 4.33 ms") {
			t.Errorf("frame %q", f)
		}
	}
	if pr.every() != 250*time.Millisecond || pr.window() != time.Second {
		t.Errorf("a terminal redraws every %v over %v", pr.every(), pr.window())
	}
}

func TestProgressElsewherePrintsPlainLines(t *testing.T) {
	var out bytes.Buffer
	pr := &progress{w: &out, total: 10 * time.Second}
	pr.show(liveSample())
	f := liveSample()
	f.elapsed = 4200 * time.Millisecond
	pr.show(f)
	pr.done()
	want := "  3.2 s / 10 s  17.5k q/s  p50 803 µs  p99 4.33 ms  errors 2  pool 16 busy, 0 idle, 3 waiting, 850 waits/s\n" +
		"  4.2 s / 10 s  17.5k q/s  p50 803 µs  p99 4.33 ms  errors 2  pool 16 busy, 0 idle, 3 waiting, 850 waits/s\n"
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
	for _, tt := range []struct {
		total time.Duration
		every time.Duration
	}{{10 * time.Second, time.Second}, {time.Minute, time.Second}, {5 * time.Minute, 10 * time.Second}} {
		if got := (&progress{total: tt.total}).every(); got != tt.every {
			t.Errorf("a %v run prints every %v, want %v", tt.total, got, tt.every)
		}
	}
	f.pool, f.hasWaiting = &poolNow{acquired: 2, idle: 1, waiting: -1}, false
	if l := f.line(0, 100000); !strings.HasPrefix(l, "  4.2 s, 52,584 / 100,000 queries") || !strings.HasSuffix(l, "pool 2 busy, 1 idle, 850 waits/s") {
		t.Errorf("count run line %q", l)
	}
}

func TestClosedConnectionsInWords(t *testing.T) {
	for _, r := range pool.DestroyReasons {
		if closeReasons[r] == "" {
			t.Errorf("no words for the close reason %q", r)
		}
	}
	tests := []struct {
		by   map[string]int64
		want string
	}{
		{nil, "none"},
		{map[string]int64{"idle": 0}, "none"},
		{map[string]int64{"idle": 2, "broken": 1}, "3 (1 broken, 2 idle too long)"},
		{map[string]int64{"lifetime": 1200, "closed": 16}, "1,216 (1,200 reached their maximum lifetime, 16 closed with the pool)"},
		{map[string]int64{"ping": 1, "recycle": 1, "dirty": 1, "hook": 1, "cleared": 1, "role": 1, "novel": 1},
			"7 (1 failed the ping on acquire, 1 unused past the recycle time, 1 could not be cleaned on release, 1 rejected by a hook, 1 cleared, 1 lost the server role the pool targets, 1 novel)"},
	}
	for _, tt := range tests {
		if got := closedInWords(tt.by); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.by, got, tt.want)
		}
	}
}

// columnStarts are the offsets where a line's cells start (after a run
// of two or more spaces).
func columnStarts(line string) []int {
	var at []int
	for i := 1; i < len(line); i++ {
		if line[i] != ' ' && i >= 2 && line[i-1] == ' ' && line[i-2] == ' ' {
			at = append(at, utf8.RuneCountInString(line[:i]))
		}
	}
	return at
}

func TestFinalReportIsInAlignedColumns(t *testing.T) {
	r := synthRun("amysql", 16, 3*time.Second, 17526, 0.8, 0, 1)
	r.Errors, r.Queries = 3, r.Queries+3
	r.ErrorsBy = map[string]int64{"timeout": 2, "server": 1}
	r.FirstError = "amysql: context deadline exceeded"
	r.Pool.Destroyed = map[string]int64{"idle": 2, "broken": 1}
	var out bytes.Buffer
	printReport(&out, r)
	s := out.String()
	if strings.Contains(s, "map[") || strings.Contains(s, "e+0") {
		t.Errorf("raw Go values in the report:\n%s", s)
	}
	for _, want := range []string{"== amysql · point-select · 16 workers · 3 s", "closed: 3 (1 broken, 2 idle too long)", "p99.9 ", " q/s", "first error"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
	// Every labelled line's second cell starts in the same column.
	lines := strings.Split(strings.TrimSpace(s), "\n")[1:]
	var second []int
	for _, l := range lines {
		if at := columnStarts(l); len(at) > 0 {
			second = append(second, at[0])
		}
	}
	if len(second) != len(lines) {
		t.Fatalf("lines without cells:\n%s", s)
	}
	for _, c := range second {
		if c != second[0] {
			t.Errorf("values start in columns %v:\n%s", second, s)
			break
		}
	}
}

func TestSweepTableIsRightAligned(t *testing.T) {
	var runs []*result
	for i, w := range []int{1, 4, 16, 128} {
		runs = append(runs, synthRun("amysql", w, 2*time.Second, 3000*float64(i+1), 0.05*float64(w), 0, uint64(i)))
	}
	var out bytes.Buffer
	printSweep(&out, runs)
	lines := strings.Split(strings.Trim(out.String(), "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("want a header and 4 rows:\n%s", out.String())
	}
	// Right-aligned: every cell of every row ends where the header's does.
	ends := func(l string) []int {
		var at []int
		r := []rune(l)
		for i := range r {
			if r[i] != ' ' && (i+1 == len(r) || r[i+1] == ' ') {
				at = append(at, i)
			}
		}
		return at
	}
	head := ends(lines[0])
	if len(head) != 8 {
		t.Fatalf("header %q", lines[0])
	}
	for _, l := range lines[1:] {
		got := ends(l)
		// A cell like "803 µs" has a space inside: keep the ends that
		// close a column.
		var cols []int
		for _, e := range got {
			for _, h := range head {
				if e == h {
					cols = append(cols, e)
				}
			}
		}
		if len(cols) != len(head) {
			t.Errorf("row %q does not line up with %q", l, lines[0])
		}
	}
	if !strings.Contains(lines[4], "128") || !strings.Contains(out.String(), "k") {
		t.Errorf("rows:\n%s", out.String())
	}
}
