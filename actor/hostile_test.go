package actor_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
)

// hostile is a scripted peer: the script plays the server's side of one
// connection. It records every payload the client sent.
type hostile struct {
	mu   sync.Mutex
	got  [][]byte
	port int
}

func (h *hostile) received() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte(nil), h.got...)
}

type peerConn struct {
	h  *hostile
	nc net.Conn
	pr *proto.PacketReader
	pw *proto.PacketWriter
}

func (c *peerConn) send(p []byte) { c.pw.Write(append(c.pw.Start(), p...)); c.pr.SetSeq(c.pw.Seq()) }

// sendRaw writes bytes as they are, for broken framing.
func (c *peerConn) sendRaw(b []byte) { c.nc.Write(b) }

func (c *peerConn) read() ([]byte, error) {
	p, err := c.pr.ReadPacket()
	if err != nil {
		return nil, err
	}
	c.h.mu.Lock()
	c.h.got = append(c.h.got, append([]byte(nil), p...))
	c.h.mu.Unlock()
	c.pw.SetSeq(c.pr.Seq())
	return p, nil
}

const baseCaps = proto.ClientLongPassword | proto.ClientProtocol41 | proto.ClientSecureConnection |
	proto.ClientPluginAuth | proto.ClientTransactions | proto.ClientMultiResults | proto.ClientDeprecateEOF

// greet sends a handshake with caps and the given plugin.
func (c *peerConn) greet(caps uint32, plugin string) {
	c.send(greeting("8.0.0-hostile", caps, 0, plugin))
}

// greeting builds a protocol-10 handshake. MariaDB's extended
// capabilities go in the last four of its ten reserved bytes.
func greeting(version string, caps, mariaCaps uint32, plugin string) []byte {
	g := []byte{10}
	g = append(g, version+"\x00"...)
	g = append(g, 7, 0, 0, 0)
	g = append(g, "abcdefgh"...)
	g = append(g, 0, byte(caps), byte(caps>>8), 45, 2, 0, byte(caps>>16), byte(caps>>24), 21)
	g = append(g, make([]byte, 6)...)
	g = append(g, byte(mariaCaps), byte(mariaCaps>>8), byte(mariaCaps>>16), byte(mariaCaps>>24))
	g = append(g, "ijklmnopqrst\x00"...)
	g = append(g, plugin+"\x00"...)
	return g
}

var okPacket = []byte{0, 0, 0, 2, 0, 0, 0}

// login runs a greeting and accepts any credentials.
func (c *peerConn) login() bool {
	c.greet(baseCaps, proto.AuthNativePassword)
	if _, err := c.read(); err != nil {
		return false
	}
	c.send(okPacket)
	return true
}

// nextQuery reads the next command.
func (c *peerConn) nextQuery() ([]byte, bool) {
	c.pr.SetSeq(0)
	p, err := c.read()
	return p, err == nil
}

func startHostile(t *testing.T, script func(c *peerConn)) *hostile {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hostile{port: ln.Addr().(*net.TCPAddr).Port}
	var wg sync.WaitGroup
	var conns []net.Conn
	var mu sync.Mutex
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, nc)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer nc.Close()
				script(&peerConn{h: h, nc: nc, pr: proto.NewPacketReader(nc, 0), pw: proto.NewPacketWriter(nc)})
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return h
}

func hostileConfig(h *hostile) actor.Config {
	return actor.Config{Host: "127.0.0.1", Port: h.port, User: "u", Password: "hunter2-secret",
		ConnectTimeout: 2 * time.Second, CancelTimeout: 200 * time.Millisecond}
}

// queryAgainst logs in, then answers the first query with answer.
func queryAgainst(t *testing.T, answer func(c *peerConn), mod func(*actor.Config), kind actor.CursorKind) (*hostile, error) {
	h := startHostile(t, func(c *peerConn) {
		if !c.login() {
			return
		}
		if _, ok := c.nextQuery(); !ok {
			return
		}
		answer(c)
		c.nextQuery() // wait for the client to go away
	})
	cfg := hostileConfig(h)
	if mod != nil {
		mod(&cfg)
	}
	conn, err := actor.Connect(ctxT(t), cfg)
	if err != nil {
		return h, err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cur := conn.Cursor(kind)
	if _, err := cur.Execute(ctx, "SELECT 1"); err != nil {
		return h, err
	}
	for cur.Next(ctx) {
	}
	return h, cur.Err()
}

func column(name string) []byte { return columnDef(name, proto.TypeVarString, 45) }

func TestHostileServers(t *testing.T) {
	tests := []struct {
		name   string
		answer func(c *peerConn)
		mod    func(*actor.Config)
		kind   actor.CursorKind
		want   error
	}{
		{"packet above max_allowed_packet", func(c *peerConn) {
			c.sendRaw([]byte{0xff, 0xff, 0xff, 1}) // announces 16 MiB, sends nothing
		}, func(cfg *actor.Config) { cfg.MaxAllowedPacket = 1 << 20 }, actor.TupleCursor, proto.ErrPacketTooLarge},
		{"a million columns", func(c *peerConn) {
			c.send(proto.AppendLenEncInt(nil, 5_000_000))
		}, nil, actor.TupleCursor, proto.ErrMalformedPacket},
		{"value past the end of the packet", func(c *peerConn) {
			c.send([]byte{1})
			c.send(column("a"))
			c.send([]byte{0xfc, 0xff, 0xff, 'x'})
		}, nil, actor.TupleCursor, proto.ErrMalformedPacket},
		{"wrong sequence id", func(c *peerConn) {
			c.pw.SetSeq(9)
			c.send(okPacket)
		}, nil, actor.TupleCursor, proto.ErrPacketSequence},
		{"endless rows into a buffered cursor", func(c *peerConn) {
			c.send([]byte{1})
			c.send(column("a"))
			row := proto.AppendLenEncString(nil, string(make([]byte, 1000)))
			for i := 0; i < 1_000_000; i++ {
				if c.pw.Write(append(c.pw.Start(), row...)) != nil {
					return
				}
			}
		}, func(cfg *actor.Config) { cfg.MaxBufferedBytes = 1 << 20 }, actor.TupleCursor, actor.ErrResultTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := queryAgainst(t, tt.answer, tt.mod, tt.kind)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if time.Since(start) > 3*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
}

func TestHostileLocalInfileRequestSendsNothing(t *testing.T) {
	h, err := queryAgainst(t, func(c *peerConn) {
		c.send(append([]byte{0xfb}, "/etc/passwd"...))
		if p, err := c.read(); err != nil || len(p) != 0 {
			return // anything but the empty packet is a leak; checked below
		}
		c.send(okPacket)
	}, func(cfg *actor.Config) { cfg.LocalInfile = true }, actor.TupleCursor)
	if !errors.Is(err, actor.ErrLocalInfileDenied) {
		t.Fatalf("error = %v, want ErrLocalInfileDenied", err)
	}
	got := h.received()
	last := got[len(got)-1]
	if len(last) != 0 {
		t.Errorf("client answered the LOCAL INFILE request with %d bytes, want the empty packet", len(last))
	}
}

func TestHostileAuthSwitchToClearPasswordOverTCP(t *testing.T) {
	h := startHostile(t, func(c *peerConn) {
		c.greet(baseCaps, proto.AuthNativePassword)
		if _, err := c.read(); err != nil {
			return
		}
		c.send(append([]byte{0xfe}, "mysql_clear_password\x00"...))
		c.read() // whatever the client sends next, if anything
	})
	_, err := actor.Connect(ctxT(t), hostileConfig(h))
	if !errors.Is(err, actor.ErrAuth) {
		t.Fatalf("Connect = %v, want ErrAuth", err)
	}
	for _, p := range h.received() {
		if containsBytes(p, "hunter2-secret") {
			t.Fatal("the password was sent in clear over TCP")
		}
	}
}

func TestHostileTLSDowngrade(t *testing.T) {
	h := startHostile(t, func(c *peerConn) {
		c.greet(baseCaps, proto.AuthNativePassword) // no CLIENT_SSL
		c.read()
	})
	cfg := hostileConfig(h)
	cfg.SSLMode = actor.SSLRequired
	_, err := actor.Connect(ctxT(t), cfg)
	if !errors.Is(err, actor.ErrTLSRequired) {
		t.Fatalf("Connect = %v, want ErrTLSRequired", err)
	}
	if n := len(h.received()); n != 0 {
		t.Errorf("client sent %d packets to a server that refused TLS", n)
	}
}

func TestHostileEndlessStreamCanBeAbandoned(t *testing.T) {
	h := startHostile(t, func(c *peerConn) {
		if !c.login() {
			return
		}
		if _, ok := c.nextQuery(); !ok {
			return
		}
		c.send([]byte{1})
		c.send(column("a"))
		row := proto.AppendLenEncString(nil, "row")
		for {
			if c.pw.Write(append(c.pw.Start(), row...)) != nil {
				return
			}
		}
	})
	conn, err := actor.Connect(ctxT(t), hostileConfig(h))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cur := conn.Cursor(actor.SSCursor)
	if _, err := cur.Execute(ctxT(t), "SELECT endless"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10000 && cur.Next(ctxT(t)); i++ {
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = cur.Close(ctx)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close of an endless stream took %v", d)
	}
	if err == nil && !conn.Closed() {
		t.Error("an endless stream was 'drained' and the connection kept")
	}
}

func containsBytes(p []byte, s string) bool {
	for i := 0; i+len(s) <= len(p); i++ {
		if string(p[i:i+len(s)]) == s {
			return true
		}
	}
	return false
}

// MySQL 8 sends ER_CLIENT_INTERACTION_TIMEOUT (4031) to an idle session
// before closing it: Alive must notice without a round trip, and a command
// must report the server's error rather than a bare EOF.
func TestIdleTimeoutErrorPacketIsNoticed(t *testing.T) {
	h := startHostile(t, func(c *peerConn) {
		if !c.login() {
			return
		}
		time.Sleep(50 * time.Millisecond)
		c.pw.SetSeq(0)
		c.send(append([]byte{0xff, 0xbf, 0x0f, '#', 'H', 'Y', '0', '0', '0'}, "The client was disconnected by the server because of inactivity."...))
	})
	conn, err := actor.Connect(ctxT(t), hostileConfig(h))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if !conn.Alive() {
		t.Fatal("Alive() false before the server said anything")
	}
	time.Sleep(150 * time.Millisecond)
	if conn.Alive() {
		t.Error("Alive() true after the server sent error 4031 and closed")
	}
	_, err = conn.Cursor().Execute(ctxT(t), "SELECT 1")
	var se *proto.Error
	if !errors.As(err, &se) || se.Code != 4031 {
		t.Errorf("command after the idle timeout = %v, want server error 4031", err)
	}
	if !conn.Closed() {
		t.Error("connection not marked closed after error 4031")
	}
}
