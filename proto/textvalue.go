package proto

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unsafe"
)

// ErrBadValue reports a column value that does not parse as its type.
var ErrBadValue = errors.New("proto: malformed column value")

func badValue(what string, b []byte) error {
	if len(b) > 40 {
		b = b[:40]
	}
	return fmt.Errorf("%w: %s %q", ErrBadValue, what, b)
}

// ParseInt parses a signed decimal integer.
func ParseInt(b []byte) (int64, error) {
	neg := false
	s := b
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	u, ok := parseDigits(s)
	if !ok {
		return 0, badValue("integer", b)
	}
	if neg {
		if u > 1<<63 {
			return 0, badValue("integer out of range", b)
		}
		return -int64(u), nil
	}
	if u > math.MaxInt64 {
		return 0, badValue("integer out of range", b)
	}
	return int64(u), nil
}

// ParseUint parses an unsigned decimal integer.
func ParseUint(b []byte) (uint64, error) {
	s := b
	if len(s) > 0 && s[0] == '+' {
		s = s[1:]
	}
	u, ok := parseDigits(s)
	if !ok {
		return 0, badValue("unsigned integer", b)
	}
	return u, nil
}

func parseDigits(s []byte) (uint64, bool) {
	if len(s) == 0 {
		return 0, false
	}
	var u uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if u > (math.MaxUint64-d)/10 {
			return 0, false
		}
		u = u*10 + d
	}
	return u, true
}

// ParseFloat parses a FLOAT (bitSize 32) or DOUBLE (64) value.
func ParseFloat(b []byte, bitSize int) (float64, error) {
	if len(b) == 0 {
		return 0, badValue("float", b)
	}
	f, err := strconv.ParseFloat(unsafe.String(&b[0], len(b)), bitSize)
	if err != nil {
		return 0, badValue("float", b)
	}
	return f, nil
}

// fixed parses exactly n ASCII digits.
func fixed(b []byte, n int) (int, bool) {
	if len(b) < n {
		return 0, false
	}
	v := 0
	for _, c := range b[:n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// ParseDate parses "YYYY-MM-DD". A zero date, or a date with a zero month
// or day, is returned as the zero time.Time.
func ParseDate(b []byte, loc *time.Location) (time.Time, error) {
	if len(b) != 10 {
		return time.Time{}, badValue("date", b)
	}
	return parseDateTime(b, loc)
}

// ParseDateTime parses "YYYY-MM-DD[ HH:MM:SS[.ffffff]]" (DATETIME and
// TIMESTAMP). Zero values and dates with a zero month or day are returned
// as the zero time.Time; dates past the end of their month are an error.
func ParseDateTime(b []byte, loc *time.Location) (time.Time, error) {
	return parseDateTime(b, loc)
}

func parseDateTime(b []byte, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return time.Time{}, badValue("datetime", b)
	}
	y, ok1 := fixed(b, 4)
	mo, ok2 := fixed(b[5:], 2)
	d, ok3 := fixed(b[8:], 2)
	if !ok1 || !ok2 || !ok3 || mo > 12 || d > 31 {
		return time.Time{}, badValue("datetime", b)
	}
	var h, mi, s, ns int
	if len(b) > 10 {
		if len(b) < 19 || (b[10] != ' ' && b[10] != 'T') || b[13] != ':' || b[16] != ':' {
			return time.Time{}, badValue("datetime", b)
		}
		var ok4, ok5, ok6 bool
		h, ok4 = fixed(b[11:], 2)
		mi, ok5 = fixed(b[14:], 2)
		s, ok6 = fixed(b[17:], 2)
		if !ok4 || !ok5 || !ok6 || h > 23 || mi > 59 || s > 59 {
			return time.Time{}, badValue("datetime", b)
		}
		if len(b) > 19 {
			var ok bool
			if ns, ok = fraction(b[19:]); !ok {
				return time.Time{}, badValue("datetime", b)
			}
		}
	}
	if mo == 0 || d == 0 {
		if h|mi|s|ns != 0 && y|mo|d == 0 {
			return time.Time{}, badValue("datetime with a zero date", b)
		}
		return time.Time{}, nil
	}
	if d > daysIn(mo, y) {
		return time.Time{}, badValue("invalid date", b)
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, ns, loc), nil
}

// fraction parses ".f{1,6}" into nanoseconds.
func fraction(b []byte) (int, bool) {
	if len(b) < 2 || len(b) > 7 || b[0] != '.' {
		return 0, false
	}
	ns := 0
	for i, c := range b[1:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		ns += int(c-'0') * pow10[8-i]
	}
	return ns, true
}

var pow10 = [...]int{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// maxTime is TIME's range, ±838:59:59.999999.
const maxTime = 838*time.Hour + 59*time.Minute + 59*time.Second + 999999*time.Microsecond

// ParseDuration parses a TIME value "[-]H+:MM:SS[.ffffff]".
func ParseDuration(b []byte) (time.Duration, error) {
	s := b
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	colon := -1
	for i, c := range s {
		if c == ':' {
			colon = i
			break
		}
	}
	if colon < 1 || colon > 3 || len(s) < colon+6 || s[colon+3] != ':' {
		return 0, badValue("time", b)
	}
	h, ok1 := fixed(s, colon)
	m, ok2 := fixed(s[colon+1:], 2)
	sec, ok3 := fixed(s[colon+4:], 2)
	if !ok1 || !ok2 || !ok3 || m > 59 || sec > 59 {
		return 0, badValue("time", b)
	}
	ns := 0
	if rest := s[colon+6:]; len(rest) > 0 {
		var ok bool
		if ns, ok = fraction(rest); !ok {
			return 0, badValue("time", b)
		}
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ns)
	if d > maxTime {
		return 0, badValue("time out of range", b)
	}
	if neg {
		d = -d
	}
	return d, nil
}

// ParseBit returns the big-endian value of a BIT column's bytes.
func ParseBit(b []byte) (uint64, error) {
	if len(b) > 8 {
		return 0, badValue("bit", b)
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

func appendDigits(dst []byte, v, n int) []byte {
	var buf [10]byte
	for i := n - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, buf[:n]...)
}

func appendFrac(dst []byte, ns, frac int) []byte {
	if frac <= 0 {
		return dst
	}
	if frac > 6 {
		frac = 6
	}
	dst = append(dst, '.')
	return appendDigits(dst, ns/pow10[9-frac], frac)
}

// AppendDateTime appends t (in its own location) as "YYYY-MM-DD
// HH:MM:SS" with frac fraction digits (0..6); the zero time.Time is
// written as the zero date.
func AppendDateTime(dst []byte, t time.Time, frac int) []byte {
	if t.IsZero() {
		dst = append(dst, "0000-00-00 00:00:00"...)
		return appendFrac(dst, 0, frac)
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = appendDigits(dst, y, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(mo), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, d, 2)
	dst = append(dst, ' ')
	dst = appendDigits(dst, h, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, mi, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, s, 2)
	return appendFrac(dst, t.Nanosecond(), frac)
}

// AppendDuration appends d as a TIME value "[-]HH:MM:SS" with frac
// fraction digits (0..6).
func AppendDuration(dst []byte, d time.Duration, frac int) []byte {
	if d < 0 {
		dst = append(dst, '-')
		d = -d
	}
	h := int(d / time.Hour)
	d -= time.Duration(h) * time.Hour
	m := int(d / time.Minute)
	d -= time.Duration(m) * time.Minute
	s := int(d / time.Second)
	d -= time.Duration(s) * time.Second
	if h >= 100 {
		dst = appendDigits(dst, h, 3)
	} else {
		dst = appendDigits(dst, h, 2)
	}
	dst = append(dst, ':')
	dst = appendDigits(dst, m, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, s, 2)
	return appendFrac(dst, int(d), frac)
}
