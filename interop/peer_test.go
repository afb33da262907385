package interop

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/server"
)

// A peer is a go-mysql server on loopback. Every connection it accepts is
// recorded as an exchange: the authentication packets seen on the wire
// (while the transport is plain TCP) and the Authenticate calls its
// provider received (which also covers TLS connections, after decryption).
type peer struct {
	port   int
	srv    *server.Server
	pubPEM []byte         // the server's RSA public key, PEM (PKIX)
	roots  *x509.CertPool // trusts the server's self-signed certificate

	mu     sync.Mutex
	exch   []*exchange          // connections since the last take
	remote map[string]*exchange // every connection, by client address
}

type user struct{ name, password, plugin string }

// authCall is one call of the server's AuthenticationProvider: the plugin
// and the client data it was asked to check.
type authCall struct {
	plugin string
	data   []byte
}

// exchange records one connection.
type exchange struct {
	mu      sync.Mutex
	tls     bool     // the client sent an SSLRequest
	trace   []string // auth-phase packets after the greeting, "C:"/"S:" prefixed
	done    bool     // the server's OK or ERR ending authentication was seen
	clientB []byte   // raw client->server bytes before any TLS upgrade
	calls   []authCall
	in, out []byte        // unparsed client->server and server->client bytes
	ended   chan struct{} // closed when the server is done with the connection
}

// recorder wraps go-mysql's DefaultAuthenticationProvider. go-mysql calls
// the provider again for each auth round it routes through it (auth switch
// responses, the caching_sha2 full-auth response, the sha256 response after
// a key request), so the calls show the rounds even inside TLS.
type recorder struct {
	server.DefaultAuthenticationProvider
	p *peer
}

func (r *recorder) Authenticate(c *server.Conn, plugin string, data []byte) error {
	if x := r.p.byRemote(c.RemoteAddr().String()); x != nil {
		x.mu.Lock()
		x.calls = append(x.calls, authCall{plugin, bytes.Clone(data)})
		x.mu.Unlock()
	}
	return r.DefaultAuthenticationProvider.Authenticate(c, plugin, data)
}

// tap is the server's net.Conn, recording the exchange. Server writes are
// recorded before they reach the socket and client bytes as soon as the
// server reads them, so by the time the client sees the server's final auth
// packet the exchange holds everything before it.
type tap struct {
	net.Conn
	x *exchange
}

func (t *tap) Read(b []byte) (int, error) {
	n, err := t.Conn.Read(b)
	if n > 0 {
		t.x.feed(true, b[:n])
	}
	if err != nil {
		t.x.closed()
	}
	return n, err
}

func (t *tap) Write(b []byte) (int, error) {
	t.x.feed(false, b)
	return t.Conn.Write(b)
}

// feed splits a direction's bytes into packets and traces the auth phase.
func (x *exchange) feed(client bool, b []byte) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.tls {
		return // ciphertext from here on
	}
	buf := &x.out
	if client {
		buf = &x.in
		x.clientB = append(x.clientB, b...)
	}
	*buf = append(*buf, b...)
	for len(*buf) >= 4 {
		n := int((*buf)[0]) | int((*buf)[1])<<8 | int((*buf)[2])<<16
		if len(*buf) < 4+n {
			return
		}
		seq, payload := (*buf)[3], bytes.Clone((*buf)[4:4+n])
		*buf = (*buf)[4+n:]
		x.packet(client, seq, payload)
		if x.tls {
			return
		}
	}
}

// closed notes that the client hung up during authentication.
func (x *exchange) closed() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.tls && !x.done {
		x.trace = append(x.trace, "C:close")
		x.done = true
	}
}

func (x *exchange) packet(client bool, seq byte, p []byte) {
	switch {
	case x.done:
		return
	case !client && seq == 0:
		return // the greeting
	case client && seq == 1 && len(p) == 32:
		x.tls = true
		x.trace = append(x.trace, "C:ssl-request")
	case client && seq == 1:
		x.trace = append(x.trace, "C:"+handshakeResponse(p))
	case client:
		x.trace = append(x.trace, "C:"+authData(p))
	default:
		s := serverPacket(p)
		x.trace = append(x.trace, "S:"+s)
		x.done = s == "ok" || strings.HasPrefix(s, "err")
	}
}

// serverPacket names a server packet of the auth phase.
func serverPacket(p []byte) string {
	switch {
	case len(p) == 0:
		return "empty"
	case p[0] == 0x00:
		return "ok"
	case p[0] == 0xff && len(p) >= 3:
		return fmt.Sprintf("err %d", binary.LittleEndian.Uint16(p[1:3]))
	case p[0] == 0xfe:
		name, _, _ := bytes.Cut(p[1:], []byte{0})
		return "switch " + string(name)
	case len(p) == 2 && p[0] == 0x01 && p[1] == 0x03:
		return "fast-auth-ok"
	case len(p) == 2 && p[0] == 0x01 && p[1] == 0x04:
		return "full-auth"
	case p[0] == 0x01 && bytes.HasPrefix(p[1:], []byte("-----BEGIN")):
		return "public-key"
	}
	return fmt.Sprintf("0x%02x+%d", p[0], len(p)-1)
}

// authData names a client authentication response by shape.
func authData(p []byte) string {
	switch {
	case len(p) == 0:
		return "empty"
	case len(p) == 1 && p[0] == 0:
		return "nul"
	case len(p) == 1 && p[0] == 1:
		return "key-request(1)"
	case len(p) == 1 && p[0] == 2:
		return "key-request(2)"
	case len(p) == 20:
		return "sha1-scramble"
	case len(p) == 32:
		return "sha256-scramble"
	case len(p) == 256:
		return "rsa-oaep(2048)"
	}
	return fmt.Sprintf("%d bytes", len(p))
}

// handshakeResponse names the plugin and auth data of a HandshakeResponse41.
func handshakeResponse(p []byte) string {
	if len(p) < 32 {
		return "short-response"
	}
	caps := binary.LittleEndian.Uint32(p)
	rest := p[32:]
	_, rest, _ = bytes.Cut(rest, []byte{0}) // user
	var data []byte
	switch {
	case caps&mysql.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA != 0:
		n, _, k := mysql.LengthEncodedInt(rest)
		if k == 0 || len(rest) < k+int(n) {
			return "bad-response"
		}
		data, rest = rest[k:k+int(n)], rest[k+int(n):]
	case len(rest) > 0:
		n := int(rest[0])
		if len(rest) < 1+n {
			return "bad-response"
		}
		data, rest = rest[1:1+n], rest[1+n:]
	}
	if caps&mysql.CLIENT_CONNECT_WITH_DB != 0 {
		_, rest, _ = bytes.Cut(rest, []byte{0})
	}
	plugin := ""
	if caps&mysql.CLIENT_PLUGIN_AUTH != 0 {
		b, _, _ := bytes.Cut(rest, []byte{0})
		plugin = string(b)
	}
	return fmt.Sprintf("response %s %s", plugin, authData(data))
}

// snapshot returns the exchange's trace, calls, TLS flag and client bytes.
func (x *exchange) snapshot() (trace []string, calls []authCall, isTLS bool, clientBytes []byte) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]string(nil), x.trace...), append([]authCall(nil), x.calls...), x.tls, bytes.Clone(x.clientB)
}

// queryHandler answers SELECT CURRENT_USER() with the authenticated user.
type queryHandler struct {
	server.EmptyHandler
	conn *server.Conn
}

func (h *queryHandler) HandleQuery(q string) (*mysql.Result, error) {
	if strings.EqualFold(q, "SELECT CURRENT_USER()") {
		rs, err := mysql.BuildSimpleTextResultset([]string{"CURRENT_USER()"}, [][]any{{h.conn.GetUser()}})
		if err != nil {
			return nil, err
		}
		return mysql.NewResult(rs), nil
	}
	return h.EmptyHandler.HandleQuery(q)
}

// startPeer starts a go-mysql server with the given default plugin and
// users; it is shut down (listener, connections, goroutines) at cleanup.
func startPeer(t *testing.T, defaultPlugin string, users ...user) *peer {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	serverTLS, roots := selfSigned(t)
	p := &peer{pubPEM: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), roots: roots, remote: map[string]*exchange{}}
	p.srv = server.NewServerWithAuth("8.0.36-go-mysql-peer", mysql.DEFAULT_COLLATION_ID, defaultPlugin, rsaKey, serverTLS, &recorder{p: p})
	auth := server.NewInMemoryAuthenticationHandler(defaultPlugin)
	for _, u := range users {
		if err := auth.AddUser(u.name, u.password, u.plugin); err != nil {
			t.Fatal(err)
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.port = ln.Addr().(*net.TCPAddr).Port
	var (
		wg    sync.WaitGroup
		cmu   sync.Mutex
		conns []net.Conn
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			x := &exchange{ended: make(chan struct{})}
			tc := &tap{Conn: nc, x: x}
			p.mu.Lock()
			p.exch = append(p.exch, x)
			p.remote[nc.RemoteAddr().String()] = x
			p.mu.Unlock()
			cmu.Lock()
			conns = append(conns, nc)
			cmu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer close(x.ended)
				defer nc.Close()
				h := &queryHandler{}
				c, err := p.srv.NewCustomizedConn(tc, auth, h)
				if err != nil {
					return // authentication failed; go-mysql already sent the ERR
				}
				h.conn = c
				for !c.Closed() {
					if err := c.HandleCommand(); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		cmu.Lock()
		for _, c := range conns {
			c.Close()
		}
		cmu.Unlock()
		wg.Wait()
	})
	return p
}

// byRemote finds the exchange of the connection from addr.
func (p *peer) byRemote(addr string) *exchange {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.remote[addr]
}

// take returns the one exchange recorded since the last take, once the
// server has finished with its connection.
func (p *peer) take(t *testing.T) *exchange {
	t.Helper()
	p.mu.Lock()
	x := p.exch
	p.exch = nil
	p.mu.Unlock()
	if len(x) != 1 {
		t.Fatalf("peer saw %d connections, want 1", len(x))
	}
	select {
	case <-x[0].ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not finish with the connection")
	}
	return x[0]
}

// invalidate empties go-mysql's caching_sha2 cache for user (keyed by
// user@server-local-address), so the next login needs full authentication.
func (p *peer) invalidate(user string) {
	p.srv.InvalidateCache(user, fmt.Sprintf("127.0.0.1:%d", p.port))
}

// selfSigned returns a server TLS configuration with a fresh self-signed
// certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "go-mysql peer"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, roots
}
