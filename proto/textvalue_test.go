package proto

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// wantBad fails unless err wraps ErrBadValue.
func wantBad(t *testing.T, call string, err error) {
	t.Helper()
	if !errors.Is(err, ErrBadValue) {
		t.Errorf("%s: error %v, want one wrapping ErrBadValue", call, err)
	}
}

func TestParseIntAcceptsInt64RangeOnly(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"-0", 0, true},
		{"-1", -1, true},
		{"+5", 5, true},
		{"0042", 42, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"000000000000000000000009223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false},
		{"99999999999999999999999", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"+", 0, false},
		{"--1", 0, false},
		{"1a", 0, false},
		{"a1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1.0", 0, false},
		{"1e3", 0, false},
		{"0x10", 0, false},
		{"1\x00", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseInt([]byte(tt.in))
		if tt.ok {
			if err != nil || got != tt.want {
				t.Errorf("ParseInt(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		if got != 0 {
			t.Errorf("ParseInt(%q) = %d with an error; want 0", tt.in, got)
		}
		wantBad(t, "ParseInt("+strconv.Quote(tt.in)+")", err)
	}
}

func TestParseUintAcceptsUint64RangeOnly(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"+7", 7, true},
		{"9223372036854775808", 1 << 63, true},
		{"18446744073709551615", math.MaxUint64, true},
		{"018446744073709551615", math.MaxUint64, true},
		{"18446744073709551616", 0, false},
		{"18446744073709551620", 0, false},
		{"184467440737095516150", 0, false},
		{"-1", 0, false},
		{"-0", 0, false},
		{"", 0, false},
		{"+", 0, false},
		{"1x", 0, false},
		{"1 ", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseUint([]byte(tt.in))
		if tt.ok {
			if err != nil || got != tt.want {
				t.Errorf("ParseUint(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		if got != 0 {
			t.Errorf("ParseUint(%q) = %d with an error; want 0", tt.in, got)
		}
		wantBad(t, "ParseUint("+strconv.Quote(tt.in)+")", err)
	}
}

func TestParseFloatAcceptsDecimalNotationOnly(t *testing.T) {
	tests := []struct {
		in   string
		bits int
		want float64
		ok   bool
	}{
		{"0", 64, 0, true},
		{"3.14", 64, 3.14, true},
		{"-2.5", 64, -2.5, true},
		{"1e38", 32, float64(float32(1e38)), true},
		{"3.40282e38", 32, float64(float32(3.40282e38)), true},
		{"-3.4028234663852886e38", 64, -3.4028234663852886e38, true},
		{"1.7976931348623157e308", 64, math.MaxFloat64, true},
		{"1e-300", 64, 1e-300, true},
		{"0.1", 32, float64(float32(0.1)), true},
		{"1E+10", 64, 1e10, true},
		{"3.5e38", 32, 0, false}, // beyond float32
		{"1e309", 64, 0, false},
		{"inf", 64, 0, false},
		{"-Infinity", 64, 0, false},
		{"NaN", 64, 0, false},
		{"0x1p-2", 64, 0, false},
		{"1_000", 64, 0, false}, // strconv would take this
		{"", 64, 0, false},
		{"-", 64, 0, false},
		{"1e", 64, 0, false},
		{"1.2.3", 64, 0, false},
		{" 1", 64, 0, false},
	}
	for _, tt := range tests {
		got, err := ParseFloat([]byte(tt.in), tt.bits)
		if tt.ok {
			if err != nil || got != tt.want {
				t.Errorf("ParseFloat(%q, %d) = %v, %v; want %v", tt.in, tt.bits, got, err, tt.want)
			}
			continue
		}
		if got != 0 {
			t.Errorf("ParseFloat(%q, %d) = %v with an error; want 0", tt.in, tt.bits, got)
		}
		wantBad(t, "ParseFloat("+strconv.Quote(tt.in)+")", err)
	}
}

func TestParseDateReturnsMidnightInLoc(t *testing.T) {
	loc := time.FixedZone("UTC-1", -3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"1000-01-01", time.Date(1000, 1, 1, 0, 0, 0, 0, loc)},
		{"9999-12-31", time.Date(9999, 12, 31, 0, 0, 0, 0, loc)},
		{"2024-02-29", time.Date(2024, 2, 29, 0, 0, 0, 0, loc)},
		{"2000-02-29", time.Date(2000, 2, 29, 0, 0, 0, 0, loc)},
		{"0000-01-01", time.Date(0, 1, 1, 0, 0, 0, 0, loc)},
		{"2024-04-30", time.Date(2024, 4, 30, 0, 0, 0, 0, loc)},
	}
	for _, tt := range tests {
		got, err := ParseDate([]byte(tt.in), loc)
		if err != nil || !got.Equal(tt.want) || got.Location() != loc {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if got, err := ParseDate([]byte("2024-05-06"), nil); err != nil || got != time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC) {
		t.Errorf("ParseDate with nil loc = %v, %v; want 2024-05-06 UTC", got, err)
	}
}

func TestParseDateTreatsZeroInDateAsZeroTime(t *testing.T) {
	for _, in := range []string{"0000-00-00", "2024-00-15", "2024-01-00", "0000-00-01", "0000-01-00"} {
		got, err := ParseDate([]byte(in), time.UTC)
		if err != nil || !got.IsZero() {
			t.Errorf("ParseDate(%q) = %v, %v; want the zero time", in, got, err)
		}
	}
}

func TestParseDateRejectsInvalidDates(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"2023-02-29", "invalid date"},
		{"1900-02-29", "invalid date"},
		{"2024-02-30", "invalid date"},
		{"2024-04-31", "invalid date"},
		{"2024-11-31", "invalid date"},
		{"2024-01-32", "datetime"},
		{"2024-13-01", "datetime"},
		{"2024-1-01", "date"},
		{"2024/01/01", "date"},
		{"+024-01-01", "datetime"},
		{"2024-01-01 00:00:00", "date"},
		{"", "date"},
	}
	for _, tt := range tests {
		got, err := ParseDate([]byte(tt.in), time.UTC)
		if !got.IsZero() {
			t.Errorf("ParseDate(%q) = %v with an error; want the zero time", tt.in, got)
		}
		wantBad(t, "ParseDate("+strconv.Quote(tt.in)+")", err)
		if err != nil && !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseDate(%q) error %q does not say %q", tt.in, err, tt.msg)
		}
	}
}

func TestParseDateTimeReadsFractionDigitsAsDecimals(t *testing.T) {
	loc := time.FixedZone("UTC+5:30", 5*3600+1800)
	tests := []struct {
		in string
		ns int
	}{
		{"2024-01-02 03:04:05", 0},
		{"2024-01-02 03:04:05.5", 500000000},
		{"2024-01-02 03:04:05.05", 50000000},
		{"2024-01-02 03:04:05.123", 123000000},
		{"2024-01-02 03:04:05.1234", 123400000},
		{"2024-01-02 03:04:05.12345", 123450000},
		{"2024-01-02 03:04:05.000001", 1000},
		{"2024-01-02 03:04:05.999999", 999999000},
	}
	for _, tt := range tests {
		want := time.Date(2024, 1, 2, 3, 4, 5, tt.ns, loc)
		got, err := ParseDateTime([]byte(tt.in), loc)
		if err != nil || got != want {
			t.Errorf("ParseDateTime(%q) = %v, %v; want %v", tt.in, got, err, want)
		}
	}
}

func TestParseDateTimeAcceptsFullRange(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"1000-01-01 00:00:00", time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"9999-12-31 23:59:59.999999", time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)},
		{"1970-01-01 00:00:01", time.Unix(1, 0).UTC()},
		{"2038-01-19 03:14:07.499999", time.Date(2038, 1, 19, 3, 14, 7, 499999000, time.UTC)},
		{"2024-02-29 12:00:00", time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)},
		{"2024-03-04", time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := ParseDateTime([]byte(tt.in), nil)
		if err != nil || got != tt.want {
			t.Errorf("ParseDateTime(%q, nil) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDateTimeTreatsZeroInDateAsZeroTime(t *testing.T) {
	for _, in := range []string{
		"0000-00-00 00:00:00",
		"0000-00-00 00:00:00.0",
		"0000-00-00 00:00:00.000000",
		"0000-00-00",
		"2024-00-15 00:00:00",
		"2024-01-00 12:34:56.5", // time of day is dropped with the date
	} {
		got, err := ParseDateTime([]byte(in), time.UTC)
		if err != nil || !got.IsZero() {
			t.Errorf("ParseDateTime(%q) = %v, %v; want the zero time", in, got, err)
		}
	}
}

func TestParseDateTimeRejectsMalformedValues(t *testing.T) {
	for _, in := range []string{
		"0000-00-00 00:00:01",
		"0000-00-00 00:00:00.000001",
		"2023-02-29 00:00:00",
		"2024-06-31 10:00:00",
		"2024-01-01 24:00:00",
		"2024-01-01 00:60:00",
		"2024-01-01 00:00:60",
		"2024-01-01T00:00:00",
		"2024-01-01  00:00:00",
		"2024-01-01 00:00",
		"2024-01-01 0:00:00",
		"2024-01-01 00:00:00.",
		"2024-01-01 00:00:00,5",
		"2024-01-01 00:00:00.1234567",
		"2024-01-01 00:00:00.12a",
		"2024-01-01 00:00:00Z",
		"2024-01-01 00:00:00 ",
		"2024-01-01 ",
		"2024-01-1",
		"-2024-01-01",
		"",
	} {
		got, err := ParseDateTime([]byte(in), time.UTC)
		if !got.IsZero() {
			t.Errorf("ParseDateTime(%q) = %v with an error; want the zero time", in, got)
		}
		wantBad(t, "ParseDateTime("+strconv.Quote(in)+")", err)
	}
}

func TestParseDurationAcceptsTimeRange(t *testing.T) {
	max := 838*time.Hour + 59*time.Minute + 59*time.Second
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"00:00:00", 0},
		{"-00:00:00", 0},
		{"838:59:59", max},
		{"-838:59:59", -max},
		{"838:59:59.999999", max + 999999*time.Microsecond},
		{"-838:59:59.999999", -(max + 999999*time.Microsecond)},
		{"12:34:56.000001", 12*time.Hour + 34*time.Minute + 56*time.Second + time.Microsecond},
		{"-00:00:01", -time.Second},
		{"-00:00:00.5", -500 * time.Millisecond},
		{"1:02:03", time.Hour + 2*time.Minute + 3*time.Second},
		{"01:02:03", time.Hour + 2*time.Minute + 3*time.Second},
		{"100:00:00.25", 100*time.Hour + 250*time.Millisecond},
		{"001:00:00", time.Hour},
	}
	for _, tt := range tests {
		got, err := ParseDuration([]byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDurationRejectsMalformedValues(t *testing.T) {
	for _, in := range []string{
		"839:00:00",
		"-839:00:00",
		"999:59:59",
		"1000:00:00",
		"00:60:00",
		"00:00:60",
		"00:0:00",
		"00:00:0",
		"12:00",
		":00:00",
		"--01:00:00",
		"+01:00:00",
		"01:00:00.",
		"01:00:00.1234567",
		"01:00:00 ",
		"01-00-00",
		"1 01:00:00",
		"-",
		"",
	} {
		got, err := ParseDuration([]byte(in))
		if got != 0 {
			t.Errorf("ParseDuration(%q) = %v with an error; want 0", in, got)
		}
		wantBad(t, "ParseDuration("+strconv.Quote(in)+")", err)
	}
}

func TestParseBitIsBigEndian(t *testing.T) {
	tests := []struct {
		in   []byte
		want uint64
	}{
		{nil, 0},
		{[]byte{0x01}, 1},
		{[]byte{0x01, 0x00}, 256},
		{[]byte{0x12, 0x34, 0x56}, 0x123456},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, math.MaxUint64},
	}
	for _, tt := range tests {
		got, err := ParseBit(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseBit(% x) = %#x, %v; want %#x", tt.in, got, err, tt.want)
		}
	}
	got, err := ParseBit(make([]byte, 9))
	if got != 0 {
		t.Errorf("ParseBit(9 bytes) = %d with an error; want 0", got)
	}
	wantBad(t, "ParseBit(9 bytes)", err)
}

func TestAppendDateTimeWritesCanonicalText(t *testing.T) {
	tm := time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.FixedZone("X", 7200))
	tests := []struct {
		t    time.Time
		frac int
		want string
	}{
		{tm, 0, "2024-01-02 03:04:05"},
		{tm, 1, "2024-01-02 03:04:05.1"},
		{tm, 3, "2024-01-02 03:04:05.123"},
		{tm, 6, "2024-01-02 03:04:05.123456"}, // truncated, not rounded
		{tm, 9, "2024-01-02 03:04:05.123456"},
		{tm, -1, "2024-01-02 03:04:05"},
		{time.Date(5, 6, 7, 8, 9, 10, 0, time.UTC), 2, "0005-06-07 08:09:10.00"},
		{time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), 6, "9999-12-31 23:59:59.999999"},
		{time.Time{}, 0, "0000-00-00 00:00:00"},
		{time.Time{}, 6, "0000-00-00 00:00:00.000000"},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), 0, "10000-01-01 00:00:00"},
		{time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), 0, "-1-01-01 00:00:00"},
	}
	for _, tt := range tests {
		if got := string(AppendDateTime([]byte("x"), tt.t, tt.frac)); got != "x"+tt.want {
			t.Errorf("AppendDateTime(%v, %d) = %q; want %q", tt.t, tt.frac, got, "x"+tt.want)
		}
	}
}

func TestAppendDurationWritesCanonicalText(t *testing.T) {
	tests := []struct {
		d    time.Duration
		frac int
		want string
	}{
		{0, 0, "00:00:00"},
		{-time.Second, 0, "-00:00:01"},
		{time.Hour + 2*time.Minute + 3*time.Second, 0, "01:02:03"},
		{maxTime, 6, "838:59:59.999999"},
		{-maxTime, 6, "-838:59:59.999999"},
		{-maxTime, 0, "-838:59:59"},
		{12*time.Hour + 1500*time.Microsecond, 3, "12:00:00.001"},
		{time.Second + 1999, 6, "00:00:01.000001"}, // truncated, not rounded
		{time.Second, 9, "00:00:01.000000"},
		{1000 * time.Hour, 0, "1000:00:00"},
		{math.MinInt64, 6, "-2562047:47:16.854775"},
		{math.MaxInt64, 6, "2562047:47:16.854775"},
	}
	for _, tt := range tests {
		if got := string(AppendDuration([]byte("x"), tt.d, tt.frac)); got != "x"+tt.want {
			t.Errorf("AppendDuration(%v, %d) = %q; want %q", tt.d, tt.frac, got, "x"+tt.want)
		}
	}
}

func TestTextParsersDoNotAllocate(t *testing.T) {
	var (
		dt   = []byte("2024-01-02 03:04:05.123456")
		date = []byte("2024-01-02")
		zero = []byte("0000-00-00 00:00:00")
		dur  = []byte("-838:59:59.999999")
		i    = []byte("-9223372036854775808")
		u    = []byte("18446744073709551615")
		f    = []byte("-3.4028234663852886e38")
		bit  = []byte{1, 2, 3, 4, 5, 6, 7, 8}
		loc  = time.FixedZone("X", 3600)
		buf  = make([]byte, 0, 64)
	)
	tests := []struct {
		name string
		fn   func()
	}{
		{"ParseInt", func() { _, _ = ParseInt(i) }},
		{"ParseUint", func() { _, _ = ParseUint(u) }},
		{"ParseFloat 64", func() { _, _ = ParseFloat(f, 64) }},
		{"ParseFloat 32", func() { _, _ = ParseFloat(f[:11], 32) }},
		{"ParseDate", func() { _, _ = ParseDate(date, loc) }},
		{"ParseDateTime", func() { _, _ = ParseDateTime(dt, loc) }},
		{"ParseDateTime nil loc", func() { _, _ = ParseDateTime(dt, nil) }},
		{"ParseDateTime zero", func() { _, _ = ParseDateTime(zero, loc) }},
		{"ParseDuration", func() { _, _ = ParseDuration(dur) }},
		{"ParseBit", func() { _, _ = ParseBit(bit) }},
		{"AppendDateTime", func() { buf = AppendDateTime(buf[:0], time.Unix(1e9, 5e8), 6) }},
		{"AppendDuration", func() { buf = AppendDuration(buf[:0], -maxTime, 6) }},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.fn); n != 0 {
			t.Errorf("%s: %v allocations per call; want 0", tt.name, n)
		}
	}
}

func BenchmarkParseDateTime(b *testing.B) {
	v := []byte("2024-01-02 03:04:05.123456")
	b.ReportAllocs()
	for b.Loop() {
		_, _ = ParseDateTime(v, time.UTC)
	}
}

func BenchmarkParseInt(b *testing.B) {
	v := []byte("-9223372036854775808")
	b.ReportAllocs()
	for b.Loop() {
		_, _ = ParseInt(v)
	}
}
