package proto

import (
	"bytes"
	"testing"
	"time"
)

// fracDigits returns how many fraction digits follow the '.' of a text
// temporal value whose fixed part is n bytes long.
func fracDigits(s []byte, n int) int {
	if len(s) > n+1 {
		return len(s) - n - 1
	}
	return 0
}

// fracUnit returns the smallest duration n fraction digits can carry.
func fracUnit(n int) time.Duration {
	u := time.Second
	for range n {
		u /= 10
	}
	return u
}

// FuzzParseDateTime feeds random text to ParseDateTime and ParseDate. They
// must not panic; an accepted non-zero value must re-encode to the same
// text; and a canonical value built from (sec, nsec, frac) must survive
// AppendDateTime and ParseDateTime unchanged.
func FuzzParseDateTime(f *testing.F) {
	f.Add("2024-01-02 03:04:05.123456", int64(1704164645), int64(123456789), uint8(6))
	f.Add("0000-00-00 00:00:00", int64(0), int64(0), uint8(0))
	f.Add("0000-00-00", int64(-62135596800), int64(0), uint8(0)) // 0001-01-01 UTC, the zero time
	f.Add("0000-00-00 00:00:00.000001", int64(-62167219200), int64(0), uint8(3))
	f.Add("2024-00-15 12:00:00", int64(253402300799), int64(999999999), uint8(6))
	f.Add("2023-02-29", int64(951782400), int64(1), uint8(1))
	f.Add("9999-12-31 23:59:59.999999", int64(-1), int64(-1), uint8(255))
	f.Add("1000-01-01", int64(-30610224000), int64(500000000), uint8(1))
	f.Add("0001-01-01 02:00:00", int64(0), int64(0), uint8(0))
	f.Add("2024-01-01T00:00:00", int64(0), int64(0), uint8(0))
	f.Add("2024-01-01 00:00:00.", int64(0), int64(0), uint8(0))
	f.Add("0000-01-01 00:00:00", int64(0), int64(0), uint8(0))
	loc := time.FixedZone("UTC+2", 2*3600)
	const (
		minSec = -62167219200 // 0000-01-01 00:00:00 UTC
		maxSec = 253402300799 // 9999-12-31 23:59:59 UTC
	)
	f.Fuzz(func(t *testing.T, s string, sec, nsec int64, frac uint8) {
		b := []byte(s)
		got, err := ParseDateTime(b, loc)
		if len(b) == 10 {
			d, derr := ParseDate(b, loc)
			if (derr == nil) != (err == nil) || !d.Equal(got) {
				t.Fatalf("ParseDate(%q) = %v, %v; ParseDateTime = %v, %v", s, d, derr, got, err)
			}
		}
		if err == nil && !got.IsZero() {
			if got.Location() != loc {
				t.Fatalf("ParseDateTime(%q) in %v, want %v", s, got.Location(), loc)
			}
			enc := AppendDateTime(nil, got, fracDigits(b, 19))
			if len(b) == 10 {
				enc = bytes.TrimSuffix(enc, []byte(" 00:00:00"))
			}
			if !bytes.Equal(enc, b) {
				t.Fatalf("ParseDateTime(%q) = %v re-encodes as %q", s, got, enc)
			}
		}

		// Canonical round trip.
		sec = minSec + (sec%(maxSec-minSec+1)+(maxSec-minSec+1))%(maxSec-minSec+1)
		n := int(frac % 7)
		tm := time.Unix(sec, (nsec%1e9+1e9)%1e9).UTC()
		tm = tm.Truncate(fracUnit(n))
		if tm.IsZero() {
			return
		}
		enc := AppendDateTime(nil, tm, n)
		back, err := ParseDateTime(enc, time.UTC)
		if err != nil || back != tm {
			t.Fatalf("%v -> %q -> %v, %v", tm, enc, back, err)
		}
	})
}

// FuzzParseDuration feeds random text to ParseDuration. It must not panic;
// an accepted value must lie in TIME's range and re-encode to text that
// parses back to it (the same text when the input was canonical); and a
// canonical value built from (ns, frac) must survive AppendDuration and
// ParseDuration unchanged.
func FuzzParseDuration(f *testing.F) {
	f.Add("-838:59:59.999999", int64(5), uint8(6))
	f.Add("838:59:59", int64(-5), uint8(0))
	f.Add("00:00:00", int64(0), uint8(0))
	f.Add("-00:00:00.5", int64(-500000000), uint8(1))
	f.Add("1:02:03", int64(3723000000000), uint8(3))
	f.Add("001:00:00", int64(-1), uint8(255))
	f.Add("839:00:00", int64(1<<62), uint8(6))
	f.Add("12:34:56.000001", int64(-1<<63), uint8(6))
	f.Add("-:00:00", int64(0), uint8(0))
	f.Add("00:00:00.", int64(0), uint8(0))
	f.Fuzz(func(t *testing.T, s string, ns int64, frac uint8) {
		b := []byte(s)
		d, err := ParseDuration(b)
		if err == nil {
			if d > maxTime || d < -maxTime {
				t.Fatalf("ParseDuration(%q) = %v, outside TIME's range", s, d)
			}
			n := fracDigits(b, bytes.IndexByte(b, ':')+6)
			enc := AppendDuration(nil, d, n)
			back, err := ParseDuration(enc)
			if err != nil || back != d {
				t.Fatalf("ParseDuration(%q) = %v re-encodes as %q -> %v, %v", s, d, enc, back, err)
			}
			hours := b[:bytes.IndexByte(b, ':')]
			canonical := !(d == 0 && b[0] == '-')
			if hours[0] == '-' {
				hours = hours[1:]
			}
			canonical = canonical && (len(hours) == 2 || len(hours) == 3 && hours[0] != '0')
			if canonical && !bytes.Equal(enc, b) {
				t.Fatalf("ParseDuration(%q) = %v re-encodes as %q", s, d, enc)
			}
		}

		// Canonical round trip.
		n := int(frac % 7)
		want := time.Duration(ns) % (maxTime + 1)
		want -= want % fracUnit(n)
		enc := AppendDuration(nil, want, n)
		back, err := ParseDuration(enc)
		if err != nil || back != want {
			t.Fatalf("%v -> %q -> %v, %v", want, enc, back, err)
		}
	})
}
