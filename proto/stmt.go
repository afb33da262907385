package proto

import (
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"time"
)

// StmtPrepareOK is the first packet answering COM_STMT_PREPARE.
type StmtPrepareOK struct {
	StmtID     uint32
	NumColumns uint16
	NumParams  uint16
	Warnings   uint16
}

// ParseStmtPrepareOK decodes a COM_STMT_PREPARE OK packet: 0x00, statement
// id(4), columns(2), params(2), filler(1), warnings(2). Short packets may
// omit the filler and warnings; trailing bytes are ignored.
func ParseStmtPrepareOK(b []byte) (StmtPrepareOK, error) {
	var ok StmtPrepareOK
	if len(b) < 9 || b[0] != HeaderOK {
		return ok, fmt.Errorf("%w: prepare OK", ErrMalformedPacket)
	}
	le := binary.LittleEndian
	ok.StmtID = le.Uint32(b[1:])
	ok.NumColumns = le.Uint16(b[5:])
	ok.NumParams = le.Uint16(b[7:])
	if len(b) >= 12 {
		ok.Warnings = le.Uint16(b[10:])
	}
	return ok, nil
}

// AppendStmtClose appends a COM_STMT_CLOSE payload. The server does not
// answer it.
func AppendStmtClose(dst []byte, stmtID uint32) []byte {
	return binary.LittleEndian.AppendUint32(append(dst, ComStmtClose), stmtID)
}

// AppendStmtReset appends a COM_STMT_RESET payload.
func AppendStmtReset(dst []byte, stmtID uint32) []byte {
	return binary.LittleEndian.AppendUint32(append(dst, ComStmtReset), stmtID)
}

// AppendStmtSendLongData appends a COM_STMT_SEND_LONG_DATA payload carrying
// a chunk of parameter param (0-based). The server does not answer it.
func AppendStmtSendLongData(dst []byte, stmtID uint32, param uint16, data []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(append(dst, ComStmtSendLongData), stmtID)
	dst = binary.LittleEndian.AppendUint16(dst, param)
	return append(dst, data...)
}

// AppendStmtExecute appends a COM_STMT_EXECUTE payload (no cursor, one
// iteration) binding args, with their types. longData[i] marks a parameter
// already sent with COM_STMT_SEND_LONG_DATA: only its type, STRING for
// string arguments and BLOB otherwise, is sent. time.Time values are written
// in opts.Loc (nil means UTC). An argument of a type with no binary encoding
// gives an error wrapping ErrUnsupportedArg, and dst is returned unchanged.
func AppendStmtExecute(dst []byte, stmtID uint32, args []any, longData []bool, opts LiteralOptions) ([]byte, error) {
	start := len(dst)
	dst = append(dst, ComStmtExecute)
	dst = binary.LittleEndian.AppendUint32(dst, stmtID)
	dst = append(dst, 0)                           // flags: no cursor
	dst = binary.LittleEndian.AppendUint32(dst, 1) // iteration count
	if len(args) == 0 {
		return dst, nil
	}
	nullAt := len(dst)
	for range (len(args) + 7) / 8 {
		dst = append(dst, 0)
	}
	dst = append(dst, 1) // new params bound: types follow
	typesAt := len(dst)
	for range args {
		dst = append(dst, 0, 0)
	}
	for i, a := range args {
		var t FieldType
		var unsigned bool
		if i < len(longData) && longData[i] {
			t = TypeBlob
			if isStringArg(a) {
				t = TypeString
			}
		} else {
			var err error
			dst, t, unsigned, err = appendParam(dst, a, opts, 0)
			if err != nil {
				return dst[:start], fmt.Errorf("argument %d: %w", i+1, err)
			}
		}
		if t == TypeNull {
			dst[nullAt+i/8] |= 1 << (i % 8)
		}
		dst[typesAt+2*i] = byte(t)
		if unsigned {
			dst[typesAt+2*i+1] = 0x80
		}
	}
	return dst, nil
}

// StmtExecuteTypes returns the parameter types inside a COM_STMT_EXECUTE
// payload built by AppendStmtExecute for nargs arguments (nil when it has
// none).
func StmtExecuteTypes(p []byte, nargs int) []byte {
	if nargs == 0 {
		return nil
	}
	at := 10 + (nargs+7)/8 + 1
	return p[at : at+2*nargs]
}

// OmitStmtExecuteTypes drops the parameter types from a COM_STMT_EXECUTE
// payload built by AppendStmtExecute for nargs arguments, so the server
// uses the types of the statement's previous execute; p is shortened in
// place.
func OmitStmtExecuteTypes(p []byte, nargs int) []byte {
	if nargs == 0 {
		return p
	}
	flag := 10 + (nargs+7)/8
	p[flag] = 0
	n := copy(p[flag+1:], p[flag+1+2*nargs:])
	return p[:flag+1+n]
}

func isStringArg(a any) bool {
	switch a.(type) {
	case string, json.RawMessage:
		return true
	case []byte, nil:
		return false
	}
	return reflect.ValueOf(a).Kind() == reflect.String
}

// appendParam appends the binary value of v and returns its type and
// whether it is unsigned; NULL appends nothing.
func appendParam(dst []byte, v any, opts LiteralOptions, depth int) ([]byte, FieldType, bool, error) {
	if depth > maxLiteralDepth {
		return dst, 0, false, fmt.Errorf("%w: value nested too deeply", ErrUnsupportedArg)
	}
	le := binary.LittleEndian
	switch x := v.(type) {
	case nil:
		return dst, TypeNull, false, nil
	case int:
		return le.AppendUint64(dst, uint64(x)), TypeLongLong, false, nil
	case int64:
		return le.AppendUint64(dst, uint64(x)), TypeLongLong, false, nil
	case int32:
		return le.AppendUint64(dst, uint64(x)), TypeLongLong, false, nil
	case int16:
		return le.AppendUint64(dst, uint64(x)), TypeLongLong, false, nil
	case int8:
		return le.AppendUint64(dst, uint64(x)), TypeLongLong, false, nil
	case uint:
		return le.AppendUint64(dst, uint64(x)), TypeLongLong, true, nil
	case uint64:
		return le.AppendUint64(dst, x), TypeLongLong, true, nil
	case uint32:
		return le.AppendUint64(dst, uint64(x)), TypeLongLong, true, nil
	case uint16:
		return le.AppendUint64(dst, uint64(x)), TypeLongLong, true, nil
	case uint8:
		return le.AppendUint64(dst, uint64(x)), TypeLongLong, true, nil
	case bool:
		if x {
			return append(dst, 1), TypeTiny, false, nil
		}
		return append(dst, 0), TypeTiny, false, nil
	case float32:
		return le.AppendUint32(dst, math.Float32bits(x)), TypeFloat, false, nil
	case float64:
		return le.AppendUint64(dst, math.Float64bits(x)), TypeDouble, false, nil
	case string:
		return AppendLenEncString(dst, x), TypeVarString, false, nil
	case []byte:
		if x == nil {
			return dst, TypeNull, false, nil
		}
		return append(AppendLenEncInt(dst, uint64(len(x))), x...), TypeBlob, false, nil
	case json.RawMessage:
		if x == nil {
			return dst, TypeNull, false, nil
		}
		return append(AppendLenEncInt(dst, uint64(len(x))), x...), TypeString, false, nil
	case time.Time:
		b, err := appendBinaryDateTime(dst, x, opts.Loc)
		return b, TypeDateTime, false, err
	case time.Duration:
		b, err := appendBinaryDuration(dst, x)
		return b, TypeTime, false, err
	case driver.Valuer:
		if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return dst, TypeNull, false, nil
		}
		val, err := x.Value()
		if err != nil {
			return dst, 0, false, err
		}
		return appendParam(dst, val, opts, depth+1)
	}
	return appendReflectParam(dst, v, opts, depth)
}

// appendReflectParam handles pointers and named basic types.
func appendReflectParam(dst []byte, v any, opts LiteralOptions, depth int) ([]byte, FieldType, bool, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return dst, TypeNull, false, nil
		}
		return appendParam(dst, rv.Elem().Interface(), opts, depth+1)
	case reflect.String:
		return appendParam(dst, rv.String(), opts, depth+1)
	case reflect.Bool:
		return appendParam(dst, rv.Bool(), opts, depth+1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return appendParam(dst, rv.Int(), opts, depth+1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return appendParam(dst, rv.Uint(), opts, depth+1)
	case reflect.Float32:
		return appendParam(dst, float32(rv.Float()), opts, depth+1)
	case reflect.Float64:
		return appendParam(dst, rv.Float(), opts, depth+1)
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return appendParam(dst, rv.Bytes(), opts, depth+1)
		}
	case reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			dst = AppendLenEncInt(dst, uint64(rv.Len()))
			for i := range rv.Len() {
				dst = append(dst, byte(rv.Index(i).Uint()))
			}
			return dst, TypeBlob, false, nil
		}
	}
	return dst, 0, false, fmt.Errorf("%w: %T", ErrUnsupportedArg, v)
}

// appendBinaryDateTime appends t in loc (nil means UTC) as a binary
// DATETIME: a length byte, then 0, 4, 7 or 11 bytes.
func appendBinaryDateTime(dst []byte, t time.Time, loc *time.Location) ([]byte, error) {
	if t.IsZero() {
		return append(dst, 0), nil
	}
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return dst, fmt.Errorf("%w: a time.Time outside DATETIME's years 0000-9999", ErrUnsupportedArg)
	}
	h, mi, s := t.Clock()
	us := t.Nanosecond() / 1000
	n := byte(4)
	switch {
	case us != 0:
		n = 11
	case h|mi|s != 0:
		n = 7
	}
	dst = append(dst, n)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(y))
	dst = append(dst, byte(mo), byte(d))
	if n >= 7 {
		dst = append(dst, byte(h), byte(mi), byte(s))
	}
	if n == 11 {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(us))
	}
	return dst, nil
}

// appendBinaryDuration appends d as a binary TIME: a length byte, then 0, 8
// or 12 bytes. Sub-microsecond parts are truncated.
func appendBinaryDuration(dst []byte, d time.Duration) ([]byte, error) {
	if d > maxTime || d < -maxTime {
		return dst, fmt.Errorf("%w: a time.Duration outside TIME's range, ±838:59:59.999999", ErrUnsupportedArg)
	}
	neg := byte(0)
	if d < 0 {
		neg, d = 1, -d
	}
	us := d % time.Second / time.Microsecond
	secs := int64(d / time.Second)
	if secs == 0 && us == 0 {
		return append(dst, 0), nil
	}
	n := byte(8)
	if us != 0 {
		n = 12
	}
	dst = append(dst, n, neg)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(secs/86400))
	dst = append(dst, byte(secs/3600%24), byte(secs/60%60), byte(secs%60))
	if n == 12 {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(us))
	}
	return dst, nil
}
