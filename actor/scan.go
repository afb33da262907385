package actor

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/amysql/amysql/proto"
)

// Next advances to the next row for Scan. It returns false at the end of
// the result set or on error; Err tells which.
func (cur *Cursor) Next(ctx context.Context) bool {
	ok, err := cur.ready(ctx, streamBatch)
	if err != nil {
		cur.err = err
		cur.scanRow = -1
		return false
	}
	if !ok {
		cur.scanRow = -1
		return false
	}
	cur.scanRow = cur.pos
	cur.pos++
	cur.rownumber++
	return true
}

// Err returns the error that ended iteration with Next, if any.
func (cur *Cursor) Err() error {
	if cur.err == ErrNoResult {
		return nil
	}
	return cur.err
}

// Scan copies the columns of the row Next moved to into dest, one pointer
// per column. Supported destinations: *any (the default Go value),
// *string, *[]byte (a copy), *sql.RawBytes (a view valid until the next
// Next), *int, *int8..*int64, *uint..*uint64, *float32, *float64, *bool,
// *time.Time, *time.Duration, *Decimal, *json.RawMessage and sql.Scanner.
// Numeric destinations reject values that do not fit. SQL NULL can only
// be scanned into *any, *[]byte, *sql.RawBytes, *json.RawMessage or an
// sql.Scanner such as sql.NullString.
func (cur *Cursor) Scan(dest ...any) error {
	if cur.scanRow < 0 {
		return errorf("Scan called without a successful Next")
	}
	res := cur.res
	data, spans := res.row(cur.scanRow)
	if len(dest) != len(spans) {
		return errorf("Scan got %d destinations for %d columns", len(dest), len(spans))
	}
	for i, d := range dest {
		if err := cur.scanOne(&res.cols[i], i, spans[i], data, d); err != nil {
			return err
		}
	}
	return nil
}

func (cur *Cursor) scanOne(col *Column, i int, sp proto.Span, data []byte, dest any) error {
	res := cur.res
	cfg := &cur.conn.cfg
	if sp.Null() {
		switch d := dest.(type) {
		case *any:
			*d = nil
		case *[]byte:
			*d = nil
		case *sql.RawBytes:
			*d = nil
		case *json.RawMessage:
			*d = nil
		case sql.Scanner:
			return d.Scan(nil)
		default:
			return errorf("column %q is NULL; cannot scan NULL into %T", col.Name, dest)
		}
		return nil
	}
	raw := sp.Bytes(data)
	if res.binary && cfg.Converters[col.Type] == nil {
		if d, ok := dest.(*int64); ok && isBinaryInt(col.Type) {
			v, err := proto.BinaryInt(raw, &res.pcols[i])
			if err != nil {
				return typeError(col, dest, err)
			}
			*d = v
			return nil
		}
	}
	if res.binary && !proto.BinarySameAsText(col.Type) || cfg.Converters[col.Type] != nil {
		// Decode through the Go value, then assign.
		var v any
		var err error
		if res.binary {
			v, err = decodeBinary(cfg, col, &res.pcols[i], raw)
		} else {
			v, err = decodeText(cfg, col, raw)
		}
		if err != nil {
			return typeError(col, dest, err)
		}
		return assignValue(col, dest, v)
	}
	switch d := dest.(type) {
	case *sql.RawBytes:
		*d = raw
	case *[]byte:
		*d = copyBytes(raw)
	case *string:
		*d = string(raw)
	case *json.RawMessage:
		*d = copyBytes(raw)
	case *int64:
		v, err := scanInt(col, raw, 64)
		if err != nil {
			return typeError(col, dest, err)
		}
		*d = v
	case *int:
		v, err := scanInt(col, raw, strconv.IntSize)
		if err != nil {
			return typeError(col, dest, err)
		}
		*d = int(v)
	case *int32:
		v, err := scanInt(col, raw, 32)
		if err != nil {
			return typeError(col, dest, err)
		}
		*d = int32(v)
	case *int16:
		v, err := scanInt(col, raw, 16)
		if err != nil {
			return typeError(col, dest, err)
		}
		*d = int16(v)
	case *int8:
		v, err := scanInt(col, raw, 8)
		if err != nil {
			return typeError(col, dest, err)
		}
		*d = int8(v)
	case *uint64:
		v, err := scanUint(col, raw, 64)
		if err != nil {
			return typeError(col, dest, err)
		}
		*d = v
	case *uint:
		v, err := scanUint(col, raw, strconv.IntSize)
		if err != nil {
			return typeError(col, dest, err)
		}
		*d = uint(v)
	case *uint32:
		v, err := scanUint(col, raw, 32)
		if err != nil {
			return typeError(col, dest, err)
		}
		*d = uint32(v)
	case *uint16:
		v, err := scanUint(col, raw, 16)
		if err != nil {
			return typeError(col, dest, err)
		}
		*d = uint16(v)
	case *uint8:
		v, err := scanUint(col, raw, 8)
		if err != nil {
			return typeError(col, dest, err)
		}
		*d = uint8(v)
	case *float64:
		v, err := proto.ParseFloat(raw, 64)
		if err != nil {
			return typeError(col, dest, err)
		}
		*d = v
	case *float32:
		v, err := proto.ParseFloat(raw, 32)
		if err != nil {
			return typeError(col, dest, err)
		}
		*d = float32(v)
	case *bool:
		v, err := scanInt(col, raw, 64)
		if err != nil {
			return typeError(col, dest, err)
		}
		*d = v != 0
	default:
		v, err := decodeText(cfg, col, raw)
		if err != nil {
			return typeError(col, dest, err)
		}
		return assignValue(col, dest, v)
	}
	return nil
}

// scanInt parses an integer column value (or BIT) checking it fits bits.
func scanInt(col *Column, raw []byte, bits int) (int64, error) {
	var v int64
	if col.Type == proto.TypeBit {
		u, err := proto.ParseBit(raw)
		if err != nil {
			return 0, err
		}
		if u > math.MaxInt64 {
			return 0, strconv.ErrRange
		}
		v = int64(u)
	} else {
		var err error
		if v, err = proto.ParseInt(raw); err != nil {
			return 0, err
		}
	}
	if bits < 64 && (v < -1<<(bits-1) || v > 1<<(bits-1)-1) {
		return 0, strconv.ErrRange
	}
	return v, nil
}

func scanUint(col *Column, raw []byte, bits int) (uint64, error) {
	var v uint64
	var err error
	if col.Type == proto.TypeBit {
		v, err = proto.ParseBit(raw)
	} else {
		v, err = proto.ParseUint(raw)
	}
	if err != nil {
		return 0, err
	}
	if bits < 64 && v > 1<<bits-1 {
		return 0, strconv.ErrRange
	}
	return v, nil
}

// assignValue stores a decoded Go value into dest.
func assignValue(col *Column, dest any, v any) error {
	switch d := dest.(type) {
	case *any:
		*d = v
		return nil
	case sql.Scanner:
		return d.Scan(v)
	}
	switch x := v.(type) {
	case time.Time:
		if d, ok := dest.(*time.Time); ok {
			*d = x
			return nil
		}
	case time.Duration:
		if d, ok := dest.(*time.Duration); ok {
			*d = x
			return nil
		}
	case Decimal:
		switch d := dest.(type) {
		case *Decimal:
			*d = x
			return nil
		case *string:
			*d = x.String()
			return nil
		}
	case string:
		if d, ok := dest.(*string); ok {
			*d = x
			return nil
		}
	case []byte:
		switch d := dest.(type) {
		case *[]byte:
			*d = x
			return nil
		case *string:
			*d = string(x)
			return nil
		}
	case json.RawMessage:
		switch d := dest.(type) {
		case *json.RawMessage:
			*d = x
			return nil
		case *[]byte:
			*d = x
			return nil
		case *string:
			*d = string(x)
			return nil
		}
	case int64:
		switch d := dest.(type) {
		case *int64:
			*d = x
			return nil
		case *int:
			*d = int(x)
			return nil
		case *float64:
			*d = float64(x)
			return nil
		}
	case uint64:
		switch d := dest.(type) {
		case *uint64:
			*d = x
			return nil
		case *int64:
			if x <= math.MaxInt64 {
				*d = int64(x)
				return nil
			}
		}
	case float64:
		if d, ok := dest.(*float64); ok {
			*d = x
			return nil
		}
	case float32:
		switch d := dest.(type) {
		case *float32:
			*d = x
			return nil
		case *float64:
			*d = float64(x)
			return nil
		}
	}
	return typeError(col, dest, nil)
}

// literalOptionsPublished returns literal options from the last published
// server status, for use outside the actor.
func (c *Conn) literalOptionsPublished() proto.LiteralOptions {
	return proto.LiteralOptions{
		NoBackslashEscapes: uint16(c.status.Load())&proto.StatusNoBackslashEscapes != 0,
		Loc:                c.cfg.Loc,
	}
}

// isBinaryInt reports whether a binary-protocol value of type t is a
// little-endian integer.
func isBinaryInt(t proto.FieldType) bool {
	switch t {
	case proto.TypeTiny, proto.TypeShort, proto.TypeYear, proto.TypeInt24, proto.TypeLong, proto.TypeLongLong:
		return true
	}
	return false
}
