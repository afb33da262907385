package actor

import (
	"database/sql/driver"
	"time"
	"unsafe"

	"github.com/amysql/amysql/proto"
)

// DriverFormat chooses the driver values of the types database/sql has
// no single natural form for.
type DriverFormat struct {
	// TemporalAsText gives DATE, DATETIME and TIMESTAMP as their text
	// ("2006-01-02", "2006-01-02 15:04:05.000000") instead of time.Time.
	TemporalAsText bool
	// TimeAsDuration gives TIME as int64 nanoseconds instead of its text.
	TimeAsDuration bool
}

// DriverValues stores the row Next moved to as database/sql driver values:
// integers as int64 (uint64 when unsigned), FLOAT and DOUBLE as float64,
// DATE/DATETIME/TIMESTAMP as time.Time, NULL as nil, and everything else —
// text, binary, DECIMAL, TIME, JSON, BIT — as []byte views that stay valid
// until the next Next. A []byte value is not boxed anew for each row: the
// cursor keeps its slice, and the next Next or DriverValues changes it, as
// database/sql's contract for driver rows allows (it copies []byte values
// it hands on, and sql.RawBytes and Scanner sources are valid until the
// next row only).
func (cur *Cursor) DriverValues(dest []driver.Value) error {
	return cur.DriverValuesFormat(dest, DriverFormat{})
}

// DriverValuesFormat is DriverValues with temporal values in format f.
func (cur *Cursor) DriverValuesFormat(dest []driver.Value, f DriverFormat) error {
	if cur.scanRow < 0 {
		return errorf("DriverValues called without a successful Next")
	}
	res := cur.res
	data, spans := res.row(cur.scanRow)
	if len(dest) < len(spans) {
		return errorf("%d destinations for %d columns", len(dest), len(spans))
	}
	cfg := &cur.conn.cfg
	// Values rendered from the binary protocol live in scratch, which
	// stays valid until the next row like the views into the row buffer.
	scratch := cur.scratch[:0]
	if len(cur.boxes) < len(spans) {
		cur.boxes = make([][]byte, len(spans))
	}
	boxes := cur.boxes
	for i, sp := range spans {
		if sp.Null() {
			dest[i] = nil
			continue
		}
		col := &res.cols[i]
		raw := sp.Bytes(data)
		var v any
		var b []byte // a []byte value, boxed without allocating
		isBytes := false
		var err error
		switch col.Type {
		case proto.TypeDate, proto.TypeNewDate, proto.TypeDateTime, proto.TypeTimestamp, proto.TypeDateTime2, proto.TypeTimestamp2:
			switch {
			case !f.TemporalAsText:
				v, err = cur.decodeAt(i, raw)
			case res.binary:
				var t time.Time
				if t, err = proto.BinaryDateTime(raw, cfg.Loc); err == nil {
					off := len(scratch)
					scratch = appendTemporal(scratch, col, t)
					b, isBytes = scratch[off:len(scratch):len(scratch)], true
				}
			default:
				b, isBytes = raw, true
			}
		case proto.TypeTiny, proto.TypeShort, proto.TypeInt24, proto.TypeLong, proto.TypeLongLong, proto.TypeYear,
			proto.TypeFloat, proto.TypeDouble:
			v, err = cur.decodeAt(i, raw)
			if f, ok := v.(float32); ok {
				v = float64(f)
			}
		case proto.TypeTime, proto.TypeTime2:
			var d time.Duration
			switch {
			case f.TimeAsDuration && res.binary:
				d, err = proto.BinaryDuration(raw)
				v = int64(d)
			case f.TimeAsDuration:
				d, err = proto.ParseDuration(raw)
				v = int64(d)
			case res.binary:
				if d, err = proto.BinaryDuration(raw); err == nil {
					off := len(scratch)
					scratch = proto.AppendDuration(scratch, d, int(col.decimals()))
					b, isBytes = scratch[off:len(scratch):len(scratch)], true
				}
			default:
				b, isBytes = raw, true
			}
		default:
			b, isBytes = raw, true
		}
		if err != nil {
			return errorf("column %q: %w", col.Name, err)
		}
		if isBytes {
			boxes[i] = b
			dest[i] = bytesValue(&boxes[i])
			continue
		}
		dest[i] = v
	}
	cur.scratch = scratch
	return nil
}

// eface is the layout of an interface value without methods.
type eface struct{ typ, data unsafe.Pointer }

// bytesType is the type word of an interface holding a []byte.
var bytesType = func() unsafe.Pointer {
	var v any = []byte(nil)
	return (*eface)(unsafe.Pointer(&v)).typ
}()

// bytesValue returns a driver.Value holding the []byte *p without
// allocating: converting a slice to an interface copies it to the heap,
// while this one refers to *p itself, so it follows changes to *p.
func bytesValue(p *[]byte) driver.Value {
	var v any
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = bytesType, unsafe.Pointer(p)
	return v
}

// decodeAt decodes value i of the current row to its Go value.
func (cur *Cursor) decodeAt(i int, raw []byte) (any, error) {
	res := cur.res
	if res.binary {
		return decodeBinary(&cur.conn.cfg, &res.cols[i], &res.pcols[i], raw)
	}
	return decodeText(&cur.conn.cfg, &res.cols[i], raw)
}

// appendTemporal appends t as the text the server sends for col's type.
func appendTemporal(dst []byte, col *Column, t time.Time) []byte {
	if col.Type == proto.TypeDate || col.Type == proto.TypeNewDate {
		b := proto.AppendDateTime(dst, t, 0)
		return b[:len(dst)+len("2006-01-02")]
	}
	return proto.AppendDateTime(dst, t, int(col.decimals()))
}

// decimals returns the column's fractional digits, capped at 6 for times.
func (c *Column) decimals() uint8 {
	if c.Scale > 6 || c.Scale < 0 {
		return 0
	}
	return uint8(c.Scale)
}
