package proto

import (
	"bytes"
	"testing"
	"time"
)

func TestAppendStmtExecuteGolden(t *testing.T) {
	got, err := AppendStmtExecute(nil, 7, []any{int64(-2), nil, "ab", uint8(9), 1.5, []byte{0xff}}, nil, LiteralOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x17, 7, 0, 0, 0, // COM_STMT_EXECUTE, statement 7
		0x00,       // no cursor
		1, 0, 0, 0, // iteration count
		0x02,       // NULL bitmap: parameter 1 is NULL
		0x01,       // new params bound
		0x08, 0x00, // LONGLONG
		0x06, 0x00, // NULL
		0xfd, 0x00, // VAR_STRING
		0x08, 0x80, // LONGLONG unsigned
		0x05, 0x00, // DOUBLE
		0xfc, 0x00, // BLOB
		0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // -2
		2, 'a', 'b',
		9, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0xf8, 0x3f, // 1.5
		1, 0xff,
	}
	if !bytes.Equal(got, want) {
		t.Errorf("execute payload\n got % x\nwant % x", got, want)
	}
}

func TestBinaryTemporalEncodingRoundTrips(t *testing.T) {
	times := []time.Time{
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 13, 14, 15, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
	}
	for i, tm := range times {
		b := appendBinaryDateTime(nil, tm, LiteralOptions{})
		if want := []int{4, 7, 11}[i]; int(b[0]) != want {
			t.Errorf("%v encoded with length %d, want %d", tm, b[0], want)
		}
		got, err := BinaryDateTime(b[1:], time.UTC)
		if err != nil || !got.Equal(tm) {
			t.Errorf("%v -> % x -> %v, %v", tm, b, got, err)
		}
	}
	for _, d := range []time.Duration{0, -time.Second, 838*time.Hour + 59*time.Minute + 59*time.Second + 999999*time.Microsecond, 25*time.Hour + time.Microsecond} {
		b := appendBinaryDuration(nil, d)
		got, err := BinaryDuration(b[1:])
		if err != nil || got != d {
			t.Errorf("%v -> % x -> %v, %v", d, b, got, err)
		}
	}
}

func TestParseStmtPrepareOK(t *testing.T) {
	ok, err := ParseStmtPrepareOK([]byte{0, 1, 0, 0, 0, 2, 0, 3, 0, 0, 4, 0})
	if err != nil || ok != (StmtPrepareOK{StmtID: 1, NumColumns: 2, NumParams: 3, Warnings: 4}) {
		t.Errorf("ParseStmtPrepareOK = %+v, %v", ok, err)
	}
	if _, err := ParseStmtPrepareOK([]byte{0, 1}); err == nil {
		t.Error("short packet accepted")
	}
}

var binaryCols = []Column{
	{Type: TypeTiny}, {Type: TypeShort}, {Type: TypeLong}, {Type: TypeLongLong, Flags: FlagUnsigned},
	{Type: TypeFloat}, {Type: TypeDouble}, {Type: TypeDateTime}, {Type: TypeTime}, {Type: TypeVarString}, {Type: TypeNewDecimal},
}

func TestParseBinaryRow(t *testing.T) {
	row := []byte{0x00, 0x10, 0x00, // header; NULL bitmap: column 2 is bit 4 (offset 2)
		0xff,       // TINY -1
		0x01, 0x00, // SHORT 1
		// LONG is NULL
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // LONGLONG max unsigned
		0, 0, 0xc0, 0x3f, // FLOAT 1.5
		0, 0, 0, 0, 0, 0, 0xf8, 0x3f, // DOUBLE 1.5
		4, 0xe8, 0x07, 1, 2, // DATETIME 2024-01-02
		0,                // TIME 0
		3, 'a', 'b', 'c', // VAR_STRING
		4, '1', '.', '2', '5', // DECIMAL
	}
	spans := make([]Span, len(binaryCols))
	if err := ParseBinaryRow(row, binaryCols, spans); err != nil {
		t.Fatal(err)
	}
	if !spans[2].Null() {
		t.Error("column 2 should be NULL")
	}
	if v, _ := BinaryInt(spans[0].Bytes(row), &binaryCols[0]); v != -1 {
		t.Errorf("TINY = %d", v)
	}
	if v, _ := BinaryUint(spans[3].Bytes(row), &binaryCols[3]); v != 1<<64-1 {
		t.Errorf("LONGLONG unsigned = %d", v)
	}
	if v, _ := BinaryFloat32(spans[4].Bytes(row)); v != 1.5 {
		t.Errorf("FLOAT = %v", v)
	}
	if v, _ := BinaryDateTime(spans[6].Bytes(row), time.UTC); !v.Equal(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("DATETIME = %v", v)
	}
	if string(spans[8].Bytes(row)) != "abc" || string(spans[9].Bytes(row)) != "1.25" {
		t.Errorf("strings = %q %q", spans[8].Bytes(row), spans[9].Bytes(row))
	}
	if a := testing.AllocsPerRun(100, func() { _ = ParseBinaryRow(row, binaryCols, spans) }); a != 0 {
		t.Errorf("%v allocations per row", a)
	}
	for i := 0; i < len(row); i++ {
		if err := ParseBinaryRow(row[:i], binaryCols, spans); err == nil {
			t.Errorf("row truncated at %d accepted", i)
		}
	}
}

func FuzzParseBinaryRow(f *testing.F) {
	f.Add([]byte{0x00, 0x00, 0x10, 0xff, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, row []byte) {
		spans := make([]Span, len(binaryCols))
		if err := ParseBinaryRow(row, binaryCols, spans); err != nil {
			return
		}
		for i, s := range spans {
			if s.Null() {
				continue
			}
			if s.Off < 0 || int(s.Off)+int(s.Len) > len(row) {
				t.Fatalf("span %d %+v outside %d bytes", i, s, len(row))
			}
			b := s.Bytes(row)
			_, _ = BinaryInt(b, &binaryCols[i])
			_, _ = BinaryDateTime(b, nil)
			_, _ = BinaryDuration(b)
		}
	})
}
