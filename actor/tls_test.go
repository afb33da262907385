package actor_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/proto"
)

// pki is a test certificate authority with a server and a client
// certificate, written as PEM files.
type pki struct {
	dir                            string
	ca, serverCert, serverKey      string
	clientCert, clientKey, otherCA string
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func newCA(t *testing.T, name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key, der
}

func issue(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, serial int64, cn string, server bool) ([]byte, []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	return der, kder
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	p := pki{dir: dir}
	ca, caKey, caDER := newCA(t, "amysql test CA")
	_, _, otherDER := newCA(t, "some other CA")
	p.ca, p.otherCA = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "other-ca.pem")
	writePEM(t, p.ca, "CERTIFICATE", caDER)
	writePEM(t, p.otherCA, "CERTIFICATE", otherDER)
	sc, sk := issue(t, ca, caKey, 2, "localhost", true)
	p.serverCert, p.serverKey = filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem")
	writePEM(t, p.serverCert, "CERTIFICATE", sc)
	writePEM(t, p.serverKey, "EC PRIVATE KEY", sk)
	cc, ck := issue(t, ca, caKey, 3, "amysql client", false)
	p.clientCert, p.clientKey = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem")
	writePEM(t, p.clientCert, "CERTIFICATE", cc)
	writePEM(t, p.clientKey, "EC PRIVATE KEY", ck)
	return p
}

func TestSSLModesAgainstTLSAndPlainServers(t *testing.T) {
	p := newPKI(t)
	tlsSrv := testserver.Start(t, testserver.Options{
		Args: []string{"--ssl-ca=" + p.ca, "--ssl-cert=" + p.serverCert, "--ssl-key=" + p.serverKey},
		InitSQL: []string{
			"CREATE USER 'x509'@'%' IDENTIFIED BY 'pw' REQUIRE X509",
			"GRANT ALL ON test.* TO 'x509'@'%'",
		},
	})
	tlsBase := targetConfig(t, tlsSrv.Target())
	plainBase := testConfig(t) // the shared server has TLS disabled
	tests := []struct {
		name    string
		plain   bool // against the server without TLS
		mod     func(*actor.Config)
		wantTLS bool
		wantErr error
	}{
		{"disabled", false, func(c *actor.Config) { c.SSLMode = actor.SSLDisabled }, false, nil},
		{"preferred", false, func(c *actor.Config) { c.SSLMode = actor.SSLPreferred }, true, nil},
		{"required", false, func(c *actor.Config) { c.SSLMode = actor.SSLRequired }, true, nil},
		{"verify-ca", false, func(c *actor.Config) { c.SSLMode, c.SSLCA = actor.SSLVerifyCA, p.ca }, true, nil},
		{"verify-ca with a wrong CA", false, func(c *actor.Config) { c.SSLMode, c.SSLCA = actor.SSLVerifyCA, p.otherCA }, false, actor.ErrTLS},
		{"verify-identity", false, func(c *actor.Config) { c.SSLMode, c.SSLCA = actor.SSLVerifyIdentity, p.ca }, true, nil},
		{"verify-identity with a wrong host name", false, func(c *actor.Config) {
			c.SSLMode, c.SSLCA, c.TLS = actor.SSLVerifyIdentity, p.ca, &tls.Config{ServerName: "db.elsewhere.example"}
		}, false, actor.ErrTLS},
		{"plain server, disabled", true, func(c *actor.Config) { c.SSLMode = actor.SSLDisabled }, false, nil},
		{"plain server, preferred", true, func(c *actor.Config) { c.SSLMode = actor.SSLPreferred }, false, nil},
		{"plain server, required", true, func(c *actor.Config) { c.SSLMode = actor.SSLRequired }, false, actor.ErrTLSRequired},
		{"plain server, verify-ca", true, func(c *actor.Config) { c.SSLMode, c.SSLCA = actor.SSLVerifyCA, p.ca }, false, actor.ErrTLSRequired},
		{"plain server, verify-identity", true, func(c *actor.Config) { c.SSLMode = actor.SSLVerifyIdentity }, false, actor.ErrTLSRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tlsBase
			if tt.plain {
				cfg = plainBase
				cfg.UnixSocket = "" // preferred mode never upgrades a unix socket
			}
			tt.mod(&cfg)
			c, err := actor.Connect(ctxT(t), cfg)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Connect = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Connect: %v", err)
			}
			defer c.Close()
			if c.TLS() != tt.wantTLS {
				t.Errorf("TLS() = %v, want %v", c.TLS(), tt.wantTLS)
			}
			state, ok := c.TLSConnectionState()
			if ok != tt.wantTLS || (ok && state.Version < tls.VersionTLS12) {
				t.Errorf("TLSConnectionState ok=%v version=%x", ok, state.Version)
			}
			cipher := queryRow(t, c, "SHOW SESSION STATUS LIKE 'Ssl_cipher'")[1]
			if (cipher != "") != tt.wantTLS {
				t.Errorf("server's Ssl_cipher = %q, want TLS %v", cipher, tt.wantTLS)
			}
		})
	}
	t.Run("client certificate for a REQUIRE X509 user", func(t *testing.T) {
		cfg := tlsBase
		cfg.User, cfg.Password, cfg.SSLMode, cfg.SSLCA = "x509", "pw", actor.SSLVerifyCA, p.ca
		_, err := actor.Connect(ctxT(t), cfg)
		var se *proto.Error
		if !errors.As(err, &se) || se.Code != 1045 {
			t.Errorf("without a client certificate: %v, want error 1045", err)
		}
		cfg.SSLCert, cfg.SSLKey = p.clientCert, p.clientKey
		c, err := actor.Connect(ctxT(t), cfg)
		if err != nil {
			t.Fatalf("with a client certificate: %v", err)
		}
		c.Close()
	})
	t.Run("ssl files from the DSN", func(t *testing.T) {
		cfg, err := actor.ParseDSN(tlsSrv.Target().DSN + "?ssl_mode=verify-identity&ssl_ca=" + p.ca)
		if err != nil {
			t.Fatal(err)
		}
		c, err := actor.Connect(ctxT(t), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if !c.TLS() {
			t.Error("DSN ssl_mode did not give TLS")
		}
	})
}
