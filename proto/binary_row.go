package proto

import (
	"fmt"
	"math"
)

// binaryWidth returns the size of a fixed-width binary-protocol value, or 0
// for types sent with a length prefix.
func binaryWidth(t FieldType) int {
	switch t {
	case TypeTiny:
		return 1
	case TypeShort, TypeYear:
		return 2
	case TypeInt24, TypeLong, TypeFloat:
		return 4
	case TypeLongLong, TypeDouble:
		return 8
	}
	return 0
}

// BinarySameAsText reports whether a binary-protocol value of type t is the
// very bytes the text protocol sends (strings, blobs, DECIMAL, JSON, BIT,
// ENUM, SET): everything but fixed-width numbers and temporal values.
func BinarySameAsText(t FieldType) bool {
	return binaryWidth(t) == 0 && !isBinaryTemporal(t)
}

// isBinaryTemporal reports whether t is sent as a 1-byte length followed by
// that many bytes (DATE, DATETIME, TIMESTAMP, TIME).
func isBinaryTemporal(t FieldType) bool {
	switch t {
	case TypeDate, TypeNewDate, TypeDateTime, TypeDateTime2,
		TypeTimestamp, TypeTimestamp2, TypeTime, TypeTime2:
		return true
	}
	return false
}

// ParseBinaryRow locates the values of a binary-protocol row (0x00, a NULL
// bitmap whose first two bits are unused, then the non-NULL values) and
// stores one span per column, with offsets relative to b. NULL values get
// Len -1. A temporal value's span excludes its length byte, so its Len may
// be 0; string-like values' spans exclude their length prefix.
func ParseBinaryRow(b []byte, cols []Column, spans []Span) error {
	n := len(cols)
	if len(spans) != n {
		return fmt.Errorf("%w: %d spans for %d columns", ErrMalformedPacket, len(spans), n)
	}
	if len(b) > math.MaxInt32 {
		return fmt.Errorf("%w: binary row of %d bytes", ErrMalformedPacket, len(b))
	}
	p := 1 + (n+7+2)/8
	if len(b) < p || b[0] != HeaderOK {
		return fmt.Errorf("%w: binary row header", ErrMalformedPacket)
	}
	nulls := b[1:p]
	for i := range cols {
		if bit := i + 2; nulls[bit>>3]&(1<<(bit&7)) != 0 {
			spans[i] = Span{Off: int32(p), Len: -1}
			continue
		}
		t := cols[i].Type
		var off, size int
		switch {
		case binaryWidth(t) > 0:
			off, size = p, binaryWidth(t)
		case isBinaryTemporal(t):
			if p >= len(b) {
				return fmt.Errorf("%w: binary row ends before column %d", ErrMalformedPacket, i)
			}
			off, size = p+1, int(b[p])
		default:
			v, null, m := LenEncInt(b[p:])
			if m == 0 || null {
				return fmt.Errorf("%w: bad length for binary column %d", ErrMalformedPacket, i)
			}
			if v > uint64(len(b)-p-m) {
				return fmt.Errorf("%w: binary column %d overruns the row", ErrMalformedPacket, i)
			}
			off, size = p+m, int(v)
		}
		if size > len(b)-off {
			return fmt.Errorf("%w: binary column %d overruns the row", ErrMalformedPacket, i)
		}
		spans[i] = Span{Off: int32(off), Len: int32(size)}
		p = off + size
	}
	if p != len(b) {
		return fmt.Errorf("%w: %d bytes after the last binary value", ErrMalformedPacket, len(b)-p)
	}
	return nil
}
