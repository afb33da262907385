package interop

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/server"
)

// authCall is one Authenticate call the peer saw: the plugin and the data
// the client sent for it.
type authCall struct {
	plugin string
	data   []byte
}

// recordingProvider wraps go-mysql's provider to record each round.
type recordingProvider struct {
	server.DefaultAuthenticationProvider
	mu    sync.Mutex
	calls []authCall
}

func (r *recordingProvider) Authenticate(c *server.Conn, plugin string, data []byte) error {
	r.mu.Lock()
	r.calls = append(r.calls, authCall{plugin, append([]byte(nil), data...)})
	r.mu.Unlock()
	return r.DefaultAuthenticationProvider.Authenticate(c, plugin, data)
}

// take returns and forgets the recorded rounds.
func (r *recordingProvider) take() []authCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

// peer is a go-mysql server on loopback.
type peer struct {
	port   int
	rec    *recordingProvider
	pubPEM []byte
	srv    *server.Server
}

type user struct{ name, password, plugin string }

func startPeer(t *testing.T, defaultPlugin string, users ...user) *peer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	p := &peer{rec: &recordingProvider{}, pubPEM: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})}
	p.srv = server.NewServerWithAuth("8.0.36-peer", 45, defaultPlugin, key, selfSigned(t, key), p.rec)
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
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
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
				c, err := p.srv.NewCustomizedConn(nc, auth, server.EmptyHandler{})
				if err != nil {
					return
				}
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
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return p
}

// invalidate empties the peer's caching_sha2 cache for user, forcing full
// authentication (go-mysql keys it by the server's local address).
func (p *peer) invalidate(user string) {
	p.srv.InvalidateCache(user, fmt.Sprintf("127.0.0.1:%d", p.port))
}

// selfSigned returns a server TLS configuration with a certificate for key.
func selfSigned(t *testing.T, key *rsa.PrivateKey) *tls.Config {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}
