package proto

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
)

// ErrUnsupportedArg reports an argument of a Go type that has no SQL
// literal form (maps, structs, channels, ...).
var ErrUnsupportedArg = errors.New("proto: unsupported argument type")

// LiteralOptions control how values are rendered as SQL literals.
type LiteralOptions struct {
	// NoBackslashEscapes reflects the server's NO_BACKSLASH_ESCAPES mode.
	NoBackslashEscapes bool
	// Loc is the zone time.Time values are written in; nil means UTC.
	Loc *time.Location
}

// Literal is implemented by types that render themselves as SQL literals.
type Literal interface {
	AppendLiteral(dst []byte, opts LiteralOptions) ([]byte, error)
}

// AppendLiteral appends v rendered as an SQL literal. Slices other than
// []byte become a parenthesised list, for IN (...).
func AppendLiteral(dst []byte, v any, opts LiteralOptions) ([]byte, error) {
	return appendLiteral(dst, v, opts, 0)
}

const maxLiteralDepth = 8

func appendLiteral(dst []byte, v any, opts LiteralOptions, depth int) ([]byte, error) {
	if depth > maxLiteralDepth {
		return dst, fmt.Errorf("%w: value nested too deeply", ErrUnsupportedArg)
	}
	switch x := v.(type) {
	case nil:
		return append(dst, "NULL"...), nil
	case string:
		return AppendQuotedString(dst, x, opts.NoBackslashEscapes), nil
	case []byte:
		if x == nil {
			return append(dst, "NULL"...), nil
		}
		return AppendQuotedBytes(dst, x, opts.NoBackslashEscapes), nil
	case json.RawMessage:
		if x == nil {
			return append(dst, "NULL"...), nil
		}
		return AppendQuotedString(dst, string(x), opts.NoBackslashEscapes), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint16:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint8:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case bool:
		if x {
			return append(dst, '1'), nil
		}
		return append(dst, '0'), nil
	case float64:
		return appendFloat(dst, x, 64)
	case float32:
		return appendFloat(dst, float64(x), 32)
	case time.Time:
		return appendTime(dst, x, opts), nil
	case time.Duration:
		if x > maxTime || x < -maxTime {
			return dst, fmt.Errorf("%w: duration %v outside TIME's range", ErrUnsupportedArg, x)
		}
		dst = append(dst, '\'')
		frac := 0
		if x%time.Second != 0 {
			frac = 6
		}
		dst = AppendDuration(dst, x, frac)
		return append(dst, '\''), nil
	case Literal:
		return x.AppendLiteral(dst, opts)
	case driver.Valuer:
		if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return append(dst, "NULL"...), nil
		}
		val, err := x.Value()
		if err != nil {
			return dst, err
		}
		return appendLiteral(dst, val, opts, depth+1)
	case []any:
		return appendList(dst, len(x), func(i int) any { return x[i] }, opts, depth)
	}
	return appendReflect(dst, v, opts, depth)
}

func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, fmt.Errorf("%w: %v has no SQL literal", ErrUnsupportedArg, f)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'g', -1, bits)
	for _, c := range dst[start:] {
		if c == 'e' {
			return dst, nil
		}
	}
	// An exponent makes the server read the literal as DOUBLE, not DECIMAL.
	return append(dst, "e0"...), nil
}

func appendTime(dst []byte, t time.Time, opts LiteralOptions) []byte {
	dst = append(dst, '\'')
	if !t.IsZero() {
		loc := opts.Loc
		if loc == nil {
			loc = time.UTC
		}
		t = t.In(loc)
	}
	frac := 0
	if t.Nanosecond() != 0 {
		frac = 6
	}
	dst = AppendDateTime(dst, t, frac)
	return append(dst, '\'')
}

func appendList(dst []byte, n int, at func(int) any, opts LiteralOptions, depth int) ([]byte, error) {
	if n == 0 {
		return dst, fmt.Errorf("%w: empty list", ErrUnsupportedArg)
	}
	dst = append(dst, '(')
	for i := 0; i < n; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendLiteral(dst, at(i), opts, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, ')'), nil
}

// appendReflect handles pointers, named basic types and slices.
func appendReflect(dst []byte, v any, opts LiteralOptions, depth int) ([]byte, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return append(dst, "NULL"...), nil
		}
		return appendLiteral(dst, rv.Elem().Interface(), opts, depth+1)
	case reflect.String:
		return AppendQuotedString(dst, rv.String(), opts.NoBackslashEscapes), nil
	case reflect.Bool:
		return appendLiteral(dst, rv.Bool(), opts, depth+1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(dst, rv.Uint(), 10), nil
	case reflect.Float32:
		return appendFloat(dst, rv.Float(), 32)
	case reflect.Float64:
		return appendFloat(dst, rv.Float(), 64)
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			if rv.Kind() == reflect.Slice && rv.IsNil() {
				return append(dst, "NULL"...), nil
			}
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return AppendQuotedBytes(dst, b, opts.NoBackslashEscapes), nil
		}
		return appendList(dst, rv.Len(), func(i int) any { return rv.Index(i).Interface() }, opts, depth)
	}
	return dst, fmt.Errorf("%w: %T", ErrUnsupportedArg, v)
}
