package pool_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/pool"
	"github.com/amysql/amysql/proto"
)

// TestKillingEveryConnectionUnderLoad kills all pool connections from the
// server side while workers run: only statements running on a killed
// connection may fail, with a typed error, and afterwards everything works.
func TestKillingEveryConnectionUnderLoad(t *testing.T) {
	p := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize = 4, 4 })
	admin, err := actor.Connect(ctxT(t), connConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var (
		stop    atomic.Bool
		wg      sync.WaitGroup
		ok, bad atomic.Int64
		mu      sync.Mutex
		threads = map[uint32]bool{}
		untyped []error
	)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				c, err := p.Acquire(context.Background())
				if err != nil {
					mu.Lock()
					untyped = append(untyped, err)
					mu.Unlock()
					return
				}
				mu.Lock()
				threads[c.ThreadID()] = true
				mu.Unlock()
				cur := c.Cursor()
				_, err = cur.Execute(context.Background(), "SELECT SLEEP(0.002), ?", 1)
				c.Release()
				if err == nil {
					ok.Add(1)
					continue
				}
				bad.Add(1)
				var se *proto.Error
				if !actor.IsBadConn(err) && !(errors.As(err, &se) && (se.Code == 1927 || se.Code == 1317 || se.Code == 1053)) {
					mu.Lock()
					untyped = append(untyped, err)
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	victims := make([]uint32, 0, len(threads))
	for id := range threads {
		victims = append(victims, id)
	}
	mu.Unlock()
	for _, id := range victims {
		admin.Kill(ctxT(t), id) // "unknown thread" for already replaced ones is fine
	}
	time.Sleep(300 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	if len(untyped) > 0 {
		t.Errorf("errors that are neither bad-connection nor kill errors: %v", untyped)
	}
	if bad.Load() > int64(len(victims)) {
		t.Errorf("%d failed statements for %d killed connections: callers not on a killed connection saw errors", bad.Load(), len(victims))
	}
	for i := 0; i < 8; i++ {
		if _, err := p.QueryRow(ctxT(t), "SELECT 1"); err != nil {
			t.Fatalf("after the kills, query %d: %v", i, err)
		}
	}
	t.Logf("%d ok, %d failed on %d killed connections; destroyed %v", ok.Load(), bad.Load(), len(victims), p.Stat().Destroyed)
}

func TestPoolRecoversFromAServerRestart(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	conn, err := actor.ParseDSN(srv.Target().DSN)
	if err != nil {
		t.Fatal(err)
	}
	conn.ConnectTimeout = 500 * time.Millisecond
	p, err := pool.New(pool.Config{Conn: conn, MinSize: 2, MaxSize: 4, AcquireTimeout: time.Second, HealthCheckPeriod: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		p.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p.WaitClosed(ctx)
	}()
	if _, err := p.QueryRow(ctxT(t), "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	srv.Stop(t)
	start := time.Now()
	_, err = p.QueryRow(context.Background(), "SELECT 1")
	if err == nil {
		t.Fatal("query succeeded with the server down")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("query during the outage took %v (AcquireTimeout 1s, ConnectTimeout 0.5s)", d)
	}
	srv.Restart(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := p.QueryRow(ctxT(t), "SELECT 1")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pool did not recover after the restart: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Every connection handed out now works.
	for i := 0; i < 8; i++ {
		if _, err := p.QueryRow(ctxT(t), "SELECT 1"); err != nil {
			t.Fatalf("query %d after recovery: %v", i, err)
		}
	}
}

func TestCloseIsGraceful(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Args: []string{"--log-warnings=4"}})
	conn, _ := actor.ParseDSN(srv.Target().DSN)
	p, err := pool.New(pool.Config{Conn: conn, MinSize: 3, MaxSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := p.Acquire(ctxT(t))
	c.Cursor().Execute(ctxT(t), "SELECT 1")
	c.Release()
	p.Close()
	if err := p.WaitClosed(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if log := srv.ErrorLog(); strings.Contains(log, "Aborted connection") {
		t.Errorf("server logged aborted connections after a graceful Close:\n%s", log)
	}
	// A connection dropped without COM_QUIT is logged: the check can fail.
	raw, _ := actor.Connect(ctxT(t), conn)
	raw.Close()
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(srv.ErrorLog(), "Aborted connection") {
		if time.Now().After(deadline) {
			t.Fatal("the server does not log aborted connections; the graceful-close check proves nothing")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
