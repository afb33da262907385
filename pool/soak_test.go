package pool_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/faultproxy"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/metrics"
	"github.com/amysql/amysql/pool"
)

// TestSoak runs mixed load through the fault proxy for AMYSQL_SOAK (e.g.
// "10m"), with a new proxy fault every 10 s and server-side KILLs of pool
// connections every 5 s, and reports queries, errors by class,
// reconnects, p99 latency and goroutine and memory high-water marks. It is
// skipped unless AMYSQL_SOAK is set; AMYSQL_SOAK_REPORT names a file for
// the report.
func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("AMYSQL_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("set AMYSQL_SOAK=10m to run the soak test")
	}
	tg := testserver.FromEnv(t)
	admin, err := actor.Connect(context.Background(), connConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	admin.Cursor().Execute(context.Background(), "CREATE TABLE IF NOT EXISTS amysql_soak (id BIGINT AUTO_INCREMENT PRIMARY KEY, worker INT, v VARCHAR(64)) ENGINE=InnoDB")
	defer admin.Cursor().Execute(context.Background(), "DROP TABLE IF EXISTS amysql_soak")
	goroutinesBefore := runtime.NumGoroutine()

	proxy := faultproxy.Start(t, fmt.Sprintf("%s:%d", tg.Host, tg.Port))
	cfg := connConfig(t)
	cfg.UnixSocket, cfg.Host, cfg.Port = "", "127.0.0.1", proxy.Port()
	cfg.ConnectTimeout = time.Second
	// Only this pool's connections are killed, never other sessions of
	// the shared server.
	var idsMu sync.Mutex
	ids := map[uint32]bool{}
	p, err := pool.New(pool.Config{Conn: cfg, MinSize: 4, MaxSize: 16, HealthCheckPeriod: time.Second,
		MaxConnLifetime: time.Minute, MaxConnLifetimeJitter: 10 * time.Second,
		AfterConnect: func(_ context.Context, c *actor.Conn) error {
			idsMu.Lock()
			ids[c.ThreadID()] = true
			idsMu.Unlock()
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}

	var (
		ops, fails atomic.Int64
		mu         sync.Mutex
		classes    = map[string]int64{}
		lat        []time.Duration
		maxG       int
		maxHeap    uint64
		kills      int
		faultsRun  []string
		samples    []string
	)
	var overdue atomic.Int64
	record := func(start time.Time, err error, timed bool) {
		ops.Add(1)
		if time.Since(start) > 2*time.Second+1500*time.Millisecond {
			overdue.Add(1) // past its 2 s deadline by more than the margin
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			fails.Add(1)
			c := metrics.ErrorClass(err)
			if classes[c] < 3 {
				samples = append(samples, fmt.Sprintf("%s: %v", c, err))
			}
			classes[c]++
			return
		}
		if timed && len(lat) < 2_000_000 {
			lat = append(lat, time.Since(start))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	for w := 0; w < 24; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for ctx.Err() == nil {
				octx, ocancel := context.WithTimeout(ctx, 2*time.Second)
				start := time.Now()
				var err error
				timed := true
				switch n := r.IntN(100); {
				case n < 60:
					_, err = p.QueryRow(octx, "SELECT id, v FROM amysql_soak WHERE id = ?", r.IntN(10000)+1)
					if err == pool.ErrNoRows {
						err = nil
					}
				case n < 80:
					_, err = p.Execute(octx, "INSERT INTO amysql_soak (worker, v) VALUES (?, ?)", w, fmt.Sprint(r.Int()))
				case n < 95:
					err = p.InTx(octx, func(c *pool.Conn) error {
						if _, err := c.Cursor().Execute(octx, "UPDATE amysql_soak SET v = ? WHERE id = ?", "tx", r.IntN(10000)+1); err != nil {
							return err
						}
						_, err := c.Cursor().Execute(octx, "SELECT COUNT(*) FROM amysql_soak WHERE worker = ?", w)
						return err
					})
				default:
					timed = false // cancelled on purpose; not a latency sample
					cctx, ccancel := context.WithTimeout(octx, 5*time.Millisecond)
					_, err = p.Execute(cctx, "SELECT SLEEP(0.05)")
					ccancel()
					if err != nil && strings.Contains(err.Error(), "deadline") {
						err = nil // the cancellation is the point of this operation
					}
				}
				ocancel()
				if ctx.Err() != nil {
					return
				}
				record(start, err, timed)
			}
		}(w)
	}
	// Chaos: a new fault every 10 s (2 s long), KILLs every 5 s, samples
	// every second.
	faults := []faultproxy.Fault{
		{Latency: 5 * time.Millisecond}, {Stall: true, Probability: 0.2}, {CloseAfter: 4000, Probability: 0.2},
		{CorruptAt: 1, Probability: 0.3}, {Refuse: true, Probability: 0.5},
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for sec := 1; ctx.Err() == nil; sec++ {
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mu.Lock()
		maxG = max(maxG, runtime.NumGoroutine())
		maxHeap = max(maxHeap, ms.HeapInuse)
		mu.Unlock()
		switch {
		case sec%10 == 0:
			f := faults[(sec/10)%len(faults)]
			proxy.Set(f)
			if sec%20 == 0 {
				proxy.ResetAll()
			}
			faultsRun = append(faultsRun, fmt.Sprintf("%+v", f))
		case sec%10 == 2:
			proxy.Clear()
		}
		if sec%5 == 0 {
			idsMu.Lock()
			var victims []uint32
			for id := range ids {
				if len(victims) < 3 {
					victims = append(victims, id)
					delete(ids, id)
				}
			}
			idsMu.Unlock()
			for _, id := range victims {
				if admin.Kill(context.Background(), id) == nil {
					kills++
				}
			}
		}
	}
	wg.Wait()
	st := p.Stat()
	p.Close()
	p.WaitClosed(context.Background())
	proxy.Close()
	time.Sleep(500 * time.Millisecond)
	goroutinesAfter := runtime.NumGoroutine()

	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(f float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(f*float64(len(lat)-1))]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "soak: %v, 24 workers, pool 4..16, through a fault proxy (%d faults) with %d server-side KILLs\n", d, len(faultsRun), kills)
	fmt.Fprintf(&b, "  operations %d (%.0f/s), failed %d (%.3f%%), by class %v\n", ops.Load(), float64(ops.Load())/d.Seconds(), fails.Load(), 100*float64(fails.Load())/float64(max(ops.Load(), 1)), classes)
	fmt.Fprintf(&b, "  first errors of each class: %q\n", samples)
	fmt.Fprintf(&b, "  latency of successful operations: p50 %v, p99 %v, p99.9 %v, max %v; calls past their 2 s deadline by over 1.5 s: %d\n", q(0.5), q(0.99), q(0.999), q(1), overdue.Load())
	fmt.Fprintf(&b, "  reconnects: %d connections opened, destroyed %v\n", st.NewConns, st.Destroyed)
	fmt.Fprintf(&b, "  high-water marks: %d goroutines, %.1f MiB heap in use; goroutines before %d, after close %d\n", maxG, float64(maxHeap)/(1<<20), goroutinesBefore, goroutinesAfter)
	t.Log(b.String())
	if path := os.Getenv("AMYSQL_SOAK_REPORT"); path != "" {
		os.WriteFile(path, []byte(b.String()), 0o644)
	}
	if goroutinesAfter > goroutinesBefore+2 {
		t.Errorf("goroutines: %d before, %d after close", goroutinesBefore, goroutinesAfter)
	}
	if overdue.Load() > 0 {
		t.Errorf("%d calls outlived their deadline by more than the margin", overdue.Load())
	}
	if classes["client"] > 0 {
		t.Errorf("%d errors that are neither timeouts, bad connections nor server errors", classes["client"])
	}
}
