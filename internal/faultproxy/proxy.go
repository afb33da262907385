// Package faultproxy is a TCP proxy for tests, and for poolbench's -rtt,
// that sits between a client and a real server on loopback and injects
// faults: latency, stalls (a
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
	// Latency delays every chunk forwarded in either direction by this
	// much, as a network would: chunks in flight are not delayed one
	// after another, so a round trip costs twice Latency whatever the
	// number of packets in it.
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
	trips   atomic.Int64 // client chunks that followed a server chunk
	Addr    string
	network string
	target  string
	ln      net.Listener
	fault   atomic.Pointer[Fault]
	mu      sync.Mutex
	conns   map[*pair]struct{}
	wg      sync.WaitGroup
	closed  atomic.Bool
}

type pair struct {
	client, server net.Conn
	hit            bool // the fault applies to this connection
	down           atomic.Int64
	answered       atomic.Bool // the last chunk went from the server to the client
}

// Start runs a proxy to target on a loopback port until the test ends.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	p, err := Listen("tcp", target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// Listen runs a proxy on a loopback port to target on network ("tcp" or
// "unix") until Close.
func Listen(network, target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{Addr: ln.Addr().String(), network: network, target: target, ln: ln, conns: map[*pair]struct{}{}}
	p.fault.Store(&Fault{})
	p.wg.Add(1)
	go p.accept()
	return p, nil
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

// RoundTrips counts, over every connection, the chunks a client sent
// after the server had answered: with a client that waits for each answer
// before it sends again, the round trips it made.
func (p *Proxy) RoundTrips() int64 { return p.trips.Load() }

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
		s, err := net.DialTimeout(p.network, p.target, 2*time.Second)
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
	out := newDelayLine(dst)
	defer out.close()
	for {
		buf := make([]byte, 32<<10)
		n, err := src.Read(buf)
		if n > 0 {
			if down {
				pr.answered.Store(true)
			} else if pr.answered.Swap(false) {
				p.trips.Add(1)
			}
			f := p.fault.Load()
			active := pr.hit || f.Probability == 0
			chunk := buf[:n]
			if active && f.Stall {
				continue // swallowed
			}
			var delay time.Duration
			if active {
				delay = f.Latency
			}
			if down && active {
				start := pr.down.Load()
				if f.CorruptAt > 0 && f.CorruptAt > start && f.CorruptAt <= start+int64(n) {
					chunk[f.CorruptAt-start-1] ^= 0xff
				}
				if f.CloseAfter > 0 && start+int64(n) > f.CloseAfter {
					if keep := f.CloseAfter - start; keep > 0 {
						out.send(chunk[:keep], delay)
					}
					out.flush()
					return
				}
			}
			if down {
				pr.down.Add(int64(n))
			}
			if !out.send(chunk, delay) {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				return
			}
			out.flush()
			if tc, ok := dst.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
			return
		}
	}
}

// delayLine forwards chunks to dst in order, each no earlier than its
// due time, without holding up the chunks behind it.
type delayLine struct {
	dst    net.Conn
	chunks chan delayed
	failed atomic.Bool
	done   chan struct{}
}

type delayed struct {
	b   []byte
	due time.Time
}

func newDelayLine(dst net.Conn) *delayLine {
	d := &delayLine{dst: dst, chunks: make(chan delayed, 1024), done: make(chan struct{})}
	go d.run()
	return d
}

func (d *delayLine) run() {
	defer close(d.done)
	for c := range d.chunks {
		if wait := time.Until(c.due); wait > 0 {
			sleep(wait)
		}
		if _, err := d.dst.Write(c.b); err != nil {
			d.failed.Store(true)
			for range d.chunks { // drain
			}
			return
		}
	}
}

// send queues b to be written after delay; false when dst failed.
func (d *delayLine) send(b []byte, delay time.Duration) bool {
	if d.failed.Load() {
		return false
	}
	d.chunks <- delayed{b: b, due: time.Now().Add(delay)}
	return true
}

// flush waits until every queued chunk is written.
func (d *delayLine) flush() {
	close(d.chunks)
	<-d.done
	d.chunks = nil
}

func (d *delayLine) close() {
	if d.chunks != nil {
		close(d.chunks)
		<-d.done
	}
}
