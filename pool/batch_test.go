package pool_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/faultproxy"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/pool"
)

// proxiedPool is a pool whose connections go through a fault proxy that
// counts round trips; acquires send nothing of their own.
func proxiedPool(t *testing.T) (*pool.Pool, *faultproxy.Proxy) {
	tg := testserver.FromEnv(t)
	proxy := faultproxy.Start(t, fmt.Sprintf("%s:%d", tg.Host, tg.Port))
	cfg := connConfig(t)
	cfg.UnixSocket, cfg.Host, cfg.Port = "", "127.0.0.1", proxy.Port()
	p, err := pool.New(pool.Config{Conn: cfg, MinSize: 1, MaxSize: 1, PingIdle: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p, proxy
}

func TestTransactionsCostTheRoundTripsOfTheirStatementsOnly(t *testing.T) {
	p, proxy := proxiedPool(t)
	tbl := "amysql_rt_tx"
	if _, err := p.Execute(ctxT(t), "CREATE TABLE "+tbl+" (id INT PRIMARY KEY) ENGINE=InnoDB"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Execute(context.Background(), "DROP TABLE "+tbl) })
	five := func(base int) *actor.Batch {
		b := &actor.Batch{}
		for i := 0; i < 5; i++ {
			b.Queue("INSERT INTO "+tbl+" VALUES (?)", base+i)
		}
		return b
	}
	tests := []struct {
		name string
		run  func() error
		want int64
	}{
		{"atomic batch of 5", func() error {
			b := five(0)
			b.Atomic = true
			br := p.SendBatch(ctxT(t), b)
			for i := 0; i < 5; i++ {
				if _, err := br.Exec(); err != nil {
					return err
				}
			}
			return br.Close()
		}, 2},
		{"InTx with a batch of 5", func() error {
			return p.InTx(ctxT(t), func(c *pool.Conn) error {
				br := c.SendBatch(ctxT(t), five(10))
				for i := 0; i < 5; i++ {
					if _, err := br.Exec(); err != nil {
						return err
					}
				}
				return br.Close()
			})
		}, 2},
		{"InTx with 5 statements", func() error {
			return p.InTx(ctxT(t), func(c *pool.Conn) error {
				for i := 0; i < 5; i++ {
					if _, err := c.Cursor().Execute(ctxT(t), "INSERT INTO "+tbl+" VALUES (?)", 20+i); err != nil {
						return err
					}
				}
				return nil
			})
		}, 6},
	}
	for _, tt := range tests {
		before := proxy.RoundTrips()
		if err := tt.run(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := proxy.RoundTrips() - before; got != tt.want {
			t.Errorf("%s: %d round trips, want %d", tt.name, got, tt.want)
		}
	}
	row, err := p.QueryRow(ctxT(t), "SELECT COUNT(*) FROM "+tbl)
	if err != nil || row[0] != int64(15) {
		t.Errorf("rows committed: %v, %v; want 15", row, err)
	}
}

func TestABeginThatNeverRodeIsDroppedOnRelease(t *testing.T) {
	p, err := pool.New(pool.Config{Conn: connConfig(t), MinSize: 1, MaxSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	c, err := p.Acquire(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.BeginWithNext(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	c.Release() // before any command carried the BEGIN
	next, err := p.Acquire(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	defer next.Release()
	if _, err := next.Cursor().Execute(ctxT(t), "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	if next.InTransaction() {
		t.Error("the next holder's first statement opened a transaction it did not ask for")
	}
}
