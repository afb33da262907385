package actor

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// The raw socket must behave exactly like the net.Conn it replaces: the
// same bytes, the same end of stream, the same errors for deadlines, a
// closed socket and a reset peer. Each case runs on both.
func TestRawSocketBehavesLikeNetConn(t *testing.T) {
	wrap := map[string]func(net.Conn) net.Conn{
		"net.Conn":           func(c net.Conn) net.Conn { return c },
		"rawSocket":          func(c net.Conn) net.Conn { return newRawSocket(c, 0, nil) },
		"rawSocket spinning": func(c net.Conn) net.Conn { return newRawSocket(c, MaxSpinWait, nil) },
	}
	for name, w := range wrap {
		t.Run(name, func(t *testing.T) {
			t.Run("small and large transfers both ways", func(t *testing.T) {
				c, peer := tcpPair(t)
				rc := w(c)
				for _, size := range []int{1, 26, rawIOMax, rawIOMax + 1, 3 << 20} {
					out := bytes.Repeat([]byte{byte(size)}, size)
					errc := make(chan error, 1)
					go func() { _, err := rc.Write(out); errc <- err }()
					in := make([]byte, size)
					if _, err := io.ReadFull(peer, in); err != nil {
						t.Fatalf("%d bytes: peer read: %v", size, err)
					}
					if err := <-errc; err != nil || !bytes.Equal(in, out) {
						t.Fatalf("%d bytes written: err %v, equal %v", size, err, bytes.Equal(in, out))
					}
					go func() { _, err := peer.Write(out); errc <- err }()
					if _, err := io.ReadFull(rc, in); err != nil || !bytes.Equal(in, out) {
						t.Fatalf("%d bytes read: err %v, equal %v", size, err, bytes.Equal(in, out))
					}
					if err := <-errc; err != nil {
						t.Fatal(err)
					}
				}
			})
			t.Run("end of stream", func(t *testing.T) {
				c, peer := tcpPair(t)
				rc := w(c)
				peer.Write([]byte("last"))
				peer.Close()
				got, err := io.ReadAll(rc)
				if err != nil || string(got) != "last" {
					t.Fatalf("ReadAll = %q, %v", got, err)
				}
				if n, err := rc.Read(make([]byte, 8)); n != 0 || err != io.EOF {
					t.Fatalf("Read after EOF = %d, %v; want 0, io.EOF", n, err)
				}
			})
			t.Run("deadline", func(t *testing.T) {
				c, _ := tcpPair(t)
				rc := w(c)
				c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
				start := time.Now()
				_, err := rc.Read(make([]byte, 8))
				var ne net.Error
				if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
					t.Fatalf("Read past the deadline = %v; want a timeout", err)
				}
				if d := time.Since(start); d < 15*time.Millisecond || d > 2*time.Second {
					t.Errorf("Read returned after %v, want about 20ms", d)
				}
				if got := err.Error(); len(got) < 9 || got[:9] != "read tcp " {
					t.Errorf("error text %q does not read like net.Conn's", got)
				}
				c.SetReadDeadline(time.Unix(1, 0))
				if _, err := rc.Read(make([]byte, 8)); !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("Read with a past deadline = %v", err)
				}
			})
			t.Run("interrupted while waiting", func(t *testing.T) {
				c, _ := tcpPair(t)
				rc := w(c)
				go func() {
					time.Sleep(20 * time.Millisecond)
					c.SetDeadline(time.Unix(1, 0)) // what a cancelled direct command does
				}()
				if _, err := rc.Read(make([]byte, 8)); !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("blocked Read after the deadline moved to the past = %v", err)
				}
			})
			t.Run("closed socket", func(t *testing.T) {
				c, _ := tcpPair(t)
				rc := w(c)
				c.Close()
				if _, err := rc.Read(make([]byte, 8)); !errors.Is(err, net.ErrClosed) {
					t.Fatalf("Read on a closed socket = %v", err)
				}
				if _, err := rc.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
					t.Fatalf("Write on a closed socket = %v", err)
				}
			})
			t.Run("reset by the peer", func(t *testing.T) {
				c, peer := tcpPair(t)
				rc := w(c)
				peer.(*net.TCPConn).SetLinger(0) // close with RST
				peer.Close()
				time.Sleep(20 * time.Millisecond)
				_, err := rc.Read(make([]byte, 8))
				if !errors.Is(err, syscall.ECONNRESET) {
					t.Fatalf("Read from a reset connection = %v", err)
				}
				var oe *net.OpError
				if !errors.As(err, &oe) || oe.Op != "read" {
					t.Errorf("error %v is not a read *net.OpError", err)
				}
			})
		})
	}
}

// Only plain TCP and Unix sockets are wrapped; anything else (a TLS
// connection, a test double) keeps its own I/O.
func TestRawSocketWrapsOnlyPlainSockets(t *testing.T) {
	c, _ := tcpPair(t)
	if _, ok := newRawSocket(c, 0, nil).(*rawSocket); !ok {
		t.Error("TCP connection not wrapped")
	}
	path := filepath.Join(t.TempDir(), "s")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if s, err := ln.Accept(); err == nil {
			s.Close()
		}
	}()
	u, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if _, ok := newRawSocket(u, 0, nil).(*rawSocket); !ok {
		t.Error("Unix socket not wrapped")
	}
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if got := newRawSocket(a, MaxSpinWait, nil); got != a {
		t.Errorf("a net.Pipe end was wrapped: %T", got)
	}
}

// A read that finds no data spins for the budget before it sleeps: an
// answer within the budget is caught by the spin, one after it by the
// netpoller, and a spin that timed out makes the next wait sleep at once.
func TestRawSocketSpinsBeforeSleeping(t *testing.T) {
	c, peer := tcpPair(t)
	rs := newRawSocket(c, MaxSpinWait, nil).(*rawSocket)
	readAfter := func(delay time.Duration) {
		t.Helper()
		go func() { time.Sleep(delay); peer.Write([]byte("x")) }()
		buf := make([]byte, 1)
		if n, err := rs.Read(buf); n != 1 || err != nil {
			t.Fatalf("Read = %d, %v", n, err)
		}
	}

	readAfter(50 * time.Millisecond) // far beyond the budget: the spin times out
	if rs.spin.skip != 1 || rs.spin.backoff != 1 {
		t.Fatalf("after a timed-out spin: skip %d, backoff %d; want 1, 1", rs.spin.skip, rs.spin.backoff)
	}
	readAfter(5 * time.Millisecond) // sleeps without spinning
	if rs.spin.skip != 0 || rs.spin.backoff != 1 || rs.spinUntil != -1 {
		t.Fatalf("after a skipped spin: skip %d, backoff %d, spinUntil %d", rs.spin.skip, rs.spin.backoff, rs.spinUntil)
	}
	// Answers written at once arrive well within the budget. On a very
	// busy machine some may not: those only grow the backoff, so keep
	// going until a few spins have paid off.
	caught := 0
	for i := 0; i < 500 && caught < 3; i++ {
		before := rs.spin.backoff
		go peer.Write([]byte("x"))
		if n, err := rs.Read(make([]byte, 1)); n != 1 || err != nil {
			t.Fatalf("Read = %d, %v", n, err)
		}
		if rs.spinUntil > 0 { // the spin caught the answer
			caught++
			if rs.spin.backoff != before/2 {
				t.Fatalf("after a spin that paid off: backoff %d, want %d", rs.spin.backoff, before/2)
			}
		}
	}
	if caught == 0 {
		t.Error("no spin caught an answer written at once")
	}

	if newRawSocket(c, 0, nil).(*rawSocket).spin != nil {
		t.Error("SpinWait 0 made a spinner")
	}
	if got := newRawSocket(c, time.Second, nil).(*rawSocket).spin.budget; got != int64(MaxSpinWait) {
		t.Errorf("a 1s SpinWait spins for %v, want it capped at %v", time.Duration(got), MaxSpinWait)
	}
}

// Reads of one SpinGroup spin only while no other read of the group
// waits: a second waiting connection sleeps at once, and leaves its
// spinner untouched.
func TestRawSocketSpinsOnlyWhileAloneInItsGroup(t *testing.T) {
	group := new(SpinGroup)
	ca, peerA := tcpPair(t)
	cb, peerB := tcpPair(t)
	a := newRawSocket(ca, MaxSpinWait, group).(*rawSocket)
	b := newRawSocket(cb, MaxSpinWait, group).(*rawSocket)

	aDone := make(chan error, 1)
	go func() { _, err := a.Read(make([]byte, 1)); aDone <- err }()
	for group.waiting.Load() != 1 { // a waits (spinning, then asleep)
		time.Sleep(time.Millisecond)
	}
	go func() { time.Sleep(200 * time.Microsecond); peerB.Write([]byte("b")) }()
	if n, err := b.Read(make([]byte, 1)); n != 1 || err != nil {
		t.Fatalf("b.Read = %d, %v", n, err)
	}
	if b.spinUntil != -1 || b.spin.skip != 0 || b.spin.backoff != 0 {
		t.Errorf("b spun beside a waiting a: spinUntil %d, skip %d, backoff %d", b.spinUntil, b.spin.skip, b.spin.backoff)
	}
	peerA.Write([]byte("a"))
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	if got := group.waiting.Load(); got != 0 {
		t.Errorf("%d reads still counted as waiting after both returned", got)
	}
}

func TestRawSocketTryReadNeverWaits(t *testing.T) {
	c, peer := tcpPair(t)
	raw := newRawSocket(c, 0, nil).(*rawSocket)
	buf := make([]byte, 64)
	start := time.Now()
	if n, err := raw.TryRead(buf); n != 0 || err != nil {
		t.Fatalf("TryRead with nothing sent = %d, %v", n, err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("TryRead waited %v", d)
	}
	peer.Write([]byte("ready"))
	deadline := time.Now().Add(time.Second)
	n, err := raw.TryRead(buf)
	for n == 0 && err == nil && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
		n, err = raw.TryRead(buf)
	}
	if string(buf[:n]) != "ready" || err != nil {
		t.Fatalf("TryRead after the peer wrote = %q, %v", buf[:n], err)
	}
	peer.Close()
	for deadline := time.Now().Add(time.Second); err == nil && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		_, err = raw.TryRead(buf)
	}
	if err != io.EOF {
		t.Errorf("TryRead after the peer closed = %v, want io.EOF", err)
	}
}
