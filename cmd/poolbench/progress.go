package main

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// progress writes a run's live figures: on a terminal one line rewritten
// in place a few times a second, elsewhere (CI logs) a plain line every
// second, or every ten seconds in runs over a minute.
type progress struct {
	w     io.Writer
	tty   bool
	width int           // terminal columns; 0 when unknown
	total time.Duration // the run's planned length; 0 with a count
	count int64         // the run's query count, with -n
	drawn bool          // a live line is on the screen
}

// every is how often a line is written, and window the span its figures
// cover (on a terminal, the last second however often it is redrawn).
func (pr *progress) every() time.Duration {
	switch {
	case pr.tty:
		return 250 * time.Millisecond
	case pr.total > time.Minute:
		return 10 * time.Second
	}
	return time.Second
}

func (pr *progress) window() time.Duration { return max(pr.every(), time.Second) }

// liveFigures are what a progress line shows.
type liveFigures struct {
	elapsed    time.Duration
	queries    int64   // so far
	rate       float64 // q/s over the window
	p50, p99   float64 // ms over the window
	errors     int64   // so far
	pool       *poolNow
	waitsPerS  float64
	hasWaiting bool
}

// line formats f, e.g.
//
//	3.2 s / 10 s  17.5k q/s  p50 803 µs  p99 4.33 ms  errors 0  pool 16 busy, 0 idle, 2 waiting, 850 waits/s
func (f liveFigures) line(total time.Duration, count int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%5.1f s", f.elapsed.Seconds())
	switch {
	case count > 0:
		fmt.Fprintf(&b, ", %s / %s queries", humanCount(f.queries), humanCount(count))
	case total > 0:
		fmt.Fprintf(&b, " / %s", humanSeconds(total.Seconds()))
	}
	fmt.Fprintf(&b, "  %s q/s  p50 %s  p99 %s  errors %s", humanNum(f.rate), humanMs(f.p50), humanMs(f.p99), humanCount(f.errors))
	if p := f.pool; p != nil {
		fmt.Fprintf(&b, "  pool %d busy, %d idle", p.acquired, p.idle)
		if f.hasWaiting {
			fmt.Fprintf(&b, ", %d waiting", p.waiting)
		}
		fmt.Fprintf(&b, ", %s waits/s", humanNum(f.waitsPerS))
	}
	return b.String()
}

// show writes a line: in place on a terminal (cut to its width so it
// never wraps), else on a line of its own.
func (pr *progress) show(f liveFigures) {
	if pr.w == nil {
		return
	}
	line := f.line(pr.total, pr.count)
	if !pr.tty {
		fmt.Fprintln(pr.w, line)
		return
	}
	if pr.width > 1 && utf8.RuneCountInString(line) >= pr.width {
		line = string([]rune(line)[:pr.width-1])
	}
	fmt.Fprintf(pr.w, "\r\033[K%s", line)
	pr.drawn = true
}

// done ends a live line so what follows starts on a fresh line.
func (pr *progress) done() {
	if pr.drawn {
		fmt.Fprint(pr.w, "\r\033[K")
		pr.drawn = false
	}
}
