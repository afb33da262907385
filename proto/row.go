package proto

import "fmt"

// Span locates one value inside a row payload. Len is -1 for SQL NULL.
type Span struct {
	Off int32
	Len int32
}

// Null reports whether the value is SQL NULL.
func (s Span) Null() bool { return s.Len < 0 }

// Bytes returns the value's bytes within row, or nil for NULL.
func (s Span) Bytes(row []byte) []byte {
	if s.Len < 0 {
		return nil
	}
	return row[s.Off : s.Off+s.Len : s.Off+s.Len]
}

// ParseTextRow locates the values of a text-protocol row, one per entry of
// spans, with offsets relative to b.
func ParseTextRow(b []byte, spans []Span) error {
	p := 0
	for i := range spans {
		if p >= len(b) {
			return fmt.Errorf("%w: row has fewer than %d values", ErrMalformedPacket, len(spans))
		}
		if b[p] == 0xfb {
			spans[i] = Span{Off: int32(p), Len: -1}
			p++
			continue
		}
		v, _, n := LenEncInt(b[p:])
		if n == 0 || v > uint64(len(b)-p-n) {
			return fmt.Errorf("%w: row value %d overruns the packet", ErrMalformedPacket, i)
		}
		spans[i] = Span{Off: int32(p + n), Len: int32(v)}
		p += n + int(v)
	}
	if p != len(b) {
		return fmt.Errorf("%w: %d bytes after the last row value", ErrMalformedPacket, len(b)-p)
	}
	return nil
}
