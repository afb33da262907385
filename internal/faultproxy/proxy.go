// Package faultproxy is a TCP proxy for tests that sits between a client
// and a real server on loopback and injects faults: latency, stalls (a
// half-open peer that takes bytes and answers nothing), resets, closing
// after N bytes, corrupting a byte, and refusing connections. Faults apply
// to every connection or, with Probability, to a random share of them.
package faultproxy

import (
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault describes what the proxy does to connections.
type Fault struct {
	// Latency delays every chunk forwarded in either direction.
	Latency time.Duration
	// Stall swallows everything in both directions: the peer looks alive
	// but never answers.
	Stall bool
	// CloseAfter closes a connection once this many bytes went from the
	// server to the client (mid-packet, mid-result); 0 = never.
	CloseAfter int64
	// CorruptAt flips the bits of the server-to-client byte at this
	// offset of each connection; 0 = never.
	CorruptAt int64
	// Refuse closes new connections at once.
	Refuse bool
	// Probability applies the fault to that share of connections, chosen
	// when each connection starts; 0 means all of them.
	Probability float64
}

// Proxy forwards connections from Addr to a target.
type Proxy struct {
	Addr   string
	target string
	ln     net.Listener
	fault  atomic.Pointer[Fault]
	mu     sync.Mutex
	conns  map[*pair]struct{}
	wg     sync.WaitGroup
	closed atomic.Bool
}

type pair struct {
	client, server net.Conn
	hit            bool // the fault applies to this connection
	down           atomic.Int64
}

// Start runs a proxy to target on a loopback port until the test ends.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Addr: ln.Addr().String(), target: target, ln: ln, conns: map[*pair]struct{}{}}
	p.fault.Store(&Fault{})
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Port returns the proxy's port.
func (p *Proxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// Set changes the fault for new connections and for the data still to
// flow on existing ones.
func (p *Proxy) Set(f Fault) { p.fault.Store(&f) }

// Clear removes every fault.
func (p *Proxy) Clear() { p.Set(Fault{}) }

// ResetAll aborts every open connection with a TCP reset.
func (p *Proxy) ResetAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		if tc, ok := c.client.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.client.Close()
		c.server.Close()
	}
}

// Conns returns the number of open proxied connections.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() {
	if p.closed.Swap(true) {
		return
	}
	p.ln.Close()
	p.ResetAll()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		f := p.fault.Load()
		hit := f.Probability == 0 || rand.Float64() < f.Probability
		if f.Refuse && hit {
			c.Close()
			continue
		}
		s, err := net.DialTimeout("tcp", p.target, 2*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		pr := &pair{client: c, server: s, hit: hit}
		p.mu.Lock()
		p.conns[pr] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pump(pr, c, s, false)
		go p.pump(pr, s, c, true)
	}
}

// pump copies src to dst, applying the current fault.
func (p *Proxy) pump(pr *pair, src, dst net.Conn, down bool) {
	defer p.wg.Done()
	defer func() {
		pr.client.Close()
		pr.server.Close()
		p.mu.Lock()
		delete(p.conns, pr)
		p.mu.Unlock()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			f := p.fault.Load()
			active := pr.hit || f.Probability == 0
			chunk := buf[:n]
			if active && f.Stall {
				continue // swallowed
			}
			if active && f.Latency > 0 {
				time.Sleep(f.Latency)
			}
			if down && active {
				start := pr.down.Load()
				if f.CorruptAt > 0 && f.CorruptAt > start && f.CorruptAt <= start+int64(n) {
					chunk[f.CorruptAt-start-1] ^= 0xff
				}
				if f.CloseAfter > 0 && start+int64(n) > f.CloseAfter {
					if keep := f.CloseAfter - start; keep > 0 {
						dst.Write(chunk[:keep])
					}
					return
				}
			}
			if down {
				pr.down.Add(int64(n))
			}
			if _, werr := dst.Write(chunk); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				return
			}
			if tc, ok := dst.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
			return
		}
	}
}
