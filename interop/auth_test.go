package interop

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
)

// login connects as user with password, pings, checks that the server's
// session belongs to user, and closes. It reports whether TLS was used.
func login(p *peer, user, password string, mod func(*actor.Config)) (bool, error) {
	cfg := actor.Config{Host: "127.0.0.1", Port: p.port, User: user, Password: password, SSLMode: actor.SSLDisabled}
	if mod != nil {
		mod(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := actor.Connect(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer c.Close()
	if err := c.Ping(ctx); err != nil {
		return c.TLS(), fmt.Errorf("ping: %w", err)
	}
	cur := c.Cursor()
	if _, err := cur.Execute(ctx, "SELECT CURRENT_USER()"); err != nil {
		return c.TLS(), fmt.Errorf("query: %w", err)
	}
	rows, err := cur.FetchAll(ctx)
	if err != nil {
		return c.TLS(), fmt.Errorf("fetch: %w", err)
	}
	if got := fmt.Sprint(rows); got != "[["+user+"]]" {
		return c.TLS(), fmt.Errorf("CURRENT_USER() = %s, want [[%s]]", got, user)
	}
	return c.TLS(), nil
}

// Client configurations.
var (
	retrieveKey = func(_ *peer, c *actor.Config) { c.AllowPublicKeyRetrieval = true }
	pinnedKey   = func(p *peer, c *actor.Config) { c.ServerPublicKey = p.pubPEM }
	noKey       = func(*peer, *actor.Config) {}
	// verifiedTLS trusts only the peer's self-signed certificate and checks
	// that it names 127.0.0.1.
	verifiedTLS = func(p *peer, c *actor.Config) {
		c.TLS = &tls.Config{RootCAs: p.roots}
		c.SSLMode = actor.SSLVerifyIdentity
	}
)

// outcome is what a login must end in.
type outcome int

const (
	succeeds      outcome = iota
	clientRefuses         // errors.Is(err, actor.ErrAuth), nothing from the server
	accessDenied          // the server's *proto.Error 1045
)

// authCase is one login against a peer. Cases of a table run in order:
// a case may rely on the cache a previous one filled.
type authCase struct {
	name     string
	user, pw string // pw is what the client sends
	cold     bool   // empty the server's caching_sha2 cache for user first
	cfg      func(*peer, *actor.Config)
	want     outcome
	// trace is the auth phase on the wire after the greeting (plain TCP:
	// every packet; TLS: only the SSLRequest, the rest is ciphertext).
	trace []string
	// calls are the server provider's Authenticate calls: "plugin data".
	calls []string
}

func runCases(t *testing.T, p *peer, cases []authCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cold {
				p.invalidate(tc.user)
			}
			isTLS, err := login(p, tc.user, tc.pw, func(c *actor.Config) { tc.cfg(p, c) })
			trace, calls, wireTLS, clientBytes := p.take(t).snapshot()

			switch tc.want {
			case succeeds:
				if err != nil {
					t.Fatalf("login: %v", err)
				}
				if isTLS != wireTLS {
					t.Errorf("conn.TLS() = %v, but the client sent an SSLRequest: %v", isTLS, wireTLS)
				}
			case clientRefuses:
				if !errors.Is(err, actor.ErrAuth) {
					t.Errorf("login error = %v, want actor.ErrAuth", err)
				}
				var se *proto.Error
				if errors.As(err, &se) {
					t.Errorf("login error carries a server error %v; the client should refuse on its own", se)
				}
			case accessDenied:
				var se *proto.Error
				if !errors.As(err, &se) {
					t.Fatalf("login error = %v (%T), want *proto.Error", err, err)
				}
				if se.Code != 1045 || se.SQLState != "28000" {
					t.Errorf("server error = %d/%s, want 1045/28000", se.Code, se.SQLState)
				}
				if wantMsg := fmt.Sprintf("Access denied for user '%s'@'", tc.user); !strings.HasPrefix(se.Message, wantMsg) || !strings.HasSuffix(se.Message, "(using password: YES)") {
					t.Errorf("server message = %q, want %q...(using password: YES)", se.Message, wantMsg)
				}
			}
			if tc.pw != "" && err != nil && strings.Contains(err.Error(), tc.pw) {
				t.Errorf("error %q contains the password", err)
			}
			if tc.pw != "" && !wireTLS && bytes.Contains(clientBytes, []byte(tc.pw)) {
				t.Error("the password crossed plain TCP in clear")
			}
			if !slices.Equal(trace, tc.trace) {
				t.Errorf("wire trace:\n got %q\nwant %q", trace, tc.trace)
			}
			got := make([]string, len(calls))
			for i, c := range calls {
				d := authData(c.data)
				if tc.pw != "" && bytes.Equal(c.data, append([]byte(tc.pw), 0)) {
					d = "cleartext"
				}
				got[i] = c.plugin + " " + d
			}
			if !slices.Equal(got, tc.calls) {
				t.Errorf("provider calls:\n got %q\nwant %q", got, tc.calls)
			}
		})
	}
}

const (
	sha2   = proto.AuthCachingSHA2
	s256   = proto.AuthSHA256
	native = proto.AuthNativePassword
)

func TestCachingSHA2Password(t *testing.T) {
	const pw = "sha2 p@ss"
	p := startPeer(t, sha2, user{"sha2", pw, sha2}, user{"nopw", "", sha2})
	resp := "C:response " + sha2 + " sha256-scramble"
	runCases(t, p, []authCase{
		{
			name: "first login does full auth with the RSA key retrieved from the server",
			user: "sha2", pw: pw, cold: true, cfg: retrieveKey,
			trace: []string{resp, "S:full-auth", "C:key-request(2)", "S:public-key", "C:rsa-oaep(2048)", "S:ok"},
			calls: []string{sha2 + " sha256-scramble", sha2 + " key-request(2)"},
		},
		{
			name: "second login takes the fast path from the server's cache",
			user: "sha2", pw: pw, cfg: noKey,
			trace: []string{resp, "S:fast-auth-ok", "S:ok"},
			calls: []string{sha2 + " sha256-scramble"},
		},
		{
			name: "full auth with a pinned key sends no key request",
			user: "sha2", pw: pw, cold: true, cfg: pinnedKey,
			trace: []string{resp, "S:full-auth", "C:rsa-oaep(2048)", "S:ok"},
			calls: []string{sha2 + " sha256-scramble", sha2 + " rsa-oaep(2048)"},
		},
		{
			name: "pinned key wins over key retrieval",
			user: "sha2", pw: pw, cold: true,
			cfg:   func(p *peer, c *actor.Config) { pinnedKey(p, c); retrieveKey(p, c) },
			trace: []string{resp, "S:full-auth", "C:rsa-oaep(2048)", "S:ok"},
			calls: []string{sha2 + " sha256-scramble", sha2 + " rsa-oaep(2048)"},
		},
		{
			name: "full auth over TLS sends the password in clear inside TLS",
			user: "sha2", pw: pw, cold: true, cfg: verifiedTLS,
			trace: []string{"C:ssl-request"},
			calls: []string{sha2 + " sha256-scramble", sha2 + " cleartext"},
		},
		{
			name: "fast path over TLS after a TLS full auth",
			user: "sha2", pw: pw, cfg: verifiedTLS,
			trace: []string{"C:ssl-request"},
			calls: []string{sha2 + " sha256-scramble"},
		},
		{
			name: "full auth over plain TCP without key or retrieval is refused by the client",
			user: "sha2", pw: pw, cold: true, cfg: noKey, want: clientRefuses,
			trace: []string{resp, "S:full-auth", "C:close"},
			calls: []string{sha2 + " sha256-scramble"},
		},
		{
			name: "empty password needs one round and no key",
			user: "nopw", pw: "", cfg: noKey,
			trace: []string{"C:response " + sha2 + " empty", "S:ok"},
			calls: []string{sha2 + " empty"},
		},
	})
}

func TestSHA256Password(t *testing.T) {
	const pw = "sha256-secret"
	p := startPeer(t, s256, user{"s256", pw, s256}, user{"nopw", "", s256})
	runCases(t, p, []authCase{
		{
			name: "key retrieved from the server",
			user: "s256", pw: pw, cfg: retrieveKey,
			trace: []string{"C:response " + s256 + " key-request(1)", "S:public-key", "C:rsa-oaep(2048)", "S:ok"},
			calls: []string{s256 + " key-request(1)", s256 + " rsa-oaep(2048)"},
		},
		{
			name: "pinned key: the first response is already the encrypted password",
			user: "s256", pw: pw, cfg: pinnedKey,
			trace: []string{"C:response " + s256 + " rsa-oaep(2048)", "S:ok"},
			calls: []string{s256 + " rsa-oaep(2048)"},
		},
		{
			name: "TLS: the password in clear inside TLS",
			user: "s256", pw: pw, cfg: verifiedTLS,
			trace: []string{"C:ssl-request"},
			calls: []string{s256 + " cleartext"},
		},
		{
			name: "plain TCP without key or retrieval is refused before anything is sent",
			user: "s256", pw: pw, cfg: noKey, want: clientRefuses,
			trace: []string{"C:close"},
			calls: []string{},
		},
		{
			name: "empty password is a single NUL",
			user: "nopw", pw: "", cfg: noKey,
			trace: []string{"C:response " + s256 + " nul", "S:ok"},
			calls: []string{s256 + " nul"},
		},
	})
}

func TestAuthSwitch(t *testing.T) {
	const pw = "switch-pw"
	p := startPeer(t, native, user{"to_sha2", pw, sha2}, user{"to_s256", pw, s256})
	resp := "C:response " + native + " sha1-scramble"
	runCases(t, p, []authCase{
		{
			name: "native to caching_sha2, full auth with a retrieved key uses the switch salt",
			user: "to_sha2", pw: pw, cold: true, cfg: retrieveKey,
			trace: []string{resp, "S:switch " + sha2, "C:sha256-scramble", "S:full-auth", "C:key-request(2)", "S:public-key", "C:rsa-oaep(2048)", "S:ok"},
			calls: []string{sha2 + " sha256-scramble", sha2 + " key-request(2)"},
		},
		{
			name: "native to caching_sha2, fast path with the switch salt",
			user: "to_sha2", pw: pw, cfg: noKey,
			trace: []string{resp, "S:switch " + sha2, "C:sha256-scramble", "S:fast-auth-ok", "S:ok"},
			calls: []string{sha2 + " sha256-scramble"},
		},
		{
			name: "native to caching_sha2 over TLS",
			user: "to_sha2", pw: pw, cold: true, cfg: verifiedTLS,
			trace: []string{"C:ssl-request"},
			calls: []string{sha2 + " sha256-scramble", sha2 + " cleartext"},
		},
		{
			name: "native to sha256_password with a pinned key",
			user: "to_s256", pw: pw, cfg: pinnedKey,
			trace: []string{resp, "S:switch " + s256, "C:rsa-oaep(2048)", "S:ok"},
			calls: []string{s256 + " rsa-oaep(2048)"},
		},
	})
}

func TestWrongPassword(t *testing.T) {
	const good, bad = "right-password", "wrong-password"
	t.Run(native, func(t *testing.T) {
		p := startPeer(t, native, user{"nat", good, native})
		runCases(t, p, []authCase{{
			name: "scramble mismatch", user: "nat", pw: bad, cfg: noKey, want: accessDenied,
			trace: []string{"C:response " + native + " sha1-scramble", "S:err 1045"},
			calls: []string{native + " sha1-scramble"},
		}})
	})
	t.Run(sha2, func(t *testing.T) {
		p := startPeer(t, sha2, user{"sha2", good, sha2})
		resp := "C:response " + sha2 + " sha256-scramble"
		runCases(t, p, []authCase{
			{
				name: "full auth with a retrieved key", user: "sha2", pw: bad, cold: true, cfg: retrieveKey, want: accessDenied,
				trace: []string{resp, "S:full-auth", "C:key-request(2)", "S:public-key", "C:rsa-oaep(2048)", "S:err 1045"},
				calls: []string{sha2 + " sha256-scramble", sha2 + " key-request(2)"},
			},
			{
				name: "full auth over TLS", user: "sha2", pw: bad, cold: true, cfg: verifiedTLS, want: accessDenied,
				trace: []string{"C:ssl-request"},
				calls: []string{sha2 + " sha256-scramble", sha2 + " cleartext"},
			},
			{
				name: "right password fills the cache", user: "sha2", pw: good, cold: true, cfg: pinnedKey,
				trace: []string{resp, "S:full-auth", "C:rsa-oaep(2048)", "S:ok"},
				calls: []string{sha2 + " sha256-scramble", sha2 + " rsa-oaep(2048)"},
			},
			{
				name: "cached user, wrong scramble falls back to full auth", user: "sha2", pw: bad, cfg: pinnedKey, want: accessDenied,
				trace: []string{resp, "S:full-auth", "C:rsa-oaep(2048)", "S:err 1045"},
				calls: []string{sha2 + " sha256-scramble", sha2 + " rsa-oaep(2048)"},
			},
		})
	})
	t.Run(s256, func(t *testing.T) {
		p := startPeer(t, s256, user{"s256", good, s256})
		runCases(t, p, []authCase{
			{
				name: "pinned key", user: "s256", pw: bad, cfg: pinnedKey, want: accessDenied,
				trace: []string{"C:response " + s256 + " rsa-oaep(2048)", "S:err 1045"},
				calls: []string{s256 + " rsa-oaep(2048)"},
			},
			{
				name: "TLS", user: "s256", pw: bad, cfg: verifiedTLS, want: accessDenied,
				trace: []string{"C:ssl-request"},
				calls: []string{s256 + " cleartext"},
			},
		})
	})
}
