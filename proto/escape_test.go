package proto

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// readString reads the string literal at the start of q the way the
// server's lexer does, written from the server's rules and independently
// of the encoder. It accepts an optional _binary introducer, then '…' or
// "…": a doubled quote stands for one and, unless noBackslash, a backslash
// escapes the next byte: \0 \b \n \r \t \Z stand for NUL, backspace,
// newline, return, tab and ^Z, \% and \_ keep their backslash, and any
// other byte stands for itself. It returns the value and the bytes read.
func readString(q []byte, noBackslash bool) (val []byte, n int, err error) {
	i := 0
	if bytes.HasPrefix(q, []byte("_binary")) {
		i = len("_binary")
	}
	if i >= len(q) || q[i] != '\'' && q[i] != '"' {
		return nil, 0, errors.New("no opening quote")
	}
	quote := q[i]
	val = []byte{}
	for i++; i < len(q); i++ {
		c := q[i]
		switch {
		case c == quote:
			if i+1 < len(q) && q[i+1] == quote {
				val = append(val, quote)
				i++
				continue
			}
			return val, i + 1, nil
		case c == '\\' && !noBackslash:
			i++
			if i == len(q) {
				return nil, 0, errors.New("unterminated string")
			}
			switch e := q[i]; e {
			case '0':
				val = append(val, 0)
			case 'b':
				val = append(val, '\b')
			case 'n':
				val = append(val, '\n')
			case 'r':
				val = append(val, '\r')
			case 't':
				val = append(val, '\t')
			case 'Z':
				val = append(val, 0x1a)
			case '%', '_':
				val = append(val, '\\', e)
			default:
				val = append(val, e)
			}
		default:
			val = append(val, c)
		}
	}
	return nil, 0, errors.New("unterminated string")
}

// unquote decodes lit, which must be exactly one string literal.
func unquote(t testing.TB, lit []byte, noBackslash bool) []byte {
	t.Helper()
	val, n, err := readString(lit, noBackslash)
	if err != nil {
		t.Fatalf("%q: %v", lit, err)
	}
	if n != len(lit) {
		t.Fatalf("%q: literal ends after %d bytes, before %q", lit, n, lit[n:])
	}
	return val
}

func TestReadStringFollowsServerRules(t *testing.T) {
	tests := []struct {
		lit  string
		nobs bool
		want string
		n    int
	}{
		{`'a''b' rest`, false, "a'b", 6},
		{`'a\'b'`, false, "a'b", 6},
		{`'a\'b'`, true, `a\`, 4},
		{`"a""b\"c"`, false, `a"b"c`, 9},
		{`'\%\_\x\\'`, false, `\%\_x\`, 10},
		{`'\0\b\n\r\t\Z'`, false, "\x00\b\n\r\t\x1a", 14},
		{`_binary'\0'`, false, "\x00", 11},
	}
	for _, tt := range tests {
		val, n, err := readString([]byte(tt.lit), tt.nobs)
		if err != nil || string(val) != tt.want || n != tt.n {
			t.Errorf("readString(%s, %v) = %q, %d, %v; want %q, %d", tt.lit, tt.nobs, val, n, err, tt.want, tt.n)
		}
	}
	for _, bad := range []string{`'abc`, `'abc\'`, `abc`, `_binary`} {
		if _, _, err := readString([]byte(bad), false); err == nil {
			t.Errorf("readString(%s) accepted an unterminated or missing literal", bad)
		}
	}
}

func TestAppendQuotedStringEscapesPerMode(t *testing.T) {
	tests := []struct {
		name            string
		in              string
		backslash, nobs string
	}{
		{"plain", "plain", `'plain'`, `'plain'`},
		{"empty", "", `''`, `''`},
		{"single quote", "it's", `'it\'s'`, `'it''s'`},
		{"quotes only", "''", `'\'\''`, `''''''`},
		{"double quote", `say "hi"`, `'say \"hi\"'`, `'say "hi"'`},
		{"backslash", `a\b`, `'a\\b'`, `'a\b'`},
		{"trailing backslash", `a\`, `'a\\'`, `'a\'`},
		{"backslash then quote", `\'`, `'\\\''`, `'\'''`},
		{"NUL and ^Z", "nul\x00ctrl\x1a", `'nul\0ctrl\Z'`, "'nul\x00ctrl\x1a'"},
		{"newlines", "line\r\n", `'line\r\n'`, "'line\r\n'"},
		{"tab and backspace kept", "\t\b", "'\t\b'", "'\t\b'"},
		{"percent and underscore kept", "100%_", "'100%_'", "'100%_'"},
		{"two-byte UTF-8", "café", "'café'", "'café'"},
		{"four-byte emoji", "😀'😀", `'😀\'😀'`, "'😀''😀'"},
		{"invalid UTF-8", "\xbf'\xff", "'\xbf\\'\xff'", "'\xbf''\xff'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(AppendQuotedString(nil, tt.in, false)); got != tt.backslash {
				t.Errorf("backslash mode: %s, want %s", got, tt.backslash)
			}
			if got := string(AppendQuotedString(nil, tt.in, true)); got != tt.nobs {
				t.Errorf("NO_BACKSLASH_ESCAPES: %s, want %s", got, tt.nobs)
			}
			for _, nobs := range []bool{false, true} {
				if got := unquote(t, AppendQuotedString(nil, tt.in, nobs), nobs); string(got) != tt.in {
					t.Errorf("noBackslash=%v reads back as %q", nobs, got)
				}
			}
		})
	}
}

func TestAppendQuotedStringKeepsWhatDstHeld(t *testing.T) {
	got := AppendQuotedString([]byte("SELECT "), "x", false)
	if string(got) != "SELECT 'x'" {
		t.Errorf("got %q", got)
	}
}

func TestAppendQuotedBytesPrefixesBinary(t *testing.T) {
	tests := []struct {
		in              []byte
		backslash, nobs string
	}{
		{[]byte{}, `_binary''`, `_binary''`},
		{[]byte{0, 0xff, '\'', '\\'}, "_binary'\\0\xff\\'\\\\'", "_binary'\x00\xff''\\'"},
	}
	for _, tt := range tests {
		if got := string(AppendQuotedBytes(nil, tt.in, false)); got != tt.backslash {
			t.Errorf("%q backslash mode: %q, want %q", tt.in, got, tt.backslash)
		}
		if got := string(AppendQuotedBytes(nil, tt.in, true)); got != tt.nobs {
			t.Errorf("%q NO_BACKSLASH_ESCAPES: %q, want %q", tt.in, got, tt.nobs)
		}
	}
}

func TestQuotingRoundTripsEveryByteValue(t *testing.T) {
	all := make([]byte, 0, 2*256)
	for i := range 256 {
		all = append(all, byte(i), 'x') // each byte alone, then next to a plain one
	}
	for _, nobs := range []bool{false, true} {
		lit := AppendQuotedBytes(nil, all, nobs)
		if !bytes.HasPrefix(lit, []byte("_binary'")) {
			t.Errorf("missing _binary prefix: %q", lit[:10])
		}
		if got := unquote(t, lit, nobs); !bytes.Equal(got, all) {
			t.Errorf("AppendQuotedBytes noBackslash=%v: round trip lost bytes", nobs)
		}
		if got := unquote(t, AppendQuotedString(nil, string(all), nobs), nobs); !bytes.Equal(got, all) {
			t.Errorf("AppendQuotedString noBackslash=%v: round trip lost bytes", nobs)
		}
	}
}

func TestAppendQuotedIdentifierDoublesBackticks(t *testing.T) {
	tests := []struct{ in, want string }{
		{"t", "`t`"},
		{"we`ird", "`we``ird`"},
		{"``", "``````"},
		{"a'b\"c\\", "`a'b\"c\\`"},
		{"名前", "`名前`"},
	}
	for _, tt := range tests {
		got, err := AppendQuotedIdentifier([]byte("x."), tt.in)
		if err != nil || string(got) != "x."+tt.want {
			t.Errorf("AppendQuotedIdentifier(%q) = %s, %v; want x.%s", tt.in, got, err, tt.want)
		}
	}
}

func TestAppendQuotedIdentifierRefusesEmptyAndNUL(t *testing.T) {
	for _, bad := range []string{"", "a\x00b", "\x00", "ab`\x00"} {
		got, err := AppendQuotedIdentifier([]byte("x."), bad)
		if !errors.Is(err, ErrBadIdentifier) {
			t.Errorf("%q: %v, want ErrBadIdentifier", bad, err)
		}
		if string(got) != "x." {
			t.Errorf("%q: dst became %q, want it unchanged", bad, got)
		}
	}
}

type (
	myInt    int
	myUint   uint16
	myString string
	myBool   bool
	myFloat  float32
	myBytes  []byte
	myList   []myInt
)

type valuer struct{ v any }

func (v valuer) Value() (driverValue, error) { return v.v, nil }

type ptrValuer struct{ s string }

func (v *ptrValuer) Value() (driverValue, error) { return v.s, nil }

type errValuer struct{ err error }

func (v errValuer) Value() (driverValue, error) { return nil, v.err }

type selfValuer struct{}

func (v selfValuer) Value() (driverValue, error) { return v, nil }

type lit struct{}

func (lit) AppendLiteral(dst []byte, _ LiteralOptions) ([]byte, error) {
	return append(dst, "X'00'"...), nil
}

type valueLit struct{ s string }

func (v valueLit) AppendLiteral(dst []byte, _ LiteralOptions) ([]byte, error) {
	return append(dst, v.s...), nil
}

func TestAppendLiteralRendersEachType(t *testing.T) {
	seven := 7
	pseven := &seven
	var nilPtr *int
	var nilLit *valueLit
	var nilValuer *valuer
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, "NULL"},
		{"true", true, "1"},
		{"false", false, "0"},
		{"int", -42, "-42"},
		{"int8", int8(math.MinInt8), "-128"},
		{"int16", int16(math.MaxInt16), "32767"},
		{"int32", int32(math.MinInt32), "-2147483648"},
		{"int64 min", int64(math.MinInt64), "-9223372036854775808"},
		{"uint", uint(7), "7"},
		{"uint8", uint8(255), "255"},
		{"uint16", uint16(65535), "65535"},
		{"uint32", uint32(math.MaxUint32), "4294967295"},
		{"uint64 max", uint64(math.MaxUint64), "18446744073709551615"},
		{"float", 1.5, "1.5e0"},
		{"whole float", 3.0, "3e0"},
		{"negative zero", math.Copysign(0, -1), "-0e0"},
		{"small float", 1e-7, "1e-07"},
		{"large float", 1e21, "1e+21"},
		{"max float", math.MaxFloat64, "1.7976931348623157e+308"},
		{"float32 shortest", float32(0.1), "0.1e0"},
		{"string", "a'b", `'a\'b'`},
		{"bytes", []byte{0, 'x'}, `_binary'\0x'`},
		{"empty bytes", []byte{}, `_binary''`},
		{"nil bytes", []byte(nil), "NULL"},
		{"json", json.RawMessage(`{"a":1}`), `'{\"a\":1}'`},
		{"nil json", json.RawMessage(nil), "NULL"},
		{"time", ts, "'2024-01-02 03:04:05.000006'"},
		{"time without fraction", ts.Truncate(time.Second), "'2024-01-02 03:04:05'"},
		{"time below a microsecond", ts.Truncate(time.Second).Add(999), "'2024-01-02 03:04:05'"},
		{"zero time", time.Time{}, "'0000-00-00 00:00:00'"},
		{"duration", 25*time.Hour + 2*time.Minute + 3*time.Second, "'25:02:03'"},
		{"short duration", 3 * time.Second, "'00:00:03'"},
		{"negative max duration", -maxTime, "'-838:59:59.999999'"},
		{"duration fraction", 1500 * time.Millisecond, "'00:00:01.500000'"},
		{"duration below a microsecond", 999 * time.Nanosecond, "'00:00:00'"},
		{"int list", []int{1, 2, 3}, "(1,2,3)"},
		{"int64 list", []int64{-1}, "(-1)"},
		{"string list", []string{"a", "b'"}, `('a','b\'')`},
		{"any list", []any{"a", nil, 2, []byte("b")}, "('a',NULL,2,_binary'b')"},
		{"array list", [2]uint{4, 5}, "(4,5)"},
		{"nested list", [][]int{{1, 2}, {3, 4}}, "((1,2),(3,4))"},
		{"list of durations", []time.Duration{time.Second}, "('00:00:01')"},
		{"list of times", []time.Time{ts}, "('2024-01-02 03:04:05.000006')"},
		{"list of pointers", []*int{pseven, nil}, "(7,NULL)"},
		{"list of valuers", []driver.Valuer{valuer{"v"}, nilValuer}, "('v',NULL)"},
		{"list of literals", []valueLit{{"1.50"}, {"2"}}, "(1.50,2)"},
		{"byte array", [3]byte{'a', 0, '\''}, `_binary'a\0\''`},
		{"named int", myInt(5), "5"},
		{"named uint", myUint(5), "5"},
		{"named string", myString("x'"), `'x\''`},
		{"named bool", myBool(true), "1"},
		{"named float", myFloat(0.25), "0.25e0"},
		{"named bytes", myBytes("\x00"), `_binary'\0'`},
		{"nil named bytes", myBytes(nil), "NULL"},
		{"named list", myList{1, 2}, "(1,2)"},
		{"pointer", pseven, "7"},
		{"pointer to pointer", &pseven, "7"},
		{"nil pointer", nilPtr, "NULL"},
		{"pointer to string", &[]string{"s"}[0], "'s'"},
		{"pointer to time", &ts, "'2024-01-02 03:04:05.000006'"},
		{"pointer to duration", &[]time.Duration{time.Minute}[0], "'00:01:00'"},
		{"pointer to json", &json.RawMessage{'1'}, "'1'"},
		{"valuer", valuer{"v"}, "'v'"},
		{"valuer of nil", valuer{nil}, "NULL"},
		{"valuer of valuer", valuer{valuer{int64(3)}}, "3"},
		{"pointer-receiver valuer", &ptrValuer{"p"}, "'p'"},
		{"nil pointer valuer", (*ptrValuer)(nil), "NULL"},
		{"nil value-receiver valuer", nilValuer, "NULL"},
		{"literal", lit{}, "X'00'"},
		{"nil literal pointer", nilLit, "NULL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendLiteral(nil, tt.in, LiteralOptions{})
			if err != nil || string(got) != tt.want {
				t.Errorf("AppendLiteral(%#v) = %s, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestAppendLiteralEscapesStringsPerMode(t *testing.T) {
	nobs := LiteralOptions{NoBackslashEscapes: true}
	tests := []struct {
		in   any
		want string
	}{
		{"a'b\\", `'a''b\'`},
		{[]byte("a'b\\"), `_binary'a''b\'`},
		{json.RawMessage(`"\'"`), `'"\''"'`},
		{myString("'"), "''''"},
		{[1]byte{'\''}, "_binary''''"},
		{[]string{"'"}, "('''')"},
	}
	for _, tt := range tests {
		got, err := AppendLiteral(nil, tt.in, nobs)
		if err != nil || string(got) != tt.want {
			t.Errorf("AppendLiteral(%#v) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestAppendLiteralWritesTimesInOptsLoc(t *testing.T) {
	plus2 := time.FixedZone("UTC+2", 2*3600)
	minus5 := time.FixedZone("UTC-5", -5*3600)
	instant := time.Date(2024, 1, 1, 1, 30, 0, 0, plus2) // 2023-12-31 23:30 UTC
	tests := []struct {
		name string
		loc  *time.Location
		want string
	}{
		{"nil is UTC", nil, "'2023-12-31 23:30:00'"},
		{"UTC", time.UTC, "'2023-12-31 23:30:00'"},
		{"the time's own zone", plus2, "'2024-01-01 01:30:00'"},
		{"another zone", minus5, "'2023-12-31 18:30:00'"},
	}
	for _, tt := range tests {
		got, err := AppendLiteral(nil, instant, LiteralOptions{Loc: tt.loc})
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: %s, %v; want %s", tt.name, got, err, tt.want)
		}
	}
	if got, _ := AppendLiteral(nil, time.Time{}, LiteralOptions{Loc: minus5}); string(got) != "'0000-00-00 00:00:00'" {
		t.Errorf("zero time in UTC-5: %s, want the zero date unshifted", got)
	}
}

func TestAppendLiteralRefusesValuesWithoutALiteral(t *testing.T) {
	cycle := []any{nil}
	cycle[0] = cycle
	tests := []struct {
		name string
		in   any
		msg  string // part of the error message
	}{
		{"map", map[string]int{"a": 1}, "map[string]int"},
		{"pointer to map", &map[string]any{}, "map[string]interface {}"},
		{"struct", struct{ A int }{1}, "struct { A int }"},
		{"channel", make(chan int), "chan int"},
		{"func", func() {}, "func()"},
		{"complex128", complex(1, 2), "complex128"},
		{"complex64", complex64(1), "complex64"},
		{"map inside a list", []any{1, map[int]int{}}, "map[int]int"},
		{"valuer of map", valuer{map[string]string{}}, "map[string]string"},
		{"NaN", math.NaN(), "NaN and infinities"},
		{"+Inf", math.Inf(1), "NaN and infinities"},
		{"float32 -Inf", float32(math.Inf(-1)), "NaN and infinities"},
		{"duration too long", maxTime + time.Microsecond, "outside TIME's range"},
		{"duration too negative", -maxTime - time.Nanosecond, "outside TIME's range"},
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "outside DATETIME's years"},
		{"negative year", time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), "outside DATETIME's years"},
		{"valuer returning itself", selfValuer{}, "nested too deeply"},
		{"list holding itself", cycle, "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendLiteral([]byte("x"), tt.in, LiteralOptions{})
			if !errors.Is(err, ErrUnsupportedArg) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want ErrUnsupportedArg mentioning %q", err, tt.msg)
			}
			if string(got) != "x" {
				t.Errorf("dst became %q, want it unchanged", got)
			}
		})
	}
}

// An empty list has a type amysql supports; what SQL lacks is IN (), and
// the error says that rather than "unsupported argument type".
func TestAppendLiteralRefusesEmptyListsWithErrEmptyList(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   any
	}{
		{"empty list", []int{}},
		{"nil list", []string(nil)},
		{"empty array", [0]int{}},
		{"empty list inside a list", []any{1, []int{}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendLiteral([]byte("x"), tt.in, LiteralOptions{})
			if !errors.Is(err, ErrEmptyList) || errors.Is(err, ErrUnsupportedArg) {
				t.Errorf("error %v, want ErrEmptyList and not ErrUnsupportedArg", err)
			}
			if err != nil && (strings.Contains(err.Error(), "unsupported") || !strings.Contains(err.Error(), "IN ()")) {
				t.Errorf("error text %q: want it to name IN (), not an unsupported type", err)
			}
			if string(got) != "x" {
				t.Errorf("dst became %q, want it unchanged", got)
			}
		})
	}
	_, err := Interpolate(nil, "SELECT 1 WHERE id IN ?", []any{[]int64{}}, LiteralOptions{})
	if !errors.Is(err, ErrEmptyList) || !strings.Contains(err.Error(), "argument 1") {
		t.Errorf("Interpolate with an empty list = %v, want ErrEmptyList for argument 1", err)
	}
}

// An argument refused for its value (a time outside DATETIME, a duration
// outside TIME) is not shown in the error, in either protocol: error text
// reaches logs.
func TestRefusedValuesAreNotShownInTheError(t *testing.T) {
	for _, tt := range []struct {
		arg   any
		value string // what the error must not show
	}{
		{time.Date(12345, 6, 7, 0, 0, 0, 0, time.UTC), "12345"},
		{time.Date(-4321, 6, 7, 0, 0, 0, 0, time.UTC), "4321"},
		{987*time.Hour + 654*time.Second, "987"},
		{-987 * time.Hour, "987"},
	} {
		_, lerr := AppendLiteral(nil, tt.arg, LiteralOptions{})
		_, berr := AppendStmtExecute(nil, 1, []any{tt.arg}, nil, LiteralOptions{})
		for name, err := range map[string]error{"text": lerr, "binary": berr} {
			if !errors.Is(err, ErrUnsupportedArg) || strings.Contains(err.Error(), tt.value) {
				t.Errorf("%s %v: error %v, want ErrUnsupportedArg without %q", name, tt.arg, err, tt.value)
			}
		}
	}
}

func TestAppendLiteralPassesValuerErrorsOn(t *testing.T) {
	boom := errors.New("boom")
	_, err := AppendLiteral(nil, []any{1, errValuer{boom}}, LiteralOptions{})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "proto.errValuer") {
		t.Errorf("error %v, want one wrapping boom and naming the type", err)
	}
}

func TestAppendLiteralCommonTypesDoNotAllocate(t *testing.T) {
	dst := make([]byte, 0, 256)
	seven := 7
	// Boxed once, as a caller's []any argument list already is.
	args := []any{
		int64(123456), 1 << 40, uint64(1 << 63), true, 2.5,
		"hello 'world'", []byte("by\x00tes"), myString("named"),
		&seven, []int64{1, 2, 3}, []string{"a", "b"}, []any{1, "x"},
	}
	allocs := testing.AllocsPerRun(100, func() {
		d := dst[:0]
		for _, a := range args {
			d, _ = AppendLiteral(d, a, LiteralOptions{})
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}
