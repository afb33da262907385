package proto

import (
	"errors"
	"math"
	"strconv"
	"testing"
	"time"
)

func TestParseIntegers(t *testing.T) {
	ints := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-1", -1, true}, {"+5", 5, true},
		{"9223372036854775807", math.MaxInt64, true}, {"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"", 0, false}, {"-", 0, false}, {"1a", 0, false}, {" 1", 0, false}, {"1.0", 0, false},
	}
	for _, tt := range ints {
		got, err := ParseInt([]byte(tt.in))
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseInt(%q) = %d, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrBadValue) {
			t.Errorf("ParseInt(%q) error %v does not wrap ErrBadValue", tt.in, err)
		}
	}
	if v, err := ParseUint([]byte("18446744073709551615")); err != nil || v != math.MaxUint64 {
		t.Errorf("ParseUint(max) = %d, %v", v, err)
	}
	if _, err := ParseUint([]byte("18446744073709551616")); err == nil {
		t.Error("ParseUint overflow accepted")
	}
	if _, err := ParseUint([]byte("-1")); err == nil {
		t.Error("ParseUint(-1) accepted")
	}
}

func TestParseFloat(t *testing.T) {
	for _, tt := range []struct {
		in   string
		bits int
		want float64
	}{
		{"3.14", 64, 3.14}, {"-3.40282e38", 32, float64(float32(-3.40282e38))}, {"1e-300", 64, 1e-300},
	} {
		got, err := ParseFloat([]byte(tt.in), tt.bits)
		if err != nil || got != tt.want {
			t.Errorf("ParseFloat(%q) = %v, %v", tt.in, got, err)
		}
	}
	if _, err := ParseFloat(nil, 64); err == nil {
		t.Error("empty float accepted")
	}
}

func TestParseDateTime(t *testing.T) {
	loc := time.FixedZone("X", -3600)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-02-29", time.Date(2024, 2, 29, 0, 0, 0, 0, loc), true},
		{"1000-01-01 00:00:00", time.Date(1000, 1, 1, 0, 0, 0, 0, loc), true},
		{"9999-12-31 23:59:59.999999", time.Date(9999, 12, 31, 23, 59, 59, 999999000, loc), true},
		{"2024-01-02 03:04:05.5", time.Date(2024, 1, 2, 3, 4, 5, 500000000, loc), true},
		{"0000-00-00 00:00:00", time.Time{}, true},
		{"0000-00-00 00:00:00.000000", time.Time{}, true},
		{"2024-00-15", time.Time{}, true},
		{"2023-02-29", time.Time{}, false},
		{"2024-13-01", time.Time{}, false},
		{"2024-01-01 24:00:00", time.Time{}, false},
		{"2024-01-01 00:00:00.", time.Time{}, false},
		{"2024-01-01 00:00:00.1234567", time.Time{}, false},
		{"2024/01/01", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := ParseDateTime([]byte(tt.in), loc)
		if (err == nil) != tt.ok || !got.Equal(tt.want) || (!tt.want.IsZero() && got.Location() != loc) {
			t.Errorf("ParseDateTime(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if _, err := ParseDate([]byte("2024-01-01 00:00:00"), nil); err == nil {
		t.Error("ParseDate accepted a datetime")
	}
}

func TestParseDuration(t *testing.T) {
	max := 838*time.Hour + 59*time.Minute + 59*time.Second
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"00:00:00", 0, true}, {"838:59:59", max, true}, {"-838:59:59", -max, true},
		{"-838:59:59.999999", -(max + 999999*time.Microsecond), true},
		{"12:34:56.000001", 12*time.Hour + 34*time.Minute + 56*time.Second + time.Microsecond, true},
		{"-00:00:01", -time.Second, true}, {"1:02:03", time.Hour + 2*time.Minute + 3*time.Second, true},
		{"839:00:00", 0, false}, {"00:60:00", 0, false}, {"00:00:60", 0, false}, {"12:00", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDuration([]byte(tt.in))
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseBit(t *testing.T) {
	if v, err := ParseBit([]byte{0x01, 0x00}); err != nil || v != 256 {
		t.Errorf("ParseBit = %d, %v", v, err)
	}
	if _, err := ParseBit(make([]byte, 9)); err == nil {
		t.Error("9-byte BIT accepted")
	}
}

func TestTextParsersDoNotAllocate(t *testing.T) {
	dt, d, i, f := []byte("2024-01-02 03:04:05.123456"), []byte("-12:34:56.5"), []byte("-1234567"), []byte("3.25")
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = ParseDateTime(dt, time.UTC)
		_, _ = ParseDuration(d)
		_, _ = ParseInt(i)
		_, _ = ParseFloat(f, 64)
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}

func FuzzParseDateTime(f *testing.F) {
	f.Add("2024-01-02 03:04:05.123456", int64(0))
	f.Add("0000-00-00", int64(1))
	f.Fuzz(func(t *testing.T, s string, unix int64) {
		_, _ = ParseDateTime([]byte(s), time.UTC)
		// Round trip of a canonical value.
		tm := time.Unix(unix%253402300799, 0).UTC().Add(time.Duration(unix%1000000) * time.Microsecond)
		if tm.Year() < 1000 || tm.Year() > 9999 {
			return
		}
		b := AppendDateTime(nil, tm, 6)
		got, err := ParseDateTime(b, time.UTC)
		if err != nil || !got.Equal(tm) {
			t.Fatalf("%v -> %s -> %v, %v", tm, b, got, err)
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	f.Add("-838:59:59.999999", int64(5))
	f.Fuzz(func(t *testing.T, s string, us int64) {
		_, _ = ParseDuration([]byte(s))
		d := time.Duration(us%int64(maxTime/time.Microsecond)) * time.Microsecond
		b := AppendDuration(nil, d, 6)
		got, err := ParseDuration(b)
		if err != nil || got != d {
			t.Fatalf("%v -> %s -> %v, %v", d, b, got, err)
		}
	})
}

func BenchmarkParseDateTime(b *testing.B) {
	v := []byte("2024-01-02 03:04:05.123456")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, _ = ParseDateTime(v, time.UTC)
	}
}

func BenchmarkParseInt(b *testing.B) {
	v := []byte(strconv.Itoa(math.MaxInt32))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, _ = ParseInt(v)
	}
}
