package proto

import (
	"testing"
	"time"
)

// FuzzParseBinaryRow feeds random rows to ParseBinaryRow with a prefix of a
// column list holding every type. It must never panic, and an accepted row's
// spans must lie inside the row, in order, with fixed-width types at their
// width; the decoders must not panic on any span, and temporals they accept
// must survive re-encoding.
func FuzzParseBinaryRow(f *testing.F) {
	all := everyTypeColumns()
	f.Add(uint8(len(all)), everyTypeRowBytes())
	f.Add(uint8(0), []byte{0x00, 0x00})
	f.Add(uint8(2), []byte{0x00, 0x00, 0xff, 0x01, 0x00})
	f.Add(uint8(13), []byte{0x00, 0xfc, 0x3f, 0x04, 0xe8, 0x07, 0x02, 0x1d})
	f.Fuzz(func(t *testing.T, ncols uint8, row []byte) {
		cols := all[:int(ncols)%(len(all)+1)]
		spans := make([]Span, len(cols))
		if err := ParseBinaryRow(row, cols, spans); err != nil {
			return
		}
		end := 1 + (len(cols)+9)/8
		for i, s := range spans {
			col := &cols[i]
			if s.Null() {
				if s.Len != -1 {
					t.Fatalf("column %d: NULL span %+v", i, s)
				}
				continue
			}
			if int(s.Off) < end || int(s.Off)+int(s.Len) > len(row) {
				t.Fatalf("column %d: span %+v outside row[%d:%d]", i, s, end, len(row))
			}
			if w := binaryWidth(col.Type); w > 0 && int(s.Len) != w {
				t.Fatalf("column %d (type 0x%02x): span length %d, want %d", i, byte(col.Type), s.Len, w)
			}
			end = int(s.Off) + int(s.Len)
			b := s.Bytes(row)
			_, _ = BinaryInt(b, col)
			_, _ = BinaryUint(b, col)
			_, _ = BinaryInt(b, nil)
			_, _ = BinaryFloat32(b)
			_, _ = BinaryFloat64(b)
			if tm, err := BinaryDateTime(b, time.UTC); err == nil {
				enc, err := appendBinaryDateTime(nil, tm, time.UTC)
				if err != nil {
					t.Fatalf("column %d: %v decoded from % x does not encode: %v", i, tm, b, err)
				}
				if back, err := BinaryDateTime(enc[1:], time.UTC); err != nil || !back.Equal(tm) {
					t.Fatalf("column %d: %v re-encoded as % x decodes to %v, %v", i, tm, enc, back, err)
				}
			}
			if d, err := BinaryDuration(b); err == nil {
				enc, err := appendBinaryDuration(nil, d)
				if err != nil {
					t.Fatalf("column %d: %v decoded from % x does not encode: %v", i, d, b, err)
				}
				if back, err := BinaryDuration(enc[1:]); err != nil || back != d {
					t.Fatalf("column %d: %v re-encoded as % x decodes to %v, %v", i, d, enc, back, err)
				}
			}
		}
		if end != len(row) {
			t.Fatalf("accepted row has %d bytes after the last value", len(row)-end)
		}
	})
}
