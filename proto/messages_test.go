package proto

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// A MariaDB 10.11 greeting as captured on the wire (payload only).
var mariadbGreeting = []byte{
	0x0a, '5', '.', '5', '.', '5', '-', '1', '0', '.', '1', '1', '.', '6', '-', 'M', 'a', 'r', 'i', 'a', 'D', 'B', 0x00,
	0x2a, 0x00, 0x00, 0x00, // connection id 42
	'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', // scramble part 1
	0x00,       // filler
	0xfe, 0xf7, // capabilities low (no CLIENT_MYSQL bit)
	0x2d,       // collation 45
	0x02, 0x00, // status: autocommit
	0xff, 0x81, // capabilities high
	0x15,                               // auth data length 21
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // filler
	0x1d, 0x00, 0x00, 0x00, // MariaDB extended capabilities
	'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 0x00, // scramble part 2
	'm', 'y', 's', 'q', 'l', '_', 'n', 'a', 't', 'i', 'v', 'e', '_', 'p', 'a', 's', 's', 'w', 'o', 'r', 'd', 0x00,
}

func TestParseHandshakeMariaDB(t *testing.T) {
	h, err := ParseHandshake(mariadbGreeting)
	if err != nil {
		t.Fatal(err)
	}
	if h.Version() != "10.11.6-MariaDB" || !h.IsMariaDB() {
		t.Errorf("version %q (MariaDB %v)", h.Version(), h.IsMariaDB())
	}
	if h.ConnectionID != 42 || h.Collation != 45 || h.Status != StatusAutocommit {
		t.Errorf("id %d collation %d status %x", h.ConnectionID, h.Collation, h.Status)
	}
	if string(h.Salt) != "abcdefghijklmnopqrst" {
		t.Errorf("salt %q", h.Salt)
	}
	if h.Capabilities != 0x81fff7fe {
		t.Errorf("capabilities %#x", h.Capabilities)
	}
	if h.MariaDBCapabilities != 0x1d {
		t.Errorf("MariaDB capabilities %#x, want 0x1d", h.MariaDBCapabilities)
	}
	if h.AuthPlugin != AuthNativePassword {
		t.Errorf("plugin %q", h.AuthPlugin)
	}
}

func TestParseHandshakeErrorPacket(t *testing.T) {
	_, err := ParseHandshake([]byte{0xff, 0x10, 0x04, 'T', 'o', 'o', ' ', 'm', 'a', 'n', 'y'})
	var se *Error
	if !errors.As(err, &se) || se.Code != 1040 || se.Message != "Too many" || se.SQLState != "" {
		t.Errorf("err = %#v", err)
	}
}

func TestParseHandshakeRejectsGarbage(t *testing.T) {
	for i := 0; i < len(mariadbGreeting)-30; i++ {
		if _, err := ParseHandshake(mariadbGreeting[:i]); err == nil && i < 30 {
			t.Errorf("truncated greeting (%d bytes) accepted", i)
		}
	}
	if _, err := ParseHandshake([]byte{9, 'x', 0}); !errors.Is(err, ErrMalformedPacket) {
		t.Errorf("protocol 9: %v", err)
	}
}

func TestAppendHandshakeResponse(t *testing.T) {
	r := &HandshakeResponse{
		Capabilities:  ClientProtocol41 | ClientSecureConnection | ClientPluginAuth | ClientPluginAuthLenencClientData | ClientConnectWithDB | ClientConnectAttrs,
		MaxPacketSize: 1 << 24,
		Collation:     45,
		User:          "root",
		AuthResponse:  []byte{1, 2, 3},
		DB:            "test",
		AuthPlugin:    "mysql_native_password",
		Attrs:         [][2]string{{"_client_name", "amysql"}},
	}
	got := AppendHandshakeResponse(nil, r)
	want := []byte{0x08, 0x82, 0x38, 0x00, 0x00, 0x00, 0x00, 0x01, 45}
	want = append(want, make([]byte, 23)...)
	want = append(want, "root\x00"...)
	want = append(want, 3, 1, 2, 3)
	want = append(want, "test\x00mysql_native_password\x00"...)
	want = append(want, 20, 12)
	want = append(want, "_client_name"...)
	want = append(want, 6)
	want = append(want, "amysql"...)
	if !bytes.Equal(got, want) {
		t.Errorf("response\n got % x\nwant % x", got, want)
	}
	ssl := AppendSSLRequest(nil, r)
	if len(ssl) != 32 || ssl[1]&byte(ClientSSL>>8) == 0 {
		t.Errorf("SSLRequest % x: want 32 bytes with CLIENT_SSL", ssl)
	}
	if got[1]&byte(ClientSSL>>8) != 0 {
		t.Error("handshake response claims CLIENT_SSL without it being asked")
	}
}

func TestParseAuthSwitch(t *testing.T) {
	nonce := bytes.Repeat([]byte{0x5a}, 31)
	tests := []struct {
		name       string
		in         string
		wantPlugin string
		wantData   []byte
	}{
		{"scramble loses its terminator", "caching_sha2_password\x0012345678901234567890\x00",
			AuthCachingSHA2, []byte("12345678901234567890")},
		{"scramble without a terminator", "mysql_native_password\x0012345678901234567890",
			AuthNativePassword, []byte("12345678901234567890")},
		{"ed25519 nonce ending in 0 keeps it", AuthEd25519 + "\x00" + string(nonce) + "\x00",
			AuthEd25519, append(append([]byte{}, nonce...), 0)},
		{"ed25519 nonce", AuthEd25519 + "\x00" + string(nonce) + "\x01",
			AuthEd25519, append(append([]byte{}, nonce...), 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sw, err := ParseAuthSwitch(append([]byte{0xfe}, tt.in...))
			if err != nil || sw.Plugin != tt.wantPlugin || !bytes.Equal(sw.Data, tt.wantData) {
				t.Errorf("ParseAuthSwitch = %+v, %v; want plugin %s, data %q", sw, err, tt.wantPlugin, tt.wantData)
			}
		})
	}
	if _, err := ParseAuthSwitch([]byte{0xfe, 'x'}); err == nil {
		t.Error("unterminated plugin name accepted")
	}
}

func TestParseOKAndEOF(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		caps uint32
		want OK
	}{
		{"insert", []byte{0x00, 0x03, 0x05, 0x02, 0x00, 0x01, 0x00}, ClientProtocol41,
			OK{AffectedRows: 3, LastInsertID: 5, Status: StatusAutocommit, Warnings: 1}},
		{"large ids", []byte{0x00, 0xfc, 0x00, 0x01, 0xfd, 0x01, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00}, ClientProtocol41,
			OK{AffectedRows: 256, LastInsertID: 65537, Status: StatusInTrans | StatusAutocommit}},
		{"deprecate-eof end", []byte{0xfe, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00}, ClientProtocol41 | ClientDeprecateEOF,
			OK{Status: StatusAutocommit | StatusMoreResultsExists}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOK(tt.in, tt.caps)
			got.Info = nil
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseOK = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	w, s, err := ParseEOF([]byte{0xfe, 0x02, 0x00, 0x22, 0x00})
	if err != nil || w != 2 || s != 0x22 {
		t.Errorf("ParseEOF = %d, %#x, %v", w, s, err)
	}
	if !IsEOF([]byte{0xfe, 0, 0, 2, 0}) || IsEOF([]byte{0x00}) {
		t.Error("IsEOF misclassifies")
	}
	if _, err := ParseOK([]byte{0x00, 0xfc}, ClientProtocol41); !errors.Is(err, ErrMalformedPacket) {
		t.Errorf("truncated OK: %v", err)
	}
}

func TestParseErr(t *testing.T) {
	e, err := ParseErr(append([]byte{0xff, 0x15, 0x04, '#', '2', '8', '0', '0', '0'}, "Access denied"...))
	if err != nil || e.Code != 1045 || e.SQLState != "28000" || e.Message != "Access denied" {
		t.Fatalf("ParseErr = %+v, %v", e, err)
	}
	if e.Error() != "Error 1045 (28000): Access denied" {
		t.Errorf("Error() = %q", e.Error())
	}
	tooLarge := &Error{Code: ErNetPacketTooLarge}
	if !errors.Is(tooLarge, ErrPacketTooLarge) {
		t.Error("error 1153 does not match ErrPacketTooLarge")
	}
	if !errors.Is(e, &Error{Code: 1045}) {
		t.Error("errors.Is does not match by code")
	}
}

func TestLenEnc(t *testing.T) {
	for _, v := range []uint64{0, 250, 251, 0xffff, 0x10000, 0xffffff, 0x1000000, 1<<64 - 1} {
		b := AppendLenEncInt(nil, v)
		got, null, n := LenEncInt(b)
		if got != v || null || n != len(b) {
			t.Errorf("%d: encoded % x, decoded %d null=%v n=%d", v, b, got, null, n)
		}
	}
	if _, null, n := LenEncInt([]byte{0xfb}); !null || n != 1 {
		t.Error("0xfb is not NULL")
	}
	for _, bad := range [][]byte{{}, {0xfc, 1}, {0xfd, 1, 2}, {0xfe, 1}, {0xff}} {
		if _, _, n := LenEncInt(bad); n != 0 {
			t.Errorf("% x accepted", bad)
		}
	}
	if _, _, n := LenEncString([]byte{5, 'a', 'b'}); n != 0 {
		t.Error("string longer than its packet accepted")
	}
}

// columnPacket builds a column definition as the server sends it.
func columnPacket(table, name string, charset uint16, length uint32, typ FieldType, flags uint16, decimals byte, ext []byte) []byte {
	var b []byte
	for _, s := range []string{"def", "test", table, table, name, name} {
		b = AppendLenEncString(b, s)
	}
	if ext != nil {
		b = AppendLenEncString(b, string(ext))
	}
	b = append(b, 0x0c, byte(charset), byte(charset>>8),
		byte(length), byte(length>>8), byte(length>>16), byte(length>>24),
		byte(typ), byte(flags), byte(flags>>8), decimals, 0, 0)
	return b
}

func TestParseColumnCountMetaReadsTheMetadataFollowsByte(t *testing.T) {
	tests := []struct {
		name        string
		in          []byte
		count       uint64
		defs, valid bool
	}{
		{"definitions follow", []byte{3, 1}, 3, true, true},
		{"definitions skipped", []byte{1, 0}, 1, false, true},
		{"two-byte count", []byte{0xfc, 0x2c, 0x01, 1}, 300, true, true},
		{"flag missing", []byte{3}, 0, false, false},
		{"flag neither 0 nor 1", []byte{3, 2}, 0, false, false},
		{"trailing garbage", []byte{3, 1, 0}, 0, false, false},
		{"OK packet", []byte{HeaderOK, 0, 0, 2, 0, 0, 0}, 0, false, false},
		{"ERR packet", []byte{HeaderErr, 0x48, 0x04}, 0, false, false},
		{"LOCAL INFILE request", []byte{HeaderLocalInfile, 'f'}, 0, false, false},
		{"NULL count", []byte{0xfb, 1}, 0, false, false},
		{"empty", nil, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, defs, ok := ParseColumnCountMeta(tt.in)
			if ok != tt.valid || n != tt.count || defs != tt.defs {
				t.Errorf("ParseColumnCountMeta(% x) = %d, %v, %v; want %d, %v, %v", tt.in, n, defs, ok, tt.count, tt.defs, tt.valid)
			}
		})
	}
}

func TestParseColumn(t *testing.T) {
	var c Column
	p := columnPacket("t", "id", 63, 11, TypeLong, FlagNotNull|FlagUnsigned, 0, nil)
	if err := ParseColumn(p, false, &c); err != nil {
		t.Fatal(err)
	}
	if string(c.Name) != "id" || string(c.Table) != "t" || string(c.Schema) != "test" || c.Type != TypeLong ||
		c.Length != 11 || !c.Unsigned() || !c.Binary() || c.Flags&FlagNotNull == 0 {
		t.Errorf("column = %+v", c)
	}
	jp := columnPacket("t", "doc", 45, 1<<32-1, TypeBlob, FlagBlob, 0, []byte("\x01\x04json"))
	if err := ParseColumn(jp, true, &c); err != nil {
		t.Fatal(err)
	}
	if !c.IsJSON() || string(c.Format) != "json" {
		t.Errorf("extended JSON column not recognised: %+v", c)
	}
	for i := 0; i < len(p); i++ {
		if err := ParseColumn(p[:i], false, &c); err == nil {
			t.Errorf("column truncated at %d accepted", i)
		}
	}
}

func TestParseTextRow(t *testing.T) {
	row := []byte{1, '7', 0xfb, 0, 3, 'a', 'b', 'c'}
	spans := make([]Span, 4)
	if err := ParseTextRow(row, spans); err != nil {
		t.Fatal(err)
	}
	want := []string{"7", "<nil>", "", "abc"}
	for i, s := range spans {
		got := "<nil>"
		if !s.Null() {
			got = string(s.Bytes(row))
		}
		if got != want[i] {
			t.Errorf("value %d = %q, want %q", i, got, want[i])
		}
	}
	if err := ParseTextRow(row, make([]Span, 5)); err == nil {
		t.Error("row with too few values accepted")
	}
	if err := ParseTextRow(row, make([]Span, 3)); err == nil {
		t.Error("row with trailing bytes accepted")
	}
	if err := ParseTextRow([]byte{9, 'x'}, make([]Span, 1)); !errors.Is(err, ErrMalformedPacket) {
		t.Error("value past the end of the packet accepted")
	}
	if a := testing.AllocsPerRun(100, func() { _ = ParseTextRow(row, spans) }); a != 0 {
		t.Errorf("%v allocs per row", a)
	}
}

func FuzzParseHandshake(f *testing.F) {
	f.Add(mariadbGreeting)
	f.Add([]byte{0xff, 0x10, 0x04})
	f.Fuzz(func(t *testing.T, in []byte) {
		h, err := ParseHandshake(in)
		if err == nil && len(h.Salt) > 255 {
			t.Fatal("absurd salt length")
		}
		_, _ = ParseAuthSwitch(in)
		_, _ = ParseOK(in, ClientProtocol41|ClientSessionTrack)
		_, _ = ParseErr(in)
	})
}

func FuzzParseResultSet(f *testing.F) {
	f.Add(columnPacket("t", "id", 63, 11, TypeLong, 0, 0, nil), []byte{1, '7', 0xfb}, byte(2), true)
	f.Add(columnPacket("t", "doc", 45, 10, TypeBlob, 0, 0, []byte("\x01\x04json")), []byte{0xfc, 0xff}, byte(1), true)
	f.Fuzz(func(t *testing.T, col, row []byte, n byte, ext bool) {
		var c Column
		_ = ParseColumn(col, ext, &c)
		spans := make([]Span, int(n)%64)
		if err := ParseTextRow(row, spans); err == nil {
			for _, s := range spans {
				if !s.Null() && (s.Off < 0 || s.Len < 0 || int(s.Off+s.Len) > len(row)) {
					t.Fatalf("span %+v outside a %d-byte row", s, len(row))
				}
			}
		}
		_, _ = ParseColumnCount(row)
		if n, defs, ok := ParseColumnCountMeta(row); ok {
			flag := byte(0)
			if defs {
				flag = 1
			}
			if again := append(AppendLenEncInt(nil, n), flag); !bytes.Equal(again, row) && row[0] != 0xfc && row[0] != 0xfd && row[0] != 0xfe {
				t.Fatalf("column count %d, defs %v re-encodes as % x, not % x", n, defs, again, row)
			}
		}
	})
}
