package actor_test

import (
	"net"
	"sync"
	"testing"

	"github.com/amysql/amysql/proto"
)

// fakeServer is a scripted MySQL peer for behaviour a real server cannot
// be made to show (old framing, hostile packets). It accepts any login.
type fakeServer struct {
	caps  uint32
	query func(w *fakeConn, q string) // answers one COM_QUERY
	ln    net.Listener
	wg    sync.WaitGroup
}

type fakeConn struct {
	pr   *proto.PacketReader
	pw   *proto.PacketWriter
	caps uint32
}

func (c *fakeConn) send(p []byte) {
	c.pw.Write(append(c.pw.Start(), p...))
}

func startFake(t testing.TB, caps uint32, query func(*fakeConn, string)) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeServer{caps: caps, query: query, ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer nc.Close()
				s.serve(nc)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return ln.Addr().(*net.TCPAddr).Port
}

func (s *fakeServer) serve(nc net.Conn) {
	c := &fakeConn{pr: proto.NewPacketReader(nc, 0), pw: proto.NewPacketWriter(nc), caps: s.caps}
	greeting := []byte{10}
	greeting = append(greeting, "8.0.0-fake\x00"...)
	greeting = append(greeting, 1, 0, 0, 0)
	greeting = append(greeting, "abcdefgh"...)
	greeting = append(greeting, 0, byte(s.caps), byte(s.caps>>8), 45, 2, 0, byte(s.caps>>16), byte(s.caps>>24), 21)
	greeting = append(greeting, make([]byte, 10)...)
	greeting = append(greeting, "ijklmnopqrst\x00"...)
	greeting = append(greeting, "mysql_native_password\x00"...)
	c.send(greeting)
	c.pr.SetSeq(c.pw.Seq())
	if _, err := c.pr.ReadPacket(); err != nil { // handshake response
		return
	}
	c.pw.SetSeq(c.pr.Seq())
	c.send([]byte{0, 0, 0, 2, 0, 0, 0})
	for {
		c.pr.SetSeq(0)
		p, err := c.pr.ReadPacket()
		if err != nil || len(p) == 0 || p[0] == proto.ComQuit {
			return
		}
		c.pw.SetSeq(c.pr.Seq())
		switch p[0] {
		case proto.ComQuery:
			s.query(c, string(p[1:]))
		default:
			c.send([]byte{0, 0, 0, 2, 0, 0, 0})
		}
	}
}

// columnDef builds a text column definition.
func columnDef(name string, t proto.FieldType, charset uint16) []byte {
	var b []byte
	for _, s := range []string{"def", "", "", "", name, name} {
		b = proto.AppendLenEncString(b, s)
	}
	return append(b, 0x0c, byte(charset), byte(charset>>8), 11, 0, 0, 0, byte(t), 0, 0, 0, 0, 0)
}

// textRow builds a text row; nil is NULL.
func textRow(vals ...*string) []byte {
	var b []byte
	for _, v := range vals {
		if v == nil {
			b = append(b, 0xfb)
			continue
		}
		b = proto.AppendLenEncString(b, *v)
	}
	return b
}

func str(s string) *string { return &s }

var eof = []byte{0xfe, 0, 0, 2, 0}

func TestClassicEOFFraming(t *testing.T) {
	caps := proto.ClientLongPassword | proto.ClientProtocol41 | proto.ClientSecureConnection |
		proto.ClientPluginAuth | proto.ClientTransactions | proto.ClientMultiResults
	port := startFake(t, caps, func(c *fakeConn, q string) {
		c.send([]byte{2})
		c.send(columnDef("n", proto.TypeLongLong, 63))
		c.send(columnDef("s", proto.TypeVarString, 45))
		c.send(eof)
		c.send(textRow(str("1"), str("one")))
		c.send(textRow(str("2"), nil))
		c.send(eof)
	})
	cfg := testConfigNoServer()
	cfg.Port = port
	c := connectCfg(t, cfg)
	for _, kind := range []int{0, 2} { // TupleCursor, SSCursor
		cur := c.Cursor(cursorKind(kind))
		if _, err := cur.Execute(ctxT(t), "SELECT n, s"); err != nil {
			t.Fatal(err)
		}
		rows, err := cur.FetchAll(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0][0] != int64(1) || rows[0][1] != "one" || rows[1][1] != nil {
			t.Errorf("rows = %v", rows)
		}
	}
	if err := c.Ping(ctxT(t)); err != nil {
		t.Errorf("Ping after classic-EOF results: %v", err)
	}
}
