package proto

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unsafe"
)

// The text-protocol parsers take ASCII views into a packet buffer; they do
// not allocate on success and do not retain their input.

// ErrBadValue reports a column value that does not parse as its type.
var ErrBadValue = errors.New("proto: malformed column value")

func badValue(what string, b []byte) error {
	if len(b) > 40 {
		b = b[:40]
	}
	return fmt.Errorf("%w: %s %q", ErrBadValue, what, b)
}

// ParseInt parses a signed decimal integer with an optional sign.
func ParseInt(b []byte) (int64, error) {
	s := b
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
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

// ParseUint parses an unsigned decimal integer with an optional '+'.
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

// parseDigits parses one or more ASCII digits, reporting uint64 overflow as
// failure.
func parseDigits(s []byte) (uint64, bool) {
	if len(s) == 0 {
		return 0, false
	}
	var u uint64
	if len(s) <= 19 { // 19 digits cannot overflow uint64
		for _, c := range s {
			c -= '0'
			if c > 9 {
				return 0, false
			}
			u = u*10 + uint64(c)
		}
		return u, true
	}
	for _, c := range s {
		c -= '0'
		if c > 9 {
			return 0, false
		}
		if u > (math.MaxUint64-uint64(c))/10 {
			return 0, false
		}
		u = u*10 + uint64(c)
	}
	return u, true
}

// ParseFloat parses a FLOAT (bitSize 32) or DOUBLE (bitSize 64) value in
// decimal notation. Infinities, NaN, hexadecimal and out-of-range values
// are errors.
func ParseFloat(b []byte, bitSize int) (float64, error) {
	if len(b) == 0 {
		return 0, badValue("float", b)
	}
	for _, c := range b {
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return 0, badValue("float", b)
		}
	}
	// strconv.ParseFloat does not retain s, so the view is safe.
	f, err := strconv.ParseFloat(unsafe.String(&b[0], len(b)), bitSize)
	if err != nil {
		return 0, badValue("float", b)
	}
	return f, nil
}

// fixed parses exactly n ASCII digits at the start of b.
func fixed(b []byte, n int) (int, bool) {
	if len(b) < n {
		return 0, false
	}
	v := 0
	for _, c := range b[:n] {
		c -= '0'
		if c > 9 {
			return 0, false
		}
		v = v*10 + int(c)
	}
	return v, true
}

// ParseDate parses a DATE, "YYYY-MM-DD", as midnight in loc (nil means
// UTC), with ParseDateTime's zero-date policy.
func ParseDate(b []byte, loc *time.Location) (time.Time, error) {
	if len(b) != 10 {
		return time.Time{}, badValue("date", b)
	}
	return parseDateTime(b, loc)
}

// ParseDateTime parses a DATETIME or TIMESTAMP, "YYYY-MM-DD
// HH:MM:SS[.f]" with 0 to 6 fraction digits, or a bare date, in loc (nil
// means UTC).
//
// Zero-date policy: a date with a zero month or day ("0000-00-00",
// "2024-00-15") is returned as the zero time.Time with no error, dropping
// any time of day, except that "0000-00-00" with a non-zero time is an
// error; "0001-01-01 00:00:00" read in UTC is the zero time.Time too. A
// day past the end of its month ("2023-02-29", stored under
// ALLOW_INVALID_DATES) is an error, not normalized into the next month.
func ParseDateTime(b []byte, loc *time.Location) (time.Time, error) {
	return parseDateTime(b, loc)
}

func parseDateTime(b []byte, loc *time.Location) (time.Time, error) {
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
		if len(b) < 19 || b[10] != ' ' || b[13] != ':' || b[16] != ':' {
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
		if y|mo|d == 0 && h|mi|s|ns != 0 {
			return time.Time{}, badValue("datetime with a zero date", b)
		}
		return time.Time{}, nil
	}
	if d > daysIn(mo, y) {
		return time.Time{}, badValue("invalid date", b)
	}
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, ns, loc), nil
}

// fraction parses ".f" with 1 to 6 digits into nanoseconds.
func fraction(b []byte) (int, bool) {
	if len(b) < 2 || len(b) > 7 || b[0] != '.' {
		return 0, false
	}
	ns := 0
	for i, c := range b[1:] {
		c -= '0'
		if c > 9 {
			return 0, false
		}
		ns += int(c) * pow10[8-i]
	}
	return ns, true
}

var pow10 = [...]int{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000}

// daysIn returns the length of month m in the proleptic Gregorian year y.
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

// ParseDuration parses a TIME, "[-]H:MM:SS[.f]" with 1 to 3 hour digits
// and 0 to 6 fraction digits, within ±838:59:59.999999.
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

// ParseBit returns the big-endian value of a BIT column's raw bytes, at
// most 8 of them; no bytes is 0.
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

// appendDigits appends v (0 <= v < 10^n, n <= 10) as exactly n digits.
func appendDigits(dst []byte, v, n int) []byte {
	var buf [10]byte
	for i := n - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, buf[:n]...)
}

// appendFrac appends ns truncated to frac fraction digits (clamped to 0..6).
func appendFrac(dst []byte, ns, frac int) []byte {
	if frac <= 0 {
		return dst
	}
	frac = min(frac, 6)
	dst = append(dst, '.')
	return appendDigits(dst, ns/pow10[9-frac], frac)
}

// AppendDateTime appends t, in its own location, as "YYYY-MM-DD
// HH:MM:SS" with frac fraction digits (0..6, truncated). The zero
// time.Time is written as the zero date. A year outside 0..9999 is written
// in full, so the server rejects it rather than storing another date.
func AppendDateTime(dst []byte, t time.Time, frac int) []byte {
	if t.IsZero() {
		dst = append(dst, "0000-00-00 00:00:00"...)
		return appendFrac(dst, 0, frac)
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	if y >= 0 && y <= 9999 {
		dst = appendDigits(dst, y, 4)
	} else {
		dst = strconv.AppendInt(dst, int64(y), 10)
	}
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

// AppendDuration appends d as a TIME, "[-]HH:MM:SS" with at least two hour
// digits and frac fraction digits (0..6, truncated). Durations beyond
// TIME's range are written in full, for the server to reject.
func AppendDuration(dst []byte, d time.Duration, frac int) []byte {
	u := uint64(d) // magnitude as uint64, so math.MinInt64 has one too
	if d < 0 {
		dst = append(dst, '-')
		u = -u
	}
	h := u / uint64(time.Hour)
	u -= h * uint64(time.Hour)
	if h < 10 {
		dst = append(dst, '0')
	}
	dst = strconv.AppendUint(dst, h, 10)
	dst = append(dst, ':')
	dst = appendDigits(dst, int(u/uint64(time.Minute)), 2)
	u %= uint64(time.Minute)
	dst = append(dst, ':')
	dst = appendDigits(dst, int(u/uint64(time.Second)), 2)
	u %= uint64(time.Second)
	return appendFrac(dst, int(u), frac)
}
