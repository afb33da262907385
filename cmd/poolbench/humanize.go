package main

import (
	"math"
	"strconv"
	"strings"
)

// Numbers as people read them: three significant digits and a unit
// prefix (33.9k q/s, 1.2 ms, 804 µs), never Go's %g exponents.

// sig3 formats v (>= 0) with three significant digits, dropping trailing
// zeros after the point: 33.9, 1.2, 804, 0.05.
func sig3(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	dec := max(0, 2-int(math.Floor(math.Log10(math.Abs(v)))))
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// round3 rounds v to three significant digits, so a unit can be chosen
// after rounding (999.7 is 1k, not 1000).
func round3(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	p := math.Pow10(2 - int(math.Floor(math.Log10(math.Abs(v)))))
	return math.Round(v*p) / p
}

// humanNum formats a rate or a large quantity with an SI prefix: 980,
// 33.9k, 1.25M.
func humanNum(v float64) string {
	neg := v < 0
	v = round3(math.Abs(v))
	s := ""
	switch {
	case v >= 1e9:
		s = sig3(v/1e9) + "G"
	case v >= 1e6:
		s = sig3(v/1e6) + "M"
	case v >= 1e3:
		s = sig3(v/1e3) + "k"
	default:
		s = sig3(v)
	}
	if neg && s != "0" {
		s = "-" + s
	}
	return s
}

// humanMs formats a duration given in milliseconds with the unit that
// keeps it between 1 and 1000: 850 ns, 94 µs, 1.2 ms, 2.5 s.
func humanMs(ms float64) string {
	ns := round3(ms * 1e6)
	switch {
	case ns == 0:
		return "0 ms"
	case ns < 1e3:
		return sig3(ns) + " ns"
	case ns < 1e6:
		return sig3(ns/1e3) + " µs"
	case ns < 1e9:
		return sig3(ns/1e6) + " ms"
	case ns < 600e9:
		return sig3(ns/1e9) + " s"
	}
	return sig3(ns/60e9) + " min"
}

// humanSeconds formats a point on a time axis: 0 s, 0.5 s, 45 s, 2 min.
func humanSeconds(s float64) string {
	switch {
	case s == 0:
		return "0 s"
	case math.Abs(s) < 600:
		return sig3(s) + " s"
	}
	return sig3(s/60) + " min"
}

// humanCount writes an exact count with thousands separators: 52,584.
func humanCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// round1 rounds seconds to a tenth.
func round1(s float64) float64 { return math.Round(s*10) / 10 }
