package proto

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"
)

// unquote decodes a MySQL string literal the way the server reads it; it is
// written from the server's rules, independently of the encoder.
func unquote(t testing.TB, lit []byte, noBackslash bool) []byte {
	t.Helper()
	lit = bytes.TrimPrefix(lit, []byte("_binary"))
	if len(lit) < 2 || lit[0] != '\'' || lit[len(lit)-1] != '\'' {
		t.Fatalf("not a quoted literal: %q", lit)
	}
	body := lit[1 : len(lit)-1]
	var out []byte
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\'':
			if i+1 >= len(body) || body[i+1] != '\'' {
				t.Fatalf("unescaped quote inside %q", lit)
			}
			out = append(out, '\'')
			i++
		case c == '\\' && !noBackslash:
			if i+1 >= len(body) {
				t.Fatalf("dangling backslash in %q", lit)
			}
			i++
			switch body[i] {
			case '0':
				out = append(out, 0)
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 'Z':
				out = append(out, 0x1a)
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			default:
				out = append(out, body[i])
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

func TestAppendQuotedString(t *testing.T) {
	tests := []struct {
		in              string
		backslash, nobs string
	}{
		{"plain", `'plain'`, `'plain'`},
		{"it's", `'it\'s'`, `'it''s'`},
		{`a\b`, `'a\\b'`, `'a\b'`},
		{"nul\x00ctrl\x1a", `'nul\0ctrl\Z'`, "'nul\x00ctrl\x1a'"},
		{"line\r\n\"q\"", `'line\r\n\"q\"'`, "'line\r\n\"q\"'"},
		{"😀", "'😀'", "'😀'"},
	}
	for _, tt := range tests {
		if got := string(AppendQuotedString(nil, tt.in, false)); got != tt.backslash {
			t.Errorf("%q backslash mode: %s, want %s", tt.in, got, tt.backslash)
		}
		if got := string(AppendQuotedString(nil, tt.in, true)); got != tt.nobs {
			t.Errorf("%q NO_BACKSLASH_ESCAPES: %s, want %s", tt.in, got, tt.nobs)
		}
	}
}

func TestAppendQuotedBytesEveryByteValue(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, nobs := range []bool{false, true} {
		lit := AppendQuotedBytes(nil, all, nobs)
		if !bytes.HasPrefix(lit, []byte("_binary'")) {
			t.Errorf("missing _binary prefix: %q", lit[:10])
		}
		if got := unquote(t, lit, nobs); !bytes.Equal(got, all) {
			t.Errorf("noBackslash=%v: round trip lost bytes", nobs)
		}
	}
}

func TestAppendQuotedIdentifier(t *testing.T) {
	got, err := AppendQuotedIdentifier(nil, "we`ird")
	if err != nil || string(got) != "`we``ird`" {
		t.Errorf("got %s, %v", got, err)
	}
	for _, bad := range []string{"", "a\x00b"} {
		if _, err := AppendQuotedIdentifier(nil, bad); !errors.Is(err, ErrBadIdentifier) {
			t.Errorf("%q: %v, want ErrBadIdentifier", bad, err)
		}
	}
}

type myInt int
type myString string
type valuer struct{ v any }

func (v valuer) Value() (driverValue, error) { return v.v, nil }

type lit struct{}

func (lit) AppendLiteral(dst []byte, _ LiteralOptions) ([]byte, error) {
	return append(dst, "X'00'"...), nil
}

func TestAppendLiteral(t *testing.T) {
	ptr := 7
	var nilPtr *int
	loc := time.FixedZone("UTC+2", 7200)
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
	tests := []struct {
		name string
		in   any
		opts LiteralOptions
		want string
	}{
		{"nil", nil, LiteralOptions{}, "NULL"},
		{"bool", true, LiteralOptions{}, "1"},
		{"int64 min", int64(math.MinInt64), LiteralOptions{}, "-9223372036854775808"},
		{"uint64 max", uint64(math.MaxUint64), LiteralOptions{}, "18446744073709551615"},
		{"float", 1.5, LiteralOptions{}, "1.5e0"},
		{"float exp", 1e-7, LiteralOptions{}, "1e-07"},
		{"float32", float32(0.1), LiteralOptions{}, "0.1e0"},
		{"string", "a'b", LiteralOptions{}, `'a\'b'`},
		{"string nobs", "a'b\\", LiteralOptions{NoBackslashEscapes: true}, `'a''b\'`},
		{"bytes", []byte{0, 'x'}, LiteralOptions{}, `_binary'\0x'`},
		{"nil bytes", []byte(nil), LiteralOptions{}, "NULL"},
		{"json", json.RawMessage(`{"a":1}`), LiteralOptions{}, `'{\"a\":1}'`},
		{"time utc", ts, LiteralOptions{}, "'2024-01-02 03:04:05.000006'"},
		{"time in loc", ts.Truncate(time.Second), LiteralOptions{Loc: loc}, "'2024-01-02 05:04:05'"},
		{"zero time", time.Time{}, LiteralOptions{}, "'0000-00-00 00:00:00'"},
		{"duration", -(838*time.Hour + 59*time.Minute + 59*time.Second), LiteralOptions{}, "'-838:59:59'"},
		{"duration frac", 1500 * time.Millisecond, LiteralOptions{}, "'00:00:01.500000'"},
		{"list", []int{1, 2, 3}, LiteralOptions{}, "(1,2,3)"},
		{"any list", []any{"a", nil, 2}, LiteralOptions{}, "('a',NULL,2)"},
		{"named int", myInt(5), LiteralOptions{}, "5"},
		{"named string", myString("x'"), LiteralOptions{}, `'x\''`},
		{"pointer", &ptr, LiteralOptions{}, "7"},
		{"nil pointer", nilPtr, LiteralOptions{}, "NULL"},
		{"valuer", valuer{"v"}, LiteralOptions{}, "'v'"},
		{"literal", lit{}, LiteralOptions{}, "X'00'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendLiteral(nil, tt.in, tt.opts)
			if err != nil || string(got) != tt.want {
				t.Errorf("AppendLiteral(%#v) = %s, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestAppendLiteralRefusesValuesWithoutALiteral(t *testing.T) {
	for _, v := range []any{
		map[string]int{"a": 1}, struct{}{}, make(chan int), math.NaN(), math.Inf(1),
		[]int{}, 839 * time.Hour, complex(1, 2), func() {},
	} {
		if _, err := AppendLiteral(nil, v, LiteralOptions{}); !errors.Is(err, ErrUnsupportedArg) {
			t.Errorf("%T %v: %v, want ErrUnsupportedArg", v, v, err)
		}
	}
}

func TestAppendLiteralCommonTypesDoNotAllocate(t *testing.T) {
	dst := make([]byte, 0, 256)
	// Boxed once, as a caller's []any argument list already is.
	var i, s, b any = int64(123456), "hello 'world'", []byte("bytes")
	allocs := testing.AllocsPerRun(100, func() {
		d := dst[:0]
		d, _ = AppendLiteral(d, i, LiteralOptions{})
		d, _ = AppendLiteral(d, s, LiteralOptions{})
		d, _ = AppendLiteral(d, b, LiteralOptions{})
		_ = d
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}
