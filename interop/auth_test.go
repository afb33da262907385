package interop

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
)

func connect(p *peer, mod func(*actor.Config)) (*actor.Conn, error) {
	cfg := actor.Config{Host: "127.0.0.1", Port: p.port, SSLMode: actor.SSLDisabled}
	mod(&cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := actor.Connect(ctx, cfg)
	if err == nil {
		err = c.Ping(ctx)
	}
	return c, err
}

func lens(calls []authCall) []int {
	out := make([]int, len(calls))
	for i, c := range calls {
		out[i] = len(c.data)
	}
	return out
}

func TestCachingSHA2Paths(t *testing.T) {
	const pw = "sha2 p@ss"
	p := startPeer(t, proto.AuthCachingSHA2, user{"sha2", pw, proto.AuthCachingSHA2}, user{"empty", "", proto.AuthCachingSHA2})
	as := func(mod func(*actor.Config)) func(*actor.Config) {
		return func(c *actor.Config) { c.User, c.Password = "sha2", pw; mod(c) }
	}

	// 1. First connection over plain TCP: full authentication, with the
	// RSA key requested from the server.
	c, err := connect(p, as(func(c *actor.Config) { c.AllowPublicKeyRetrieval = true }))
	if err != nil {
		t.Fatalf("full auth with key retrieval: %v", err)
	}
	c.Close()
	calls := p.rec.take()
	if len(calls) != 2 || !bytes.Equal(calls[1].data, []byte{proto.CachingSHA2RequestKey}) {
		t.Errorf("first connect rounds = %v, want the 32-byte scramble then a key request", lens(calls))
	}

	// 2. Now cached: the fast path, one round.
	c, err = connect(p, as(func(*actor.Config) {}))
	if err != nil {
		t.Fatalf("fast path: %v", err)
	}
	c.Close()
	if calls := p.rec.take(); len(calls) != 1 || len(calls[0].data) != 32 {
		t.Errorf("fast-path rounds = %v, want one 32-byte scramble", lens(calls))
	}

	// 3. Full authentication with a pinned key: no key request.
	p.invalidate("sha2")
	c, err = connect(p, as(func(c *actor.Config) { c.ServerPublicKey = p.pubPEM }))
	if err != nil {
		t.Fatalf("full auth with a pinned key: %v", err)
	}
	c.Close()
	calls = p.rec.take()
	for _, call := range calls {
		if bytes.Equal(call.data, []byte{proto.CachingSHA2RequestKey}) {
			t.Error("client asked for the key although it was pinned")
		}
		if bytes.Contains(call.data, []byte(pw)) {
			t.Error("the password crossed plain TCP in clear")
		}
	}

	// 4. Full authentication over TLS: the password in clear inside TLS.
	p.invalidate("sha2")
	c, err = connect(p, as(func(c *actor.Config) { c.SSLMode = actor.SSLRequired }))
	if err != nil {
		t.Fatalf("full auth over TLS: %v", err)
	}
	if !c.TLS() {
		t.Error("connection not encrypted")
	}
	c.Close()
	calls = p.rec.take()
	if len(calls) == 0 || !bytes.Equal(calls[len(calls)-1].data, append([]byte(pw), 0)) {
		t.Errorf("TLS full-auth rounds = %v, want the cleartext password last", lens(calls))
	}

	// 5. Full authentication over plain TCP with neither key nor
	// permission to fetch one: refused by the client.
	p.invalidate("sha2")
	_, err = connect(p, as(func(*actor.Config) {}))
	if !errors.Is(err, actor.ErrAuth) {
		t.Errorf("full auth without a key = %v, want ErrAuth", err)
	}
	if err != nil && strings.Contains(err.Error(), pw) {
		t.Error("error contains the password")
	}

	// 6. Wrong password.
	_, err = connect(p, func(c *actor.Config) { c.User, c.Password, c.AllowPublicKeyRetrieval = "sha2", "wrong", true })
	var se *proto.Error
	if !errors.As(err, &se) || se.Code != 1045 {
		t.Errorf("wrong password = %v, want server error 1045", err)
	}

	// 7. Empty password.
	c, err = connect(p, func(c *actor.Config) { c.User = "empty" })
	if err != nil {
		t.Errorf("empty password: %v", err)
	} else {
		c.Close()
	}
}

func TestSHA256Password(t *testing.T) {
	const pw = "sha256-secret"
	p := startPeer(t, proto.AuthSHA256, user{"s256", pw, proto.AuthSHA256})
	tests := []struct {
		name string
		mod  func(*actor.Config)
	}{
		{"key retrieval", func(c *actor.Config) { c.AllowPublicKeyRetrieval = true }},
		{"pinned key", func(c *actor.Config) { c.ServerPublicKey = p.pubPEM }},
		{"TLS", func(c *actor.Config) { c.SSLMode = actor.SSLRequired }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := connect(p, func(c *actor.Config) { c.User, c.Password = "s256", pw; tt.mod(c) })
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
			calls := p.rec.take()
			if tt.name != "TLS" {
				for _, call := range calls {
					if bytes.Contains(call.data, []byte(pw)) {
						t.Error("the password crossed plain TCP in clear")
					}
				}
			}
		})
	}
	_, err := connect(p, func(c *actor.Config) { c.User, c.Password, c.SSLMode = "s256", "nope", actor.SSLRequired })
	var se *proto.Error
	if !errors.As(err, &se) || se.Code != 1045 {
		t.Errorf("wrong password = %v, want server error 1045", err)
	}
	if _, err := connect(p, func(c *actor.Config) { c.User, c.Password = "s256", pw }); !errors.Is(err, actor.ErrAuth) {
		t.Errorf("sha256 over plain TCP without a key = %v, want ErrAuth", err)
	}
}

func TestAuthSwitchFromNativeToCachingSHA2(t *testing.T) {
	p := startPeer(t, proto.AuthNativePassword, user{"switch", "pw", proto.AuthCachingSHA2})
	c, err := connect(p, func(c *actor.Config) { c.User, c.Password, c.SSLMode = "switch", "pw", actor.SSLRequired })
	if err != nil {
		t.Fatalf("auth switch: %v", err)
	}
	c.Close()
	calls := p.rec.take()
	if len(calls) == 0 || calls[0].plugin != proto.AuthCachingSHA2 {
		t.Errorf("rounds %v: want the client to answer the switch to caching_sha2_password", calls)
	}
}
