package pool_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/faultproxy"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/pool"
)

// checksum binds a payload to its writer and sequence number.
func checksum(worker, seq int, payload []byte) int64 {
	h := sha256.New()
	binary.Write(h, binary.LittleEndian, int64(worker))
	binary.Write(h, binary.LittleEndian, int64(seq))
	h.Write(payload)
	return int64(binary.LittleEndian.Uint64(h.Sum(nil)) >> 1)
}

type outcome struct {
	acked, notSent map[[2]int][]byte
}

// TestCorrectnessUnderFaults runs a write-and-read-back workload through a
// fault-injecting proxy, one fault at a time: no call outlives its
// deadline by more than a margin, nobody reads another worker's row or a
// torn value, every acknowledged write is there, nothing that was "not
// sent" is, the pool recovers once the fault clears, and no goroutine is
// left behind.
func TestCorrectnessUnderFaults(t *testing.T) {
	tg := testserver.FromEnv(t)
	direct, err := actor.Connect(ctxT(t), connConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { direct.Close() }) // after the DROP below: cleanups run last first
	cur := direct.Cursor()
	cur.Execute(ctxT(t), "DROP TABLE IF EXISTS amysql_chaos")
	if _, err := cur.Execute(ctxT(t), "CREATE TABLE amysql_chaos (worker INT, seq INT, payload VARBINARY(64), sum BIGINT, PRIMARY KEY (worker, seq)) ENGINE=InnoDB"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { direct.Cursor().Execute(context.Background(), "DROP TABLE IF EXISTS amysql_chaos") })

	faults := []struct {
		name  string
		fault faultproxy.Fault
		reset bool // reset every connection repeatedly while the fault holds
		fresh bool // reset once, so the pool must reconnect through the fault
	}{
		{"latency", faultproxy.Fault{Latency: 3 * time.Millisecond}, false, false},
		{"stall", faultproxy.Fault{Stall: true, Probability: 0.5}, false, false},
		{"reset", faultproxy.Fault{}, true, false},
		{"close mid-result", faultproxy.Fault{CloseAfter: 1500, Probability: 0.5}, false, true},
		{"corrupt a header byte", faultproxy.Fault{CorruptAt: 1, Probability: 0.5}, false, true},
		{"refuse new connections", faultproxy.Fault{Refuse: true}, false, true},
	}
	const deadline, margin = 800 * time.Millisecond, 1200 * time.Millisecond
	for fi, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			proxy := faultproxy.Start(t, fmt.Sprintf("%s:%d", tg.Host, tg.Port))
			cfg := connConfig(t)
			cfg.UnixSocket, cfg.Host, cfg.Port = "", "127.0.0.1", proxy.Port()
			cfg.ConnectTimeout, cfg.CancelTimeout = 500*time.Millisecond, 300*time.Millisecond
			p, err := pool.New(pool.Config{Conn: cfg, MinSize: 2, MaxSize: 6, HealthCheckPeriod: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			var (
				stop    atomic.Bool
				wg      sync.WaitGroup
				mu      sync.Mutex
				out     = outcome{acked: map[[2]int][]byte{}, notSent: map[[2]int][]byte{}}
				slow    []string
				wrong   []string
				calls   atomic.Int64
				failed  atomic.Int64
				untyped []error
			)
			timed := func(what string, fn func(ctx context.Context) error) error {
				ctx, cancel := context.WithTimeout(context.Background(), deadline)
				defer cancel()
				start := time.Now()
				err := fn(ctx)
				if d := time.Since(start); d > deadline+margin {
					mu.Lock()
					slow = append(slow, fmt.Sprintf("%s took %v", what, d))
					mu.Unlock()
				}
				calls.Add(1)
				if err != nil {
					failed.Add(1)
				}
				return err
			}
			for w := 0; w < 6; w++ {
				wg.Add(1)
				go func(worker int) {
					defer wg.Done()
					for seq := fi * 100000; !stop.Load(); seq++ {
						payload := []byte(fmt.Sprintf("w%d-s%d-%x", worker, seq, seq*7919))
						sum := checksum(worker, seq, payload)
						key := [2]int{worker, seq}
						err := timed("insert", func(ctx context.Context) error {
							_, err := p.Execute(ctx, "INSERT INTO amysql_chaos VALUES (?, ?, ?, ?)", worker, seq, payload, sum)
							return err
						})
						mu.Lock()
						switch {
						case err == nil:
							out.acked[key] = payload
						case actor.SafeToRetry(err):
							out.notSent[key] = payload
						}
						if err != nil && !typed(err) {
							untyped = append(untyped, err)
						}
						mu.Unlock()
						if err != nil {
							continue
						}
						timed("read back", func(ctx context.Context) error {
							row, err := p.QueryRow(ctx, "SELECT worker, seq, payload, sum FROM amysql_chaos WHERE worker = ? AND seq = ?", worker, seq)
							if err != nil {
								return err
							}
							w, s := row[0].(int64), row[1].(int64)
							pl, sm := row[2].([]byte), row[3].(int64)
							if int(w) != worker || int(s) != seq || string(pl) != string(payload) || sm != checksum(int(w), int(s), pl) {
								mu.Lock()
								wrong = append(wrong, fmt.Sprintf("worker %d seq %d read %v", worker, seq, row))
								mu.Unlock()
							}
							return nil
						})
					}
				}(w)
			}
			time.Sleep(200 * time.Millisecond)
			proxy.Set(f.fault)
			if f.fresh {
				proxy.ResetAll()
			}
			faultEnd := time.Now().Add(time.Second)
			for time.Now().Before(faultEnd) {
				if f.reset {
					proxy.ResetAll()
				}
				time.Sleep(150 * time.Millisecond)
			}
			proxy.Clear()
			// The pool recovers by itself: within a few seconds every
			// statement works again.
			recovered := false
			for end := time.Now().Add(5 * time.Second); time.Now().Before(end) && !recovered; {
				ok := 0
				for i := 0; i < 10; i++ {
					if _, err := p.QueryRow(ctxT(t), "SELECT 1"); err == nil {
						ok++
					}
				}
				recovered = ok == 10
				if !recovered {
					time.Sleep(100 * time.Millisecond)
				}
			}
			stop.Store(true)
			wg.Wait()
			p.Close()
			if err := p.WaitClosed(ctxT(t)); err != nil {
				t.Errorf("WaitClosed: %v", err)
			}
			proxy.Close()

			if !recovered {
				t.Error("the pool did not serve normally again after the fault cleared")
			}
			for _, s := range slow {
				t.Error(s)
			}
			for _, w := range wrong {
				t.Error("wrong row:", w)
			}
			for _, e := range untyped {
				t.Errorf("untyped error: %v", e)
			}
			// Every acknowledged write is there, intact; nothing that was
			// never sent is.
			for key, payload := range out.acked {
				row := queryOne(t, direct, key)
				if row == nil || string(row[2].([]byte)) != string(payload) {
					t.Errorf("acknowledged write %v is missing or changed: %v", key, row)
				}
			}
			for key := range out.notSent {
				if row := queryOne(t, direct, key); row != nil {
					t.Errorf("write %v failed as 'not sent' but is in the table", key)
				}
			}
			t.Logf("%d calls, %d failed, %d acknowledged writes, %d not sent", calls.Load(), failed.Load(), len(out.acked), len(out.notSent))
			waitGoroutines(t, before)
		})
	}
}

func queryOne(t *testing.T, c *actor.Conn, key [2]int) []any {
	cur := c.Cursor()
	if _, err := cur.Execute(ctxT(t), "SELECT worker, seq, payload, sum FROM amysql_chaos WHERE worker = ? AND seq = ?", key[0], key[1]); err != nil {
		t.Fatal(err)
	}
	row, err := cur.FetchOne(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return row
}

// typed reports whether err says what happened: a timeout or
// cancellation, a lost or broken connection, a protocol violation, a
// refused connection, or a server error.
func typed(err error) bool {
	var ae *actor.Error
	switch {
	case errorsIs(err, context.DeadlineExceeded), errorsIs(err, context.Canceled),
		actor.IsBadConn(err), errorsAs(err, &ae), isServer(err):
		return true
	}
	return false
}
