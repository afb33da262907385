package proto

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// binExecuteHeader is the fixed start of a COM_STMT_EXECUTE for statement
// 0x04030201: command, id, no cursor, one iteration.
var binExecuteHeader = []byte{0x17, 0x01, 0x02, 0x03, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00}

type binValuer struct {
	v   driver.Value
	err error
}

func (v binValuer) Value() (driver.Value, error) { return v.v, v.err }

type binPtrValuer struct{ s string }

func (v *binPtrValuer) Value() (driver.Value, error) { return v.s, nil }

type (
	binInt   int16
	binUint  uint8
	binStr   string
	binF32   float32
	binBool  bool
	binBytes []byte
)

func TestAppendStmtExecuteEncodesEachParamType(t *testing.T) {
	seven := 7
	long := strings.Repeat("x", 251)
	tests := []struct {
		name  string
		arg   any
		opts  LiteralOptions
		null  bool
		typ   [2]byte
		value []byte
	}{
		{"nil", nil, LiteralOptions{}, true, [2]byte{0x06, 0}, nil},
		{"true", true, LiteralOptions{}, false, [2]byte{0x01, 0}, []byte{1}},
		{"false", false, LiteralOptions{}, false, [2]byte{0x01, 0}, []byte{0}},
		{"int8", int8(-1), LiteralOptions{}, false, [2]byte{0x08, 0}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"int16", int16(-2), LiteralOptions{}, false, [2]byte{0x08, 0}, []byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"int32", int32(0x01020304), LiteralOptions{}, false, [2]byte{0x08, 0}, []byte{4, 3, 2, 1, 0, 0, 0, 0}},
		{"int", 300, LiteralOptions{}, false, [2]byte{0x08, 0}, []byte{0x2c, 0x01, 0, 0, 0, 0, 0, 0}},
		{"int64 min", int64(math.MinInt64), LiteralOptions{}, false, [2]byte{0x08, 0}, []byte{0, 0, 0, 0, 0, 0, 0, 0x80}},
		{"uint8", uint8(255), LiteralOptions{}, false, [2]byte{0x08, 0x80}, []byte{0xff, 0, 0, 0, 0, 0, 0, 0}},
		{"uint16", uint16(0xfffe), LiteralOptions{}, false, [2]byte{0x08, 0x80}, []byte{0xfe, 0xff, 0, 0, 0, 0, 0, 0}},
		{"uint32", uint32(math.MaxUint32), LiteralOptions{}, false, [2]byte{0x08, 0x80}, []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}},
		{"uint", uint(1), LiteralOptions{}, false, [2]byte{0x08, 0x80}, []byte{1, 0, 0, 0, 0, 0, 0, 0}},
		{"uint64 max", uint64(math.MaxUint64), LiteralOptions{}, false, [2]byte{0x08, 0x80}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"float32", float32(1.5), LiteralOptions{}, false, [2]byte{0x04, 0}, []byte{0, 0, 0xc0, 0x3f}},
		{"float64", -2.5, LiteralOptions{}, false, [2]byte{0x05, 0}, []byte{0, 0, 0, 0, 0, 0, 0x04, 0xc0}},
		{"string", "ab", LiteralOptions{}, false, [2]byte{0xfd, 0}, []byte{2, 'a', 'b'}},
		{"empty string", "", LiteralOptions{}, false, [2]byte{0xfd, 0}, []byte{0}},
		{"251-byte string", long, LiteralOptions{}, false, [2]byte{0xfd, 0}, append([]byte{0xfc, 0xfb, 0x00}, long...)},
		{"bytes", []byte{0, 0xff}, LiteralOptions{}, false, [2]byte{0xfc, 0}, []byte{2, 0, 0xff}},
		{"empty bytes", []byte{}, LiteralOptions{}, false, [2]byte{0xfc, 0}, []byte{0}},
		{"nil bytes", []byte(nil), LiteralOptions{}, true, [2]byte{0x06, 0}, nil},
		{"json", json.RawMessage(`{"a":1}`), LiteralOptions{}, false, [2]byte{0xfe, 0}, append([]byte{7}, `{"a":1}`...)},
		{"nil json", json.RawMessage(nil), LiteralOptions{}, true, [2]byte{0x06, 0}, nil},
		{"zero time", time.Time{}, LiteralOptions{}, false, [2]byte{0x0c, 0}, []byte{0}},
		{"date", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), LiteralOptions{}, false, [2]byte{0x0c, 0},
			[]byte{4, 0xe8, 0x07, 2, 29}},
		{"datetime", time.Date(2024, 2, 29, 13, 14, 15, 0, time.UTC), LiteralOptions{}, false, [2]byte{0x0c, 0},
			[]byte{7, 0xe8, 0x07, 2, 29, 13, 14, 15}},
		{"datetime micros", time.Date(2024, 2, 29, 13, 14, 15, 123456789, time.UTC), LiteralOptions{}, false, [2]byte{0x0c, 0},
			[]byte{11, 0xe8, 0x07, 2, 29, 13, 14, 15, 0x40, 0xe2, 0x01, 0x00}}, // 123456 µs, ns truncated
		{"datetime to UTC", time.Date(2024, 1, 1, 1, 0, 0, 0, time.FixedZone("", 2*3600)), LiteralOptions{}, false, [2]byte{0x0c, 0},
			[]byte{7, 0xe7, 0x07, 12, 31, 23, 0, 0}},
		{"datetime to Loc", time.Date(2024, 1, 1, 22, 0, 0, 0, time.UTC), LiteralOptions{Loc: time.FixedZone("", 5*3600)}, false, [2]byte{0x0c, 0},
			[]byte{7, 0xe8, 0x07, 1, 2, 3, 0, 0}},
		{"zero duration", time.Duration(0), LiteralOptions{}, false, [2]byte{0x0b, 0}, []byte{0}},
		{"duration", time.Hour + 2*time.Minute + 3*time.Second, LiteralOptions{}, false, [2]byte{0x0b, 0},
			[]byte{8, 0, 0, 0, 0, 0, 1, 2, 3}},
		{"negative duration micros", -(25*time.Hour + time.Microsecond), LiteralOptions{}, false, [2]byte{0x0b, 0},
			[]byte{12, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0}},
		{"max duration", maxTime, LiteralOptions{}, false, [2]byte{0x0b, 0},
			[]byte{12, 0, 34, 0, 0, 0, 22, 59, 59, 0x3f, 0x42, 0x0f, 0x00}},
		{"named int", binInt(-1), LiteralOptions{}, false, [2]byte{0x08, 0}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"named uint", binUint(9), LiteralOptions{}, false, [2]byte{0x08, 0x80}, []byte{9, 0, 0, 0, 0, 0, 0, 0}},
		{"named string", binStr("q"), LiteralOptions{}, false, [2]byte{0xfd, 0}, []byte{1, 'q'}},
		{"named float32", binF32(1.5), LiteralOptions{}, false, [2]byte{0x04, 0}, []byte{0, 0, 0xc0, 0x3f}},
		{"named bool", binBool(true), LiteralOptions{}, false, [2]byte{0x01, 0}, []byte{1}},
		{"named bytes", binBytes{1}, LiteralOptions{}, false, [2]byte{0xfc, 0}, []byte{1, 1}},
		{"byte array", [3]byte{1, 2, 3}, LiteralOptions{}, false, [2]byte{0xfc, 0}, []byte{3, 1, 2, 3}},
		{"pointer", &seven, LiteralOptions{}, false, [2]byte{0x08, 0}, []byte{7, 0, 0, 0, 0, 0, 0, 0}},
		{"nil pointer", (*int)(nil), LiteralOptions{}, true, [2]byte{0x06, 0}, nil},
		{"valuer decimal string", binValuer{v: "12.50"}, LiteralOptions{}, false, [2]byte{0xfd, 0}, []byte{5, '1', '2', '.', '5', '0'}},
		{"valuer int64", binValuer{v: int64(2)}, LiteralOptions{}, false, [2]byte{0x08, 0}, []byte{2, 0, 0, 0, 0, 0, 0, 0}},
		{"valuer nil", binValuer{}, LiteralOptions{}, true, [2]byte{0x06, 0}, nil},
		{"pointer valuer", &binPtrValuer{"z"}, LiteralOptions{}, false, [2]byte{0xfd, 0}, []byte{1, 'z'}},
		{"nil pointer valuer", (*binPtrValuer)(nil), LiteralOptions{}, true, [2]byte{0x06, 0}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendStmtExecute(nil, 0x04030201, []any{tt.arg}, nil, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			want := append([]byte{}, binExecuteHeader...)
			if tt.null {
				want = append(want, 0x01, 0x01)
			} else {
				want = append(want, 0x00, 0x01)
			}
			want = append(want, tt.typ[:]...)
			want = append(want, tt.value...)
			if !bytes.Equal(got, want) {
				t.Errorf("payload\n got % x\nwant % x", got, want)
			}
		})
	}
}

// tenArgsValues are the values, in the binary protocol, of the ten
// arguments the next two tests execute: 1, "ab", 9, 1.5, 0xff, true, false
// (the NULLs have none).
var tenArgsValues = []byte{
	1, 0, 0, 0, 0, 0, 0, 0,
	2, 'a', 'b',
	9, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0xf8, 0x3f,
	1, 0xff,
	1,
	0,
}

func TestAppendStmtExecuteSetsNullBitsAcrossBytes(t *testing.T) {
	args := []any{nil, int64(1), "ab", uint8(9), 1.5, []byte{0xff}, true, false, nil, nil}
	got, err := AppendStmtExecute([]byte("hdr"), 7, args, nil, LiteralOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		'h', 'd', 'r',
		0x17, 7, 0, 0, 0, // COM_STMT_EXECUTE, statement 7
		0x00,       // no cursor
		1, 0, 0, 0, // iteration count
		0x01, 0x03, // NULL bitmap: parameters 0, 8 and 9
		0x01,       // new params bound
		0x06, 0x00, // NULL
		0x08, 0x00, // LONGLONG
		0xfd, 0x00, // VAR_STRING
		0x08, 0x80, // LONGLONG unsigned
		0x05, 0x00, // DOUBLE
		0xfc, 0x00, // BLOB
		0x01, 0x00, // TINY
		0x01, 0x00, // TINY
		0x06, 0x00, // NULL
		0x06, 0x00, // NULL
	}
	want = append(want, tenArgsValues...)
	if !bytes.Equal(got, want) {
		t.Errorf("payload\n got % x\nwant % x", got, want)
	}
}

// A repeated execute may leave the parameter types out (new params bound
// = 0): StmtExecuteTypes finds them, and OmitStmtExecuteTypes removes them
// and clears the flag, keeping the NULL bitmap and every value.
func TestStmtExecuteTypesCanBeLeftOut(t *testing.T) {
	args := []any{nil, int64(1), "ab", uint8(9), 1.5, []byte{0xff}, true, false, nil, nil}
	p, err := AppendStmtExecute(nil, 7, args, nil, LiteralOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []byte{0x06, 0, 0x08, 0, 0xfd, 0, 0x08, 0x80, 0x05, 0, 0xfc, 0, 0x01, 0, 0x01, 0, 0x06, 0, 0x06, 0}
	if got := StmtExecuteTypes(p, len(args)); !bytes.Equal(got, wantTypes) {
		t.Errorf("types\n got % x\nwant % x", got, wantTypes)
	}
	got := OmitStmtExecuteTypes(p, len(args))
	want := []byte{
		0x17, 7, 0, 0, 0, // COM_STMT_EXECUTE, statement 7
		0x00,       // no cursor
		1, 0, 0, 0, // iteration count
		0x01, 0x03, // NULL bitmap: parameters 0, 8 and 9
		0x00, // new params bound: no, the server keeps the last types
	}
	want = append(want, tenArgsValues...)
	if !bytes.Equal(got, want) {
		t.Errorf("payload without types\n got % x\nwant % x", got, want)
	}
	none, _ := AppendStmtExecute(nil, 7, nil, nil, LiteralOptions{})
	if StmtExecuteTypes(none, 0) != nil || !bytes.Equal(OmitStmtExecuteTypes(none, 0), binExecuteHeaderFor(7)) {
		t.Errorf("an execute without arguments changed: % x", OmitStmtExecuteTypes(none, 0))
	}
}

func binExecuteHeaderFor(id byte) []byte { return []byte{0x17, id, 0, 0, 0, 0, 1, 0, 0, 0} }

func TestAppendStmtExecuteWithoutArgsOmitsBitmapAndTypes(t *testing.T) {
	got, err := AppendStmtExecute(nil, 0x04030201, nil, nil, LiteralOptions{})
	if err != nil || !bytes.Equal(got, binExecuteHeader) {
		t.Errorf("got % x, %v; want % x", got, err, binExecuteHeader)
	}
}

func TestAppendStmtExecuteSendsOnlyTypesForLongData(t *testing.T) {
	args := []any{"long text", []byte("long bytes"), int64(5), nil}
	got, err := AppendStmtExecute(nil, 0x04030201, args, []bool{true, true, false, false}, LiteralOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte{}, binExecuteHeader...),
		0x08,       // NULL bitmap: parameter 3 only
		0x01,       // new params bound
		0xfe, 0x00, // STRING, value sent as long data
		0xfc, 0x00, // BLOB, value sent as long data
		0x08, 0x00, // LONGLONG
		0x06, 0x00, // NULL
		5, 0, 0, 0, 0, 0, 0, 0,
	)
	if !bytes.Equal(got, want) {
		t.Errorf("payload\n got % x\nwant % x", got, want)
	}
}

func TestAppendStmtExecuteRejectsUnencodableArgs(t *testing.T) {
	errValuer := errors.New("valuer failed")
	tests := []struct {
		name string
		arg  any
		want error
	}{
		{"map", map[string]int{"a": 1}, ErrUnsupportedArg},
		{"struct", struct{ A int }{1}, ErrUnsupportedArg},
		{"int slice", []int{1, 2}, ErrUnsupportedArg},
		{"any slice", []any{1}, ErrUnsupportedArg},
		{"channel", make(chan int), ErrUnsupportedArg},
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), ErrUnsupportedArg},
		{"negative year", time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), ErrUnsupportedArg},
		{"duration too long", maxTime + time.Microsecond, ErrUnsupportedArg},
		{"duration too negative", -maxTime - time.Microsecond, ErrUnsupportedArg},
		{"valuer error", binValuer{err: errValuer}, errValuer},
		{"valuer of struct", binValuer{v: struct{}{}}, ErrUnsupportedArg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []byte("keep")
			got, err := AppendStmtExecute(dst, 1, []any{int64(1), tt.arg}, nil, LiteralOptions{})
			if !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if string(got) != "keep" {
				t.Errorf("dst changed to % x", got)
			}
		})
	}
}

func TestAppendStmtCommandsGolden(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"close", AppendStmtClose([]byte{0xaa}, 0x04030201), []byte{0xaa, 0x19, 1, 2, 3, 4}},
		{"reset", AppendStmtReset(nil, 0x04030201), []byte{0x1a, 1, 2, 3, 4}},
		{"send long data", AppendStmtSendLongData(nil, 0x04030201, 0x0102, []byte("xyz")),
			[]byte{0x18, 1, 2, 3, 4, 0x02, 0x01, 'x', 'y', 'z'}},
		{"send empty long data", AppendStmtSendLongData(nil, 9, 0, nil), []byte{0x18, 9, 0, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		if !bytes.Equal(tt.got, tt.want) {
			t.Errorf("%s: got % x, want % x", tt.name, tt.got, tt.want)
		}
	}
}

func TestParseStmtPrepareOK(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    StmtPrepareOK
		wantErr bool
	}{
		{"full", []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x02, 0x01, 0x03, 0x00, 0x00, 0x04, 0x01},
			StmtPrepareOK{StmtID: 0x04030201, NumColumns: 0x0102, NumParams: 3, Warnings: 0x0104}, false},
		{"MariaDB metadata byte", []byte{0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01},
			StmtPrepareOK{StmtID: 5, NumColumns: 1}, false},
		{"no warning count", []byte{0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00},
			StmtPrepareOK{StmtID: 5, NumColumns: 1, NumParams: 2}, false},
		{"no filler", []byte{0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00},
			StmtPrepareOK{StmtID: 5, NumColumns: 1, NumParams: 2}, false},
		{"too short", []byte{0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02}, StmtPrepareOK{}, true},
		{"empty", nil, StmtPrepareOK{}, true},
		{"error packet", []byte{0xff, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00}, StmtPrepareOK{}, true},
	}
	for _, tt := range tests {
		got, err := ParseStmtPrepareOK(tt.in)
		if tt.wantErr {
			if !errors.Is(err, ErrMalformedPacket) {
				t.Errorf("%s: error %v, want ErrMalformedPacket", tt.name, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
}

// binRowColumn is one column of the hand-built row: its definition, its bytes
// on the wire (nil for NULL) and the bytes its span must cover.
type binRowColumn struct {
	col  Column
	wire []byte
	want []byte
}

var binBlob300 = bytes.Repeat([]byte{0xab}, 300)

// everyTypeRow has one column of every type; NULLs are at indexes 0, 5, 6,
// 13 and 30, that is bits 2, 7, 8, 15 and 32 of the bitmap.
var everyTypeRow = []binRowColumn{
	{Column{Type: TypeDecimal}, nil, nil},
	{Column{Type: TypeTiny}, []byte{0xff}, []byte{0xff}},
	{Column{Type: TypeShort}, []byte{0x01, 0x80}, []byte{0x01, 0x80}},
	{Column{Type: TypeLong}, []byte{1, 2, 3, 4}, []byte{1, 2, 3, 4}},
	{Column{Type: TypeFloat}, []byte{0, 0, 0xc0, 0x3f}, []byte{0, 0, 0xc0, 0x3f}},
	{Column{Type: TypeDouble}, nil, nil},
	{Column{Type: TypeNull}, nil, nil},
	{Column{Type: TypeTimestamp}, []byte{7, 0xe8, 0x07, 1, 2, 3, 4, 5}, []byte{0xe8, 0x07, 1, 2, 3, 4, 5}},
	{Column{Type: TypeLongLong, Flags: FlagUnsigned}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	{Column{Type: TypeInt24}, []byte{0xff, 0xff, 0xff, 0xff}, []byte{0xff, 0xff, 0xff, 0xff}},
	{Column{Type: TypeDate}, []byte{4, 0xe8, 0x07, 2, 29}, []byte{0xe8, 0x07, 2, 29}},
	{Column{Type: TypeTime}, []byte{0}, []byte{}},
	{Column{Type: TypeDateTime}, []byte{11, 0xe8, 0x07, 1, 2, 3, 4, 5, 6, 0, 0, 0}, []byte{0xe8, 0x07, 1, 2, 3, 4, 5, 6, 0, 0, 0}},
	{Column{Type: TypeYear, Flags: FlagUnsigned}, nil, nil},
	{Column{Type: TypeNewDate}, []byte{0}, []byte{}},
	{Column{Type: TypeVarChar}, []byte{0}, []byte{}},
	{Column{Type: TypeBit}, []byte{2, 0x01, 0x00}, []byte{0x01, 0x00}},
	{Column{Type: TypeTimestamp2}, []byte{4, 0xb2, 0x07, 1, 1}, []byte{0xb2, 0x07, 1, 1}},
	{Column{Type: TypeDateTime2}, []byte{7, 0x0f, 0x27, 12, 31, 23, 59, 59}, []byte{0x0f, 0x27, 12, 31, 23, 59, 59}},
	{Column{Type: TypeTime2}, []byte{12, 1, 1, 0, 0, 0, 2, 3, 4, 5, 0, 0, 0}, []byte{1, 1, 0, 0, 0, 2, 3, 4, 5, 0, 0, 0}},
	{Column{Type: TypeJSON}, []byte{2, '{', '}'}, []byte{'{', '}'}},
	{Column{Type: TypeNewDecimal}, []byte{4, '1', '.', '2', '5'}, []byte{'1', '.', '2', '5'}},
	{Column{Type: TypeEnum}, []byte{1, 'a'}, []byte{'a'}},
	{Column{Type: TypeSet}, []byte{3, 'a', ',', 'b'}, []byte{'a', ',', 'b'}},
	{Column{Type: TypeTinyBlob}, []byte{1, 0}, []byte{0}},
	{Column{Type: TypeMediumBlob}, append([]byte{0xfc, 0x2c, 0x01}, binBlob300...), binBlob300},
	{Column{Type: TypeLongBlob}, []byte{0}, []byte{}},
	{Column{Type: TypeBlob}, []byte{1, 0xfb}, []byte{0xfb}},
	{Column{Type: TypeVarString}, []byte{3, 'a', 'b', 'c'}, []byte{'a', 'b', 'c'}},
	{Column{Type: TypeString}, []byte{1, ' '}, []byte{' '}},
	{Column{Type: TypeGeometry}, nil, nil},
}

// everyTypeBitmap is everyTypeRow's NULL bitmap, set by hand.
var everyTypeBitmap = []byte{0x84, 0x81, 0x00, 0x00, 0x01}

func everyTypeColumns() []Column {
	cols := make([]Column, len(everyTypeRow))
	for i, c := range everyTypeRow {
		cols[i] = c.col
	}
	return cols
}

func everyTypeRowBytes() []byte {
	row := append([]byte{0x00}, everyTypeBitmap...)
	for _, c := range everyTypeRow {
		row = append(row, c.wire...)
	}
	return row
}

func TestParseBinaryRowLocatesEveryType(t *testing.T) {
	cols, row := everyTypeColumns(), everyTypeRowBytes()
	spans := make([]Span, len(cols))
	if err := ParseBinaryRow(row, cols, spans); err != nil {
		t.Fatal(err)
	}
	for i, c := range everyTypeRow {
		s := spans[i]
		if c.wire == nil {
			if !s.Null() {
				t.Errorf("column %d (type 0x%02x): span %+v, want NULL", i, byte(c.col.Type), s)
			}
			continue
		}
		if s.Null() || !bytes.Equal(s.Bytes(row), c.want) {
			t.Errorf("column %d (type 0x%02x): span %+v covers % x, want % x", i, byte(c.col.Type), s, s.Bytes(row), c.want)
		}
	}
	// Spot-check decoding through the spans.
	if v, err := BinaryInt(spans[1].Bytes(row), &cols[1]); v != -1 || err != nil {
		t.Errorf("TINY = %d, %v", v, err)
	}
	if v, err := BinaryUint(spans[8].Bytes(row), &cols[8]); v != math.MaxUint64 || err != nil {
		t.Errorf("unsigned LONGLONG = %d, %v", v, err)
	}
	if v, err := BinaryDateTime(spans[10].Bytes(row), nil); !v.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) || err != nil {
		t.Errorf("DATE = %v, %v", v, err)
	}
	if v, err := BinaryDuration(spans[19].Bytes(row)); v != -(26*time.Hour+3*time.Minute+4*time.Second+5*time.Microsecond) || err != nil {
		t.Errorf("TIME = %v, %v", v, err)
	}
}

func TestParseBinaryRowAcceptsNoColumns(t *testing.T) {
	if err := ParseBinaryRow([]byte{0x00, 0x00}, nil, nil); err != nil {
		t.Errorf("empty row: %v", err)
	}
}

func TestParseBinaryRowRejectsMalformedRows(t *testing.T) {
	str := []Column{{Type: TypeVarString}}
	tests := []struct {
		name  string
		row   []byte
		cols  []Column
		spans int
	}{
		{"empty", nil, str, 1},
		{"not a row header", []byte{0xfe, 0x00, 0}, str, 1},
		{"missing bitmap", []byte{0x00}, str, 1},
		{"NULL marker as length", []byte{0x00, 0x00, 0xfb}, str, 1},
		{"error marker as length", []byte{0x00, 0x00, 0xff}, str, 1},
		{"string overruns", []byte{0x00, 0x00, 3, 'a', 'b'}, str, 1},
		{"huge lenenc length", []byte{0x00, 0x00, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0x80}, str, 1},
		{"temporal overruns", []byte{0x00, 0x00, 7, 0xe8, 0x07, 1, 1}, []Column{{Type: TypeDateTime}}, 1},
		{"temporal length missing", []byte{0x00, 0x00}, []Column{{Type: TypeTime}}, 1},
		{"fixed overruns", []byte{0x00, 0x00, 1, 2, 3}, []Column{{Type: TypeLong}}, 1},
		{"trailing byte", []byte{0x00, 0x00, 1, 'a', 'z'}, str, 1},
		{"trailing byte after NULL", []byte{0x00, 0x04, 0}, str, 1},
		{"span count mismatch", []byte{0x00, 0x00, 0}, str, 2},
	}
	for _, tt := range tests {
		err := ParseBinaryRow(tt.row, tt.cols, make([]Span, tt.spans))
		if !errors.Is(err, ErrMalformedPacket) {
			t.Errorf("%s: error %v, want ErrMalformedPacket", tt.name, err)
		}
	}
	cols, row := everyTypeColumns(), everyTypeRowBytes()
	spans := make([]Span, len(cols))
	for i := 0; i < len(row); i++ {
		if err := ParseBinaryRow(row[:i], cols, spans); !errors.Is(err, ErrMalformedPacket) {
			t.Errorf("row truncated to %d bytes: error %v", i, err)
		}
	}
}

func TestBinaryIntDecodesWidthsAndSigns(t *testing.T) {
	u := FlagUnsigned
	tests := []struct {
		name    string
		col     Column
		in      []byte
		wantInt int64
		intErr  bool
		wantU   uint64
		uintErr bool
	}{
		{"tiny -1", Column{Type: TypeTiny}, []byte{0xff}, -1, false, 0, true},
		{"tiny unsigned 255", Column{Type: TypeTiny, Flags: u}, []byte{0xff}, 255, false, 255, false},
		{"short min", Column{Type: TypeShort}, []byte{0x00, 0x80}, math.MinInt16, false, 0, true},
		{"short unsigned", Column{Type: TypeShort, Flags: u}, []byte{0x00, 0x80}, 32768, false, 32768, false},
		{"year", Column{Type: TypeYear, Flags: u | FlagZeroFill}, []byte{0xe8, 0x07}, 2024, false, 2024, false},
		{"int24 -1", Column{Type: TypeInt24}, []byte{0xff, 0xff, 0xff, 0xff}, -1, false, 0, true},
		{"int24 unsigned max", Column{Type: TypeInt24, Flags: u}, []byte{0xff, 0xff, 0xff, 0x00}, 1<<24 - 1, false, 1<<24 - 1, false},
		{"long min", Column{Type: TypeLong}, []byte{0, 0, 0, 0x80}, math.MinInt32, false, 0, true},
		{"long max", Column{Type: TypeLong}, []byte{0xff, 0xff, 0xff, 0x7f}, math.MaxInt32, false, math.MaxInt32, false},
		{"long unsigned max", Column{Type: TypeLong, Flags: u}, []byte{0xff, 0xff, 0xff, 0xff}, math.MaxUint32, false, math.MaxUint32, false},
		{"longlong min", Column{Type: TypeLongLong}, []byte{0, 0, 0, 0, 0, 0, 0, 0x80}, math.MinInt64, false, 0, true},
		{"longlong max", Column{Type: TypeLongLong}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, math.MaxInt64, false, math.MaxInt64, false},
		{"longlong unsigned max", Column{Type: TypeLongLong, Flags: u}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 0, true, math.MaxUint64, false},
		{"longlong unsigned 2^63", Column{Type: TypeLongLong, Flags: u}, []byte{0, 0, 0, 0, 0, 0, 0, 0x80}, 0, true, 1 << 63, false},
		{"zero", Column{Type: TypeLongLong, Flags: u}, []byte{0, 0, 0, 0, 0, 0, 0, 0}, 0, false, 0, false},
	}
	for _, tt := range tests {
		gotI, err := BinaryInt(tt.in, &tt.col)
		if tt.intErr {
			if !errors.Is(err, ErrBadValue) {
				t.Errorf("%s: BinaryInt = %d, %v; want ErrBadValue", tt.name, gotI, err)
			}
		} else if err != nil || gotI != tt.wantInt {
			t.Errorf("%s: BinaryInt = %d, %v; want %d", tt.name, gotI, err, tt.wantInt)
		}
		gotU, err := BinaryUint(tt.in, &tt.col)
		if tt.uintErr {
			if !errors.Is(err, ErrBadValue) {
				t.Errorf("%s: BinaryUint = %d, %v; want ErrBadValue", tt.name, gotU, err)
			}
		} else if err != nil || gotU != tt.wantU {
			t.Errorf("%s: BinaryUint = %d, %v; want %d", tt.name, gotU, err, tt.wantU)
		}
	}
}

func TestBinaryIntWithoutColumnReadsSignedByWidth(t *testing.T) {
	for _, tt := range []struct {
		in   []byte
		want int64
	}{
		{[]byte{0x80}, -128},
		{[]byte{0xff, 0x7f}, math.MaxInt16},
		{[]byte{0xfe, 0xff, 0xff, 0xff}, -2},
		{[]byte{1, 0, 0, 0, 0, 0, 0, 0}, 1},
	} {
		if got, err := BinaryInt(tt.in, nil); got != tt.want || err != nil {
			t.Errorf("BinaryInt(% x, nil) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestBinaryIntRejectsWrongWidthOrType(t *testing.T) {
	tests := []struct {
		name      string
		col       *Column
		in        []byte
		malformed bool
	}{
		{"tiny with 2 bytes", &Column{Type: TypeTiny}, []byte{1, 2}, true},
		{"long with 8 bytes", &Column{Type: TypeLong}, make([]byte, 8), true},
		{"int24 with 3 bytes", &Column{Type: TypeInt24}, []byte{1, 2, 3}, true},
		{"empty", &Column{Type: TypeLongLong}, nil, true},
		{"no column, 3 bytes", nil, []byte{1, 2, 3}, true},
		{"double column", &Column{Type: TypeDouble}, make([]byte, 8), false},
		{"string column", &Column{Type: TypeVarString}, []byte{1}, false},
	}
	for _, tt := range tests {
		_, err := BinaryInt(tt.in, tt.col)
		_, uerr := BinaryUint(tt.in, tt.col)
		if !errors.Is(err, ErrBadValue) || !errors.Is(uerr, ErrBadValue) {
			t.Errorf("%s: errors %v / %v, want ErrBadValue", tt.name, err, uerr)
		}
		if errors.Is(err, ErrMalformedPacket) != tt.malformed {
			t.Errorf("%s: error %v, ErrMalformedPacket = %v", tt.name, err, !tt.malformed)
		}
	}
}

func TestBinaryFloatDecodesIEEE(t *testing.T) {
	if v, err := BinaryFloat32([]byte{0, 0, 0xc0, 0xbf}); v != -1.5 || err != nil {
		t.Errorf("BinaryFloat32 = %v, %v", v, err)
	}
	if v, err := BinaryFloat32([]byte{0xff, 0xff, 0x7f, 0x7f}); v != math.MaxFloat32 || err != nil {
		t.Errorf("BinaryFloat32 max = %v, %v", v, err)
	}
	if v, err := BinaryFloat64([]byte{0x18, 0x2d, 0x44, 0x54, 0xfb, 0x21, 0x09, 0x40}); v != math.Pi || err != nil {
		t.Errorf("BinaryFloat64 = %v, %v", v, err)
	}
	for _, n := range []int{0, 3, 5, 8} {
		if _, err := BinaryFloat32(make([]byte, n)); !errors.Is(err, ErrMalformedPacket) {
			t.Errorf("BinaryFloat32 of %d bytes: %v", n, err)
		}
	}
	for _, n := range []int{0, 4, 7, 9} {
		if _, err := BinaryFloat64(make([]byte, n)); !errors.Is(err, ErrMalformedPacket) {
			t.Errorf("BinaryFloat64 of %d bytes: %v", n, err)
		}
	}
}

func TestBinaryDateTimeDecodesEveryLength(t *testing.T) {
	plus2 := time.FixedZone("+02", 2*3600)
	tests := []struct {
		name string
		in   []byte
		loc  *time.Location
		want time.Time
	}{
		{"length 0 is the zero time", []byte{}, nil, time.Time{}},
		{"length 4", []byte{0xe8, 0x07, 2, 29}, nil, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"length 7", []byte{0xe8, 0x07, 2, 29, 23, 59, 58}, nil, time.Date(2024, 2, 29, 23, 59, 58, 0, time.UTC)},
		{"length 11", []byte{0x0f, 0x27, 12, 31, 23, 59, 59, 0x3f, 0x42, 0x0f, 0x00}, nil,
			time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)},
		{"in loc", []byte{0xe8, 0x07, 1, 2, 3, 4, 5}, plus2, time.Date(2024, 1, 2, 3, 4, 5, 0, plus2)},
		{"year 0", []byte{0, 0, 1, 1}, nil, time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"all-zero date", []byte{0, 0, 0, 0}, nil, time.Time{}},
		{"all-zero datetime", []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, nil, time.Time{}},
		{"zero month", []byte{0xe8, 0x07, 0, 5}, nil, time.Time{}},
		{"zero day", []byte{0xe8, 0x07, 5, 0, 1, 2, 3}, nil, time.Time{}},
	}
	for _, tt := range tests {
		got, err := BinaryDateTime(tt.in, tt.loc)
		if err != nil || !got.Equal(tt.want) || got.Location() != tt.want.Location() {
			t.Errorf("%s: BinaryDateTime(% x) = %v, %v; want %v", tt.name, tt.in, got, err, tt.want)
		}
	}
}

func TestBinaryDateTimeRejectsImpossibleValues(t *testing.T) {
	for _, in := range [][]byte{
		{0xe8, 0x07, 2},                                     // length 3
		{0xe8, 0x07, 2, 1, 0},                               // length 5
		{0xe8, 0x07, 2, 1, 0, 0, 0, 0},                      // length 8
		{0xe8, 0x07, 13, 1},                                 // month 13
		{0xe8, 0x07, 2, 30},                                 // February 30th
		{0xe7, 0x07, 2, 29},                                 // not a leap year
		{0xe8, 0x07, 1, 32},                                 // day 32
		{0x10, 0x27, 1, 1},                                  // year 10000
		{0xe8, 0x07, 1, 1, 24, 0, 0},                        // hour 24
		{0xe8, 0x07, 1, 1, 0, 60, 0},                        // minute 60
		{0xe8, 0x07, 1, 1, 0, 0, 60},                        // second 60
		{0xe8, 0x07, 1, 1, 0, 0, 0, 0x40, 0x42, 0x0f, 0x00}, // 1000000 µs
		{0, 0, 0, 0, 12, 0, 0},                              // time on a zero date
	} {
		if got, err := BinaryDateTime(in, nil); !errors.Is(err, ErrMalformedPacket) || !errors.Is(err, ErrBadValue) {
			t.Errorf("BinaryDateTime(% x) = %v, %v; want an error", in, got, err)
		}
	}
}

func TestBinaryDurationDecodesEveryLength(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want time.Duration
	}{
		{"length 0 is zero", []byte{}, 0},
		{"length 8", []byte{0, 0, 0, 0, 0, 1, 2, 3}, time.Hour + 2*time.Minute + 3*time.Second},
		{"length 12", []byte{0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, time.Microsecond},
		{"days add 24 hours each", []byte{0, 2, 0, 0, 0, 3, 0, 0}, 51 * time.Hour},
		{"negative", []byte{1, 0, 0, 0, 0, 0, 0, 1}, -time.Second},
		{"negative with micros", []byte{1, 1, 0, 0, 0, 0, 0, 0, 0x40, 0xe2, 0x01, 0x00}, -(24*time.Hour + 123456*time.Microsecond)},
		{"negative zero", []byte{1, 0, 0, 0, 0, 0, 0, 0}, 0},
		{"max", []byte{0, 34, 0, 0, 0, 22, 59, 59, 0x3f, 0x42, 0x0f, 0x00}, maxTime},
		{"min", []byte{1, 34, 0, 0, 0, 22, 59, 59, 0x3f, 0x42, 0x0f, 0x00}, -maxTime},
	}
	for _, tt := range tests {
		if got, err := BinaryDuration(tt.in); got != tt.want || err != nil {
			t.Errorf("%s: BinaryDuration(% x) = %v, %v; want %v", tt.name, tt.in, got, err, tt.want)
		}
	}
}

func TestBinaryDurationRejectsImpossibleValues(t *testing.T) {
	for _, in := range [][]byte{
		{0},                         // length 1
		{0, 0, 0, 0, 0, 0, 0},       // length 7
		{0, 0, 0, 0, 0, 0, 0, 0, 0}, // length 9
		{2, 0, 0, 0, 0, 0, 0, 0},    // sign byte 2
		{0, 0, 0, 0, 0, 0, 60, 0},   // minute 60
		{0, 0, 0, 0, 0, 0, 0, 60},   // second 60
		{0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x42, 0x0f, 0x00}, // 1000000 µs
		{0, 34, 0, 0, 0, 23, 0, 0},                       // 839:00:00
		{0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0},             // 2^32-1 days
		{1, 35, 0, 0, 0, 0, 0, 0},                        // -840:00:00
	} {
		if got, err := BinaryDuration(in); !errors.Is(err, ErrMalformedPacket) {
			t.Errorf("BinaryDuration(% x) = %v, %v; want ErrMalformedPacket", in, got, err)
		}
	}
}

func TestBinaryTemporalsRoundTripEveryLength(t *testing.T) {
	times := []struct {
		t      time.Time
		length byte
	}{
		{time.Time{}, 0},
		{time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), 4},
		{time.Date(1000, 1, 1, 0, 0, 1, 0, time.UTC), 7},
		{time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), 11},
		{time.Date(2024, 6, 1, 0, 0, 0, 1000, time.UTC), 11},
	}
	for _, tt := range times {
		b, err := appendBinaryDateTime(nil, tt.t, nil)
		if err != nil || b[0] != tt.length || len(b) != 1+int(tt.length) {
			t.Errorf("%v encoded as % x, %v; want length %d", tt.t, b, err, tt.length)
			continue
		}
		if got, err := BinaryDateTime(b[1:], time.UTC); err != nil || !got.Equal(tt.t) {
			t.Errorf("%v -> % x -> %v, %v", tt.t, b, got, err)
		}
	}
	durations := []struct {
		d      time.Duration
		length byte
	}{
		{0, 0},
		{time.Second, 8},
		{-time.Second, 8},
		{25*time.Hour + time.Microsecond, 12},
		{-(25*time.Hour + time.Microsecond), 12},
		{maxTime, 12},
		{-maxTime, 12},
		{-838 * time.Hour, 8},
	}
	for _, tt := range durations {
		b, err := appendBinaryDuration(nil, tt.d)
		if err != nil || b[0] != tt.length || len(b) != 1+int(tt.length) {
			t.Errorf("%v encoded as % x, %v; want length %d", tt.d, b, err, tt.length)
			continue
		}
		if got, err := BinaryDuration(b[1:]); err != nil || got != tt.d {
			t.Errorf("%v -> % x -> %v, %v", tt.d, b, got, err)
		}
	}
}

var (
	binSinkInt  int64
	binSinkUint uint64
	binSinkF32  float32
	binSinkF64  float64
	binSinkTime time.Time
	binSinkDur  time.Duration
	binSinkErr  error
)

func TestBinaryDecodingDoesNotAllocate(t *testing.T) {
	cols, row := everyTypeColumns(), everyTypeRowBytes()
	spans := make([]Span, len(cols))
	signed := &Column{Type: TypeLongLong}
	unsigned := &Column{Type: TypeLongLong, Flags: FlagUnsigned}
	i8 := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	dt := []byte{0xe8, 0x07, 2, 29, 13, 14, 15, 1, 0, 0, 0}
	tm := []byte{1, 1, 0, 0, 0, 2, 3, 4, 5, 0, 0, 0}
	zone := time.FixedZone("+02", 7200)
	tests := []struct {
		name string
		f    func()
	}{
		{"ParseBinaryRow", func() { binSinkErr = ParseBinaryRow(row, cols, spans) }},
		{"BinaryInt", func() { binSinkInt, binSinkErr = BinaryInt(i8, signed) }},
		{"BinaryUint", func() { binSinkUint, binSinkErr = BinaryUint(i8, unsigned) }},
		{"BinaryFloat32", func() { binSinkF32, binSinkErr = BinaryFloat32(i8[:4]) }},
		{"BinaryFloat64", func() { binSinkF64, binSinkErr = BinaryFloat64(i8) }},
		{"BinaryDateTime", func() { binSinkTime, binSinkErr = BinaryDateTime(dt, nil) }},
		{"BinaryDateTime in zone", func() { binSinkTime, binSinkErr = BinaryDateTime(dt, zone) }},
		{"BinaryDuration", func() { binSinkDur, binSinkErr = BinaryDuration(tm) }},
	}
	for _, tt := range tests {
		if a := testing.AllocsPerRun(100, tt.f); a != 0 || binSinkErr != nil {
			t.Errorf("%s: %v allocations, error %v", tt.name, a, binSinkErr)
		}
	}
}
