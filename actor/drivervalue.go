package actor

import (
	"database/sql/driver"

	"github.com/amysql/amysql/proto"
)

// DriverValues stores the row Next moved to as database/sql driver values:
// integers as int64 (uint64 when unsigned), FLOAT and DOUBLE as float64,
// DATE/DATETIME/TIMESTAMP as time.Time, NULL as nil, and everything else —
// text, binary, DECIMAL, TIME, JSON, BIT — as []byte views that stay valid
// until the next Next.
func (cur *Cursor) DriverValues(dest []driver.Value) error {
	if cur.scanRow < 0 {
		return errorf("DriverValues called without a successful Next")
	}
	res := cur.res
	data, spans := res.row(cur.scanRow)
	if len(dest) < len(spans) {
		return errorf("%d destinations for %d columns", len(dest), len(spans))
	}
	cfg := &cur.conn.cfg
	for i, sp := range spans {
		if sp.Null() {
			dest[i] = nil
			continue
		}
		col := &res.cols[i]
		raw := sp.Bytes(data)
		var v any
		var err error
		switch col.Type {
		case proto.TypeTiny, proto.TypeShort, proto.TypeInt24, proto.TypeLong, proto.TypeLongLong, proto.TypeYear,
			proto.TypeFloat, proto.TypeDouble,
			proto.TypeDate, proto.TypeNewDate, proto.TypeDateTime, proto.TypeTimestamp, proto.TypeDateTime2, proto.TypeTimestamp2:
			if res.binary {
				v, err = decodeBinary(cfg, col, &res.pcols[i], raw)
			} else {
				v, err = decodeText(cfg, col, raw)
			}
			if f, ok := v.(float32); ok {
				v = float64(f)
			}
		case proto.TypeTime, proto.TypeTime2:
			if res.binary {
				d, derr := proto.BinaryDuration(raw)
				v, err = proto.AppendDuration(nil, d, int(col.decimals())), derr
			} else {
				v = raw
			}
		default:
			v = raw
		}
		if err != nil {
			return errorf("column %q: %w", col.Name, err)
		}
		dest[i] = v
	}
	return nil
}

// decimals returns the column's fractional digits, capped at 6 for times.
func (c *Column) decimals() uint8 {
	if c.Scale > 6 || c.Scale < 0 {
		return 0
	}
	return uint8(c.Scale)
}
