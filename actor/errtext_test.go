package actor_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
)

// Every error reaching the caller starts with "amysql: " and carries it
// once, whether it is a sentinel on its own or one an operation wrapped.
func TestErrorTextCarriesThePrefixOnce(t *testing.T) {
	connectErr := func(mod func(*actor.Config)) func(t *testing.T) error {
		return func(t *testing.T) error {
			cfg := testConfig(t)
			mod(&cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := actor.Connect(ctx, cfg)
			if err == nil {
				c.Close()
			}
			return err
		}
	}
	tests := []struct {
		name string
		want error
		run  func(t *testing.T) error
	}{
		{"result discarded, fetch", actor.ErrResultDiscarded, func(t *testing.T) error {
			c := connect(t)
			cur := c.Cursor(actor.SSCursor)
			if _, err := cur.Execute(ctxT(t), "SELECT seq FROM seq_1_to_1000"); err != nil {
				t.Fatal(err)
			}
			mustExec(t, c, "DO 1")
			_, err := cur.FetchAll(ctxT(t))
			return err
		}},
		{"result discarded, next set", actor.ErrResultDiscarded, func(t *testing.T) error {
			c := connect(t, func(cfg *actor.Config) { cfg.MultiStatements = true })
			cur := c.Cursor(actor.SSCursor)
			if _, err := cur.Execute(ctxT(t), "SELECT seq FROM seq_1_to_1000; SELECT 2"); err != nil {
				t.Fatal(err)
			}
			mustExec(t, c, "DO 1")
			_, err := cur.NextSet(ctxT(t))
			return err
		}},
		{"statement dropped by ResetSession", actor.ErrStmtClosed, func(t *testing.T) error {
			c := connect(t)
			st, err := c.Prepare(ctxT(t), "SELECT ?")
			if err != nil {
				t.Fatal(err)
			}
			if err := c.ResetSession(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			_, err = c.Cursor().ExecuteStmt(ctxT(t), st, 1)
			return err
		}},
		{"unsafe charset", actor.ErrUnsafeCharset, func(t *testing.T) error {
			c := connect(t, func(cfg *actor.Config) { cfg.Charset = "gbk" })
			_, err := c.Cursor().Execute(ctxT(t), "SELECT ?", "x")
			return err
		}},
		{"result too large", actor.ErrResultTooLarge, func(t *testing.T) error {
			c := connect(t, func(cfg *actor.Config) { cfg.MaxBufferedBytes = 1000 })
			_, err := c.Cursor().Execute(ctxT(t), "SELECT seq FROM seq_1_to_10000")
			return err
		}},
		{"local infile refused", actor.ErrLocalInfileDenied, func(t *testing.T) error {
			c := connect(t, func(cfg *actor.Config) { cfg.LocalInfile = true })
			tbl := tempTable(t, c, "amysql_errtext_infile", "(a TEXT)")
			_, err := c.Cursor().Execute(ctxT(t), "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE "+tbl)
			return err
		}},
		{"broken connection", actor.ErrBadConn, func(t *testing.T) error {
			c := connect(t)
			k := connect(t)
			if err := k.Kill(ctxT(t), c.ThreadID()); err != nil {
				t.Fatal(err)
			}
			for range 50 {
				if _, err := c.Cursor().Execute(ctxT(t), "DO 1"); err != nil {
					return err
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Fatal("the killed connection kept working")
			return nil
		}},
		{"broken connection's Err", actor.ErrBadConn, func(t *testing.T) error {
			c := connect(t)
			k := connect(t)
			if err := k.Kill(ctxT(t), c.ThreadID()); err != nil {
				t.Fatal(err)
			}
			for range 50 {
				if _, err := c.Cursor().Execute(ctxT(t), "DO 1"); err != nil {
					return c.Err()
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Fatal("the killed connection kept working")
			return nil
		}},
		{"ExecuteMany row", actor.ErrUnsafeCharset, func(t *testing.T) error {
			c := connect(t, func(cfg *actor.Config) { cfg.Charset = "gbk" })
			_, err := c.Cursor().ExecuteMany(ctxT(t), "UPDATE nowhere SET a = ?", [][]any{{"x"}})
			return err
		}},
		{"server public key file", actor.ErrAuth, connectErr(func(cfg *actor.Config) {
			cfg.ServerPublicKeyFile = "/nonexistent/key.pem"
		})},
		{"TLS required", actor.ErrTLSRequired, connectErr(func(cfg *actor.Config) { cfg.SSLMode = "required" })},
		{"unknown SSL mode", actor.ErrTLS, connectErr(func(cfg *actor.Config) { cfg.SSLMode = "sometimes" })},
		{"option file", actor.ErrOptionFile, connectErr(func(cfg *actor.Config) { cfg.ReadDefaultFile = "/nonexistent/my.cnf" })},
		{"connection closed", actor.ErrConnClosed, func(t *testing.T) error {
			c := connect(t)
			c.Close()
			_, err := c.Cursor().Execute(ctxT(t), "DO 1")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(t)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "amysql: ") || strings.Count(msg, "amysql: ") != 1 {
				t.Errorf("error text %q: want the prefix \"amysql: \" once, at the start", msg)
			}
		})
	}
}

// A refused dial names the network and address once.
func TestDialErrorNamesTheAddressOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = actor.Connect(ctx, actor.Config{Host: "127.0.0.1", Port: addr.Port, User: "nobody"})
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" {
		t.Fatalf("Connect to a closed port = %v, want a *net.OpError from the dial", err)
	}
	if n := strings.Count(err.Error(), "dial tcp"); n != 1 {
		t.Errorf("error text %q names the dial %d times, want once", err, n)
	}
	if !strings.Contains(err.Error(), addr.String()) {
		t.Errorf("error text %q does not name %s", err, addr)
	}
}

// A query written with aiomysql's %s placeholders fails before anything is
// sent, saying amysql's placeholder is ?, from Execute and ExecuteMany.
func TestPercentPlaceholdersGetAHint(t *testing.T) {
	c := connect(t)
	cur := c.Cursor()
	_, err := cur.Execute(ctxT(t), "SELECT %s", 1)
	_, errMany := cur.ExecuteMany(ctxT(t), "INSERT INTO nowhere (a) VALUES (%s)", [][]any{{1}})
	for name, err := range map[string]error{"Execute": err, "ExecuteMany": errMany} {
		if !errors.Is(err, proto.ErrArgCount) || !errors.Is(err, proto.ErrPercentPlaceholder) {
			t.Errorf("%s: %v, want ErrArgCount and ErrPercentPlaceholder", name, err)
		}
		if !actor.SafeToRetry(err) && name == "Execute" {
			t.Errorf("%s: %v: nothing was sent, yet SafeToRetry is false", name, err)
		}
		if err != nil && !strings.Contains(err.Error(), "amysql's is ?") {
			t.Errorf("%s: error text %q does not point at ?", name, err)
		}
	}
}
