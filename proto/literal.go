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
// literal form (maps, structs, channels, ...), or a value outside the
// range its SQL type can hold.
var ErrUnsupportedArg = errors.New("proto: unsupported argument type")

// ErrEmptyList reports an empty slice or array argument: it would render
// as IN (), which SQL does not have.
var ErrEmptyList = errors.New("proto: empty list argument: SQL has no empty IN (); leave the condition out when there is nothing to match")

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

// AppendLiteral appends v rendered as an SQL literal:
//
//   - nil, a nil pointer and a nil []byte: NULL
//   - bool: 1 or 0
//   - integers: decimal digits
//   - floats: shortest form with an exponent (1.5e0), so the server reads
//     a DOUBLE; NaN and infinities are refused
//   - string and json.RawMessage: a quoted string; []byte and byte arrays:
//     a _binary quoted string
//   - time.Time: 'YYYY-MM-DD HH:MM:SS[.ffffff]' in opts.Loc; the zero
//     time is '0000-00-00 00:00:00'
//   - time.Duration: '[-]HH:MM:SS[.ffffff]' within TIME's ±838:59:59.999999
//   - Literal and driver.Valuer: the value's own rendering
//   - pointers and named types: as the value or kind underneath
//   - other slices and arrays: a parenthesised list, (1,2,3), for IN ?;
//     empty lists are refused with ErrEmptyList
//
// Anything else (maps, structs, channels, funcs, complex numbers) is
// refused with an error wrapping ErrUnsupportedArg. On error dst is
// returned with its original length.
func AppendLiteral(dst []byte, v any, opts LiteralOptions) ([]byte, error) {
	n := len(dst)
	dst, err := appendLiteral(dst, v, opts, 0)
	if err != nil {
		return dst[:n], err
	}
	return dst, nil
}

// maxLiteralDepth bounds the pointers, lists and Valuers one argument may
// nest, so a Valuer returning itself ends in an error.
const maxLiteralDepth = 8

var errTooDeep = fmt.Errorf("%w: value nested too deeply", ErrUnsupportedArg)

func appendLiteral(dst []byte, v any, opts LiteralOptions, depth int) ([]byte, error) {
	if depth > maxLiteralDepth {
		return dst, errTooDeep
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
		return appendBool(dst, x), nil
	case float64:
		return appendFloat(dst, x, 64)
	case float32:
		return appendFloat(dst, float64(x), 32)
	case time.Time:
		return appendTime(dst, x, opts)
	case time.Duration:
		return appendDurationLiteral(dst, x)
	case Literal:
		if isNilPointer(x) {
			return append(dst, "NULL"...), nil
		}
		return x.AppendLiteral(dst, opts)
	case driver.Valuer:
		if isNilPointer(x) {
			return append(dst, "NULL"...), nil
		}
		val, err := x.Value()
		if err != nil {
			return dst, fmt.Errorf("proto: %T.Value: %w", x, err)
		}
		return appendLiteral(dst, val, opts, depth+1)
	}
	return appendReflect(dst, reflect.ValueOf(v), opts, depth)
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, '1')
	}
	return append(dst, '0')
}

func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, fmt.Errorf("%w: NaN and infinities have no SQL literal", ErrUnsupportedArg)
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

func appendTime(dst []byte, t time.Time, opts LiteralOptions) ([]byte, error) {
	if !t.IsZero() {
		loc := opts.Loc
		if loc == nil {
			loc = time.UTC
		}
		t = t.In(loc)
		if y := t.Year(); y < 0 || y > 9999 {
			return dst, fmt.Errorf("%w: a time.Time outside DATETIME's years 0000-9999", ErrUnsupportedArg)
		}
	}
	frac := 0
	if t.Nanosecond() >= int(time.Microsecond) {
		frac = 6
	}
	dst = append(dst, '\'')
	dst = AppendDateTime(dst, t, frac)
	return append(dst, '\''), nil
}

func appendDurationLiteral(dst []byte, d time.Duration) ([]byte, error) {
	if d > maxTime || d < -maxTime {
		return dst, fmt.Errorf("%w: a time.Duration outside TIME's range, ±838:59:59.999999", ErrUnsupportedArg)
	}
	frac := 0
	if d%time.Second/time.Microsecond != 0 {
		frac = 6
	}
	dst = append(dst, '\'')
	dst = AppendDuration(dst, d, frac)
	return append(dst, '\''), nil
}

var (
	literalType    = reflect.TypeFor[Literal]()
	valuerType     = reflect.TypeFor[driver.Valuer]()
	timeType       = reflect.TypeFor[time.Time]()
	durationType   = reflect.TypeFor[time.Duration]()
	rawMessageType = reflect.TypeFor[json.RawMessage]()
)

// appendReflect renders what appendLiteral's type switch does not name:
// pointers, named basic types, byte arrays and lists.
func appendReflect(dst []byte, rv reflect.Value, opts LiteralOptions, depth int) ([]byte, error) {
	switch rv.Kind() {
	case reflect.Invalid:
		return append(dst, "NULL"...), nil
	case reflect.Pointer:
		if rv.IsNil() {
			return append(dst, "NULL"...), nil
		}
		return appendElem(dst, rv.Elem(), opts, depth+1)
	case reflect.String:
		return AppendQuotedString(dst, rv.String(), opts.NoBackslashEscapes), nil
	case reflect.Bool:
		return appendBool(dst, rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if rv.Type() == durationType {
			return appendDurationLiteral(dst, time.Duration(rv.Int()))
		}
		return strconv.AppendInt(dst, rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(dst, rv.Uint(), 10), nil
	case reflect.Float32:
		return appendFloat(dst, rv.Float(), 32)
	case reflect.Float64:
		return appendFloat(dst, rv.Float(), 64)
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			switch {
			case rv.IsNil():
				return append(dst, "NULL"...), nil
			case rv.Type() == rawMessageType:
				return appendQuotedBody(dst, "'", rv.Bytes(), opts), nil
			}
			return appendQuotedBody(dst, "_binary'", rv.Bytes(), opts), nil
		}
		return appendList(dst, rv, opts, depth)
	case reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			dst = append(dst, "_binary'"...)
			for i := range rv.Len() {
				dst = appendEscapedByte(dst, byte(rv.Index(i).Uint()), opts.NoBackslashEscapes)
			}
			return append(dst, '\''), nil
		}
		return appendList(dst, rv, opts, depth)
	case reflect.Struct:
		if rv.Type() == timeType && rv.CanInterface() {
			return appendTime(dst, rv.Interface().(time.Time), opts)
		}
	}
	return dst, fmt.Errorf("%w: %s", ErrUnsupportedArg, rv.Type())
}

func appendQuotedBody(dst []byte, open string, b []byte, opts LiteralOptions) []byte {
	dst = append(dst, open...)
	return append(appendEscaped(dst, b, opts.NoBackslashEscapes), '\'')
}

// appendElem renders a value reached through a pointer or a list. Values
// with a rendering of their own go back through appendLiteral.
func appendElem(dst []byte, rv reflect.Value, opts LiteralOptions, depth int) ([]byte, error) {
	if depth > maxLiteralDepth {
		return dst, errTooDeep
	}
	if rv.Kind() == reflect.Interface ||
		rv.CanInterface() && (rv.Type().Implements(literalType) || rv.Type().Implements(valuerType)) {
		return appendLiteral(dst, rv.Interface(), opts, depth)
	}
	return appendReflect(dst, rv, opts, depth)
}

func appendList(dst []byte, rv reflect.Value, opts LiteralOptions, depth int) ([]byte, error) {
	n := rv.Len()
	if n == 0 {
		return dst, fmt.Errorf("%w (%s)", ErrEmptyList, rv.Type())
	}
	dst = append(dst, '(')
	for i := range n {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendElem(dst, rv.Index(i), opts, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, ')'), nil
}
