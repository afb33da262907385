package pool_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/pool"
)

func TestParseConfig(t *testing.T) {
	cfg, err := pool.ParseConfig("u:pw@tcp(db:3306)/app?charset=latin1&minsize=2&maxsize=0&pool_recycle=3600&max_conn_lifetime=1h&acquire_timeout=250ms&reset_on_release=true&peek_idle=5ms&ping_idle=-1")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinSize != 2 || cfg.MaxSize != pool.Unlimited || cfg.Recycle != time.Hour || cfg.MaxConnLifetime != time.Hour ||
		cfg.AcquireTimeout != 250*time.Millisecond || !cfg.ResetOnRelease || cfg.PeekIdle != 5*time.Millisecond || cfg.PingIdle != -time.Second {
		t.Errorf("pool settings = %+v", cfg)
	}
	if cfg.Conn.Host != "db" || cfg.Conn.Charset != "latin1" || cfg.Conn.Password != "pw" {
		t.Errorf("connection settings = %v charset %q", cfg.Conn, cfg.Conn.Charset)
	}
}

func TestParseConfigSharesTheConnectionGrammar(t *testing.T) {
	tests := []struct {
		name, dsn string
		check     func(pool.Config) bool
	}{
		{"password with ? before pool parameters", "u:p?w@tcp(h:3306)/db?maxsize=4",
			func(c pool.Config) bool { return c.Conn.Password == "p?w" && c.MaxSize == 4 && c.Conn.DB == "db" }},
		{"password with & and =", "u:a&b=c@tcp(h)/db?minsize=0",
			func(c pool.Config) bool { return c.Conn.Password == "a&b=c" && c.MinSize == 0 }},
		{"booleans in every spelling", "u@tcp(h)/d?reset_on_release=on&echo=yes",
			func(c pool.Config) bool { return c.ResetOnRelease && c.Conn.Echo }},
		{"plain seconds for every duration", "u@tcp(h)/d?pool_recycle=1.5&connect_timeout=3",
			func(c pool.Config) bool {
				return c.Recycle == 1500*time.Millisecond && c.Conn.ConnectTimeout == 3*time.Second
			}},
		{"URL form", "mysql://u:p%3F@h1:1,h2:2/d?maxsize=3&pool_name=writer",
			func(c pool.Config) bool {
				return c.Conn.Password == "p?" && len(c.Conn.Hosts) == 2 && c.MaxSize == 3 && c.Name == "writer"
			}},
		{"minsize defaults to 1", "u@tcp(h)/d", func(c pool.Config) bool { return c.MinSize == 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := pool.ParseConfig(tt.dsn)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(cfg) {
				t.Errorf("ParseConfig(%q) = %+v", tt.dsn, cfg)
			}
			again, err := pool.ParseConfig(cfg.FormatDSN())
			if err != nil || again.FormatDSN() != cfg.FormatDSN() || !tt.check(again) {
				t.Errorf("round trip through %q: %v", cfg.FormatDSN(), err)
			}
		})
	}
}

func TestParseConfigRefusesBadPoolParameters(t *testing.T) {
	tests := []struct {
		dsn, want string
		errIs     error
	}{
		{"u:secretpw@tcp(h)/d?minsize=x", `bad minsize "x"`, actor.ErrDSN},
		{"u:secretpw@tcp(h)/d?minsize=3&maxsize=2", "MinSize 3 is above MaxSize 2", pool.ErrConfig},
		{"u:secretpw@tcp(h)/d?pool_recycle=soon", `bad duration "soon"`, actor.ErrDSN},
		{"u:secretpw@tcp(h)/d?maxsize=2&maxsize=3", `"maxsize" given twice`, actor.ErrDSN},
		{"u:secretpw@tcp(h)/d?pool_name=", `"pool_name" has no value`, actor.ErrDSN},
		{"u:secretpw@tcp(h)/d?bogus=1", `unknown parameter "bogus"`, actor.ErrDSN},
	}
	for _, tt := range tests {
		_, err := pool.ParseConfig(tt.dsn)
		if !errors.Is(err, tt.errIs) || !strings.Contains(fmtErr(err), tt.want) {
			t.Errorf("ParseConfig(%q) = %v, want %v saying %q", tt.dsn, err, tt.errIs, tt.want)
		}
		if strings.Contains(fmtErr(err), "secretpw") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// FuzzPoolDSNRoundTrip checks that a pool configuration survives
// FormatDSN and ParseConfig.
func FuzzPoolDSNRoundTrip(f *testing.F) {
	f.Add("pw?x", "writer", 2, 8, int64(1500), int64(-1), true)
	f.Add("", "", 0, 0, int64(0), int64(0), false)
	f.Fuzz(func(t *testing.T, password, name string, minSize, maxSize int, recycleMs, pingMs int64, reset bool) {
		if minSize < 0 || minSize > 1000 || maxSize < -1 || maxSize > 1000 || recycleMs < 0 || recycleMs > 1<<40 || pingMs > 1<<40 || pingMs < -(1<<40) {
			return
		}
		cfg := pool.Config{
			Conn:     actor.Config{User: "u", Password: password, Host: "h", Port: 3306},
			Name:     name,
			MinSize:  minSize,
			MaxSize:  maxSize,
			Recycle:  time.Duration(recycleMs) * time.Millisecond,
			PingIdle: time.Duration(pingMs) * time.Millisecond,

			ResetOnRelease: reset,
		}
		effective := cfg.MaxSize
		if effective == 0 {
			effective = pool.DefaultMaxSize
		}
		if cfg.MaxSize != pool.Unlimited && cfg.MinSize > effective {
			return // refused by ParseConfig, rightly
		}
		dsn := cfg.FormatDSN()
		got, err := pool.ParseConfig(dsn)
		if err != nil {
			t.Fatalf("FormatDSN gave %q, which fails: %v", dsn, err)
		}
		if got.Conn.Password != password || got.Name != name || got.MinSize != minSize || got.MaxSize != cfg.MaxSize ||
			got.Recycle != cfg.Recycle || got.PingIdle != cfg.PingIdle || got.ResetOnRelease != reset {
			t.Fatalf("%+v -> %q -> %+v", cfg, dsn, got)
		}
	})
}
