package proto

import "fmt"

// binaryWidth returns the fixed size of a binary-protocol value, or 0 for
// values with a length prefix.
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

// ParseBinaryRow locates the values of a binary-protocol row (0x00, NULL
// bitmap with offset 2, values), one span per column.
func ParseBinaryRow(b []byte, cols []Column, spans []Span) error {
	n := len(cols)
	if len(spans) != n {
		return fmt.Errorf("%w: %d spans for %d columns", ErrMalformedPacket, len(spans), n)
	}
	bitmap := (n + 7 + 2) / 8
	if len(b) < 1+bitmap || b[0] != HeaderOK {
		return fmt.Errorf("%w: binary row header", ErrMalformedPacket)
	}
	nulls := b[1 : 1+bitmap]
	p := 1 + bitmap
	for i := range cols {
		bit := i + 2
		if nulls[bit/8]&(1<<(bit%8)) != 0 {
			spans[i] = Span{Off: int32(p), Len: -1}
			continue
		}
		t := cols[i].Type
		if w := binaryWidth(t); w > 0 {
			if len(b)-p < w {
				return fmt.Errorf("%w: binary value %d overruns the row", ErrMalformedPacket, i)
			}
			spans[i] = Span{Off: int32(p), Len: int32(w)}
			p += w
			continue
		}
		switch t {
		case TypeDate, TypeNewDate, TypeDateTime, TypeTimestamp, TypeDateTime2, TypeTimestamp2, TypeTime, TypeTime2:
			if p >= len(b) || int(b[p]) > len(b)-p-1 {
				return fmt.Errorf("%w: binary temporal value %d overruns the row", ErrMalformedPacket, i)
			}
			spans[i] = Span{Off: int32(p + 1), Len: int32(b[p])}
			p += 1 + int(b[p])
		default:
			v, null, m := LenEncInt(b[p:])
			if m == 0 || null || v > uint64(len(b)-p-m) {
				return fmt.Errorf("%w: binary value %d overruns the row", ErrMalformedPacket, i)
			}
			spans[i] = Span{Off: int32(p + m), Len: int32(v)}
			p += m + int(v)
		}
	}
	if p != len(b) {
		return fmt.Errorf("%w: %d bytes after the last binary value", ErrMalformedPacket, len(b)-p)
	}
	return nil
}
