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

// ParseStmtPrepareOK decodes a COM_STMT_PREPARE OK packet.
func ParseStmtPrepareOK(b []byte) (StmtPrepareOK, error) {
	var ok StmtPrepareOK
	if len(b) < 10 || b[0] != HeaderOK {
		return ok, fmt.Errorf("%w: prepare OK", ErrMalformedPacket)
	}
	ok.StmtID = binary.LittleEndian.Uint32(b[1:])
	ok.NumColumns = binary.LittleEndian.Uint16(b[5:])
	ok.NumParams = binary.LittleEndian.Uint16(b[7:])
	if len(b) >= 12 {
		ok.Warnings = binary.LittleEndian.Uint16(b[10:])
	}
	return ok, nil
}

// AppendStmtClose appends a COM_STMT_CLOSE payload.
func AppendStmtClose(dst []byte, id uint32) []byte {
	return binary.LittleEndian.AppendUint32(append(dst, ComStmtClose), id)
}

// AppendStmtReset appends a COM_STMT_RESET payload.
func AppendStmtReset(dst []byte, id uint32) []byte {
	return binary.LittleEndian.AppendUint32(append(dst, ComStmtReset), id)
}

// AppendStmtSendLongData appends a COM_STMT_SEND_LONG_DATA payload.
func AppendStmtSendLongData(dst []byte, id uint32, param uint16, data []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(append(dst, ComStmtSendLongData), id)
	dst = binary.LittleEndian.AppendUint16(dst, param)
	return append(dst, data...)
}

// AppendStmtExecute appends a COM_STMT_EXECUTE payload binding args.
// longData[i] marks a parameter already sent with COM_STMT_SEND_LONG_DATA.
func AppendStmtExecute(dst []byte, id uint32, args []any, longData []bool, opts LiteralOptions) ([]byte, error) {
	dst = append(dst, ComStmtExecute)
	dst = binary.LittleEndian.AppendUint32(dst, id)
	dst = append(dst, 0)                           // no cursor
	dst = binary.LittleEndian.AppendUint32(dst, 1) // iteration count
	if len(args) == 0 {
		return dst, nil
	}
	nullAt := len(dst)
	dst = append(dst, make([]byte, (len(args)+7)/8)...)
	dst = append(dst, 1) // new params bound
	typesAt := len(dst)
	dst = append(dst, make([]byte, 2*len(args))...)
	for i, a := range args {
		if i < len(longData) && longData[i] {
			dst[typesAt+2*i] = byte(TypeBlob)
			continue
		}
		var t FieldType
		var unsigned bool
		var err error
		dst, t, unsigned, err = appendBinaryParam(dst, a, opts, 0)
		if err != nil {
			return dst, fmt.Errorf("argument %d: %w", i+1, err)
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

func appendBinaryParam(dst []byte, v any, opts LiteralOptions, depth int) ([]byte, FieldType, bool, error) {
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
		return le.AppendUint64(dst, uint64(int64(x))), TypeLongLong, false, nil
	case int16:
		return le.AppendUint64(dst, uint64(int64(x))), TypeLongLong, false, nil
	case int8:
		return le.AppendUint64(dst, uint64(int64(x))), TypeLongLong, false, nil
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
		return appendBinaryDateTime(dst, x, opts), TypeDateTime, false, nil
	case time.Duration:
		if x > maxTime || x < -maxTime {
			return dst, 0, false, fmt.Errorf("%w: duration %v outside TIME's range", ErrUnsupportedArg, x)
		}
		return appendBinaryDuration(dst, x), TypeTime, false, nil
	case driver.Valuer:
		if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return dst, TypeNull, false, nil
		}
		val, err := x.Value()
		if err != nil {
			return dst, 0, false, err
		}
		return appendBinaryParam(dst, val, opts, depth+1)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return dst, TypeNull, false, nil
		}
		return appendBinaryParam(dst, rv.Elem().Interface(), opts, depth+1)
	case reflect.String:
		return appendBinaryParam(dst, rv.String(), opts, depth+1)
	case reflect.Bool:
		return appendBinaryParam(dst, rv.Bool(), opts, depth+1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return appendBinaryParam(dst, rv.Int(), opts, depth+1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return appendBinaryParam(dst, rv.Uint(), opts, depth+1)
	case reflect.Float32, reflect.Float64:
		return appendBinaryParam(dst, rv.Float(), opts, depth+1)
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return appendBinaryParam(dst, rv.Bytes(), opts, depth+1)
		}
	}
	return dst, 0, false, fmt.Errorf("%w: %T", ErrUnsupportedArg, v)
}

func appendBinaryDateTime(dst []byte, t time.Time, opts LiteralOptions) []byte {
	if t.IsZero() {
		return append(dst, 0)
	}
	loc := opts.Loc
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	us := t.Nanosecond() / 1000
	switch {
	case us != 0:
		dst = append(dst, 11)
	case h|mi|s != 0:
		dst = append(dst, 7)
	default:
		dst = append(dst, 4)
	}
	n := dst[len(dst)-1]
	dst = binary.LittleEndian.AppendUint16(dst, uint16(y))
	dst = append(dst, byte(mo), byte(d))
	if n >= 7 {
		dst = append(dst, byte(h), byte(mi), byte(s))
	}
	if n == 11 {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(us))
	}
	return dst
}

func appendBinaryDuration(dst []byte, d time.Duration) []byte {
	if d == 0 {
		return append(dst, 0)
	}
	neg := byte(0)
	if d < 0 {
		neg, d = 1, -d
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	s := d / time.Second
	d -= s * time.Second
	us := d / time.Microsecond
	if us != 0 {
		dst = append(dst, 12, neg)
	} else {
		dst = append(dst, 8, neg)
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(days))
	dst = append(dst, byte(h), byte(m), byte(s))
	if us != 0 {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(us))
	}
	return dst
}
