package actor

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"

	"github.com/amysql/amysql/proto"
)

// sslMode returns the effective SSL mode: the configured one, else
// verify-ca when a CA file is given, required when TLS material is given,
// else disabled.
func (c *Config) sslMode() SSLMode {
	switch {
	case c.SSLMode != "":
		return c.SSLMode
	case c.SSLCA != "":
		return SSLVerifyCA
	case c.TLS != nil || c.SSLCert != "":
		return SSLPreferred
	}
	return SSLDisabled
}

// wantTLS decides whether to upgrade, failing closed when TLS is required
// and the server does not offer it.
func (s *session) wantTLS(hs *proto.Handshake) (bool, error) {
	offered := hs.Capabilities&proto.ClientSSL != 0
	switch mode := s.cfg.sslMode(); mode {
	case SSLDisabled:
		return false, nil
	case SSLPreferred:
		return offered && !s.unix, nil
	case SSLRequired, SSLVerifyCA, SSLVerifyIdentity:
		if !offered {
			return false, ErrTLSRequired
		}
		return true, nil
	default:
		return false, errorf("%w: unknown SSLMode %q", ErrTLS, mode)
	}
}

// tlsConfig builds the client TLS configuration for the SSL mode.
func (s *session) tlsConfig() (*tls.Config, error) {
	cfg := s.cfg
	var c *tls.Config
	if cfg.TLS != nil {
		c = cfg.TLS.Clone()
	} else {
		c = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if c.ServerName == "" && s.ep.network != "unix" {
		c.ServerName = s.ep.host
	}
	if cfg.SSLCA != "" {
		pem, err := os.ReadFile(cfg.SSLCA)
		if err != nil {
			return nil, errorf("%w: reading ssl CA: %w", ErrTLS, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errorf("%w: no certificate in ssl CA file %s", ErrTLS, cfg.SSLCA)
		}
		c.RootCAs = pool
	}
	if cfg.SSLCert != "" || cfg.SSLKey != "" {
		cert, err := tls.LoadX509KeyPair(cfg.SSLCert, cfg.SSLKey)
		if err != nil {
			return nil, errorf("%w: client certificate: %w", ErrTLS, err)
		}
		c.Certificates = append(c.Certificates, cert)
	}
	switch cfg.sslMode() {
	case SSLPreferred, SSLRequired:
		if cfg.TLS == nil {
			// Encryption without authentication, as --ssl-mode=REQUIRED.
			c.InsecureSkipVerify = true
		}
	case SSLVerifyCA:
		// Verify the chain but not the host name.
		roots := c.RootCAs
		c.InsecureSkipVerify = true
		c.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			return verifyChain(raw, roots)
		}
	case SSLVerifyIdentity:
		c.InsecureSkipVerify = false
	}
	return c, nil
}

func verifyChain(raw [][]byte, roots *x509.CertPool) error {
	if len(raw) == 0 {
		return errors.New("server sent no certificate")
	}
	certs := make([]*x509.Certificate, len(raw))
	for i, r := range raw {
		c, err := x509.ParseCertificate(r)
		if err != nil {
			return err
		}
		certs[i] = c
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
	return err
}
