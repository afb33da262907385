package actor_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
)

// closedAddr returns a loopback host:port nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// silentAddr returns a loopback host:port that accepts and never answers.
func silentAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return ln.Addr().String()
}

// tcpConfig is the test server's configuration over TCP (Hosts need it).
func tcpConfig(t *testing.T) (actor.Config, string) {
	cfg := testConfig(t)
	if cfg.UnixSocket != "" {
		t.Skip("needs the test server over TCP")
	}
	return cfg, net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
}

func TestConnectTriesHostsInOrderUntilOneAnswers(t *testing.T) {
	cfg, server := tcpConfig(t)
	cfg.Hosts = []string{closedAddr(t), silentAddr(t), server}
	cfg.ConnectTimeout = 300 * time.Millisecond
	c := connectCfg(t, cfg)
	if got := net.JoinHostPort(c.Host(), fmt.Sprint(c.Port())); got != server {
		t.Errorf("connected to %s, want %s", got, server)
	}
	if got := queryRow(t, c, "SELECT 'reached'")[0]; got != "reached" {
		t.Errorf("query: %v", got)
	}
}

func TestConnectWithEveryHostDownListsEachCause(t *testing.T) {
	cfg, _ := tcpConfig(t)
	refused, silent := closedAddr(t), silentAddr(t)
	cfg.Hosts = []string{refused, silent}
	cfg.ConnectTimeout = 300 * time.Millisecond
	start := time.Now()
	_, err := actor.Connect(context.Background(), cfg)
	took := time.Since(start)
	var ce *actor.ConnectError
	if !errors.As(err, &ce) || len(ce.Hosts) != 2 {
		t.Fatalf("Connect = %v, want a ConnectError with two hosts", err)
	}
	if ce.Hosts[0].Host != refused || !strings.Contains(ce.Hosts[0].Err.Error(), "refused") ||
		ce.Hosts[1].Host != silent || !errors.Is(ce.Hosts[1].Err, context.DeadlineExceeded) {
		t.Errorf("causes: %v", err)
	}
	if !actor.SafeToRetry(err) {
		t.Error("hosts that are down should be SafeToRetry: nothing was sent")
	}
	if took > 2*cfg.ConnectTimeout+time.Second {
		t.Errorf("failing over two hosts took %v, want within 2 x ConnectTimeout", took)
	}
}

func TestTargetPicksTheServerByRole(t *testing.T) {
	cfg, server := tcpConfig(t) // a writable server: a primary
	tests := []struct {
		target actor.Target
		ok     bool
	}{
		{actor.TargetAny, true},
		{actor.TargetPrimary, true},
		{actor.TargetReplica, false},
		{actor.TargetPreferReplica, true}, // no replica: the primary
	}
	for _, tt := range tests {
		t.Run(tt.target.String(), func(t *testing.T) {
			cfg := cfg
			cfg.Hosts, cfg.Target = []string{closedAddr(t), server}, tt.target
			c, err := actor.Connect(ctxT(t), cfg)
			if !tt.ok {
				if !errors.Is(err, actor.ErrWrongRole) || !actor.SafeToRetry(err) {
					t.Fatalf("Connect = %v, want ErrWrongRole (SafeToRetry)", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			role, err := c.Role(ctxT(t))
			if err != nil || role.ReadOnly || !role.Writable() {
				t.Errorf("Role = %+v, %v", role, err)
			}
		})
	}
}

func TestDenyListTriesFailedHostsLast(t *testing.T) {
	cfg, server := tcpConfig(t)
	silent := silentAddr(t)
	cfg.Hosts = []string{silent, server}
	cfg.ConnectTimeout = 500 * time.Millisecond
	cfg.DenyList = new(actor.DenyList)
	first := time.Now()
	connectCfg(t, cfg)
	if time.Since(first) < cfg.ConnectTimeout {
		t.Fatal("the first connect did not wait for the silent host")
	}
	if d := cfg.DenyList.Denied(); len(d) != 1 || d[0] != silent {
		t.Fatalf("denied = %v, want [%s]", d, silent)
	}
	second := time.Now()
	connectCfg(t, cfg)
	if took := time.Since(second); took > cfg.ConnectTimeout/2 {
		t.Errorf("the second connect took %v: it tried the denied host first", took)
	}
}
