package ecosystem

// Benchmarks for the rows of the speed table in docs/performance.md, each
// with amysql beside go-sql-driver/mysql (or pgxpool) in the same run.
// cpu-µs/op is this process's CPU (user+sys) per operation: on a machine
// where client and server share cores it decides throughput.
//
//	go test -run XXX -bench Speed -benchtime 3s ./ecosystem

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/pool"
)

const speedWorkers = 16

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// speedTable makes sure amysql_speed holds rows 1..n.
func speedTable(b *testing.B, db *sql.DB, n int) {
	var have int
	if db.QueryRow("SELECT COUNT(*) FROM amysql_speed").Scan(&have) == nil && have == n {
		return
	}
	for _, q := range []string{
		"DROP TABLE IF EXISTS amysql_speed",
		"CREATE TABLE amysql_speed (id INT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL)",
		fmt.Sprintf("INSERT INTO amysql_speed SELECT seq, seq %% 1000, REPEAT('c', 120), REPEAT('p', 60) FROM seq_1_to_%d", n),
	} {
		if _, err := db.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
}

// speedDBs opens amysql and go-sql-driver through database/sql, and an
// amysql pool, all sized for speedWorkers.
type speedDBs struct {
	amysqlSQL, goSQL, goSQLInterp *sql.DB
	pool                          *pool.Pool
}

func openSpeed(b *testing.B) *speedDBs {
	dsn := testserver.FromEnv(b).DSN
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	open := func(driver, dsn string) *sql.DB {
		db, err := sql.Open(driver, dsn)
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(speedWorkers)
		db.SetMaxIdleConns(speedWorkers)
		b.Cleanup(func() { db.Close() })
		return db
	}
	d := &speedDBs{
		amysqlSQL:   open("amysql", dsn),
		goSQL:       open("mysql", dsn),
		goSQLInterp: open("mysql", dsn+sep+"interpolateParams=true"),
	}
	cfg, err := pool.ParseConfig(dsn)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MinSize, cfg.MaxSize = speedWorkers, speedWorkers
	d.pool, err = pool.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(d.pool.Close)
	speedTable(b, d.amysqlSQL, 100000)
	return d
}

// parallel runs op from speedWorkers goroutines and reports CPU per op.
func parallel(b *testing.B, op func(ctx context.Context, i int) error) {
	ctx := context.Background()
	b.SetParallelism((speedWorkers + 1) / 2)
	b.ReportAllocs()
	var seed atomic.Int64
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seed.Add(7919))
		for pb.Next() {
			i++
			if err := op(ctx, i); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/1e3/float64(b.N), "cpu-µs/op")
}

const pointSQL = "SELECT c FROM amysql_speed WHERE id = ?"

// poolPointSelect is a point select through amysql's pool API.
func poolPointSelect(p *pool.Pool, binary bool) func(ctx context.Context, i int) error {
	return func(ctx context.Context, i int) error {
		c, err := p.Acquire(ctx)
		if err != nil {
			return err
		}
		defer c.Release()
		cur := c.Cursor()
		defer cur.Close(ctx)
		cur.Binary = binary
		if _, err := cur.Execute(ctx, pointSQL, i%100000+1); err != nil {
			return err
		}
		var s sql.RawBytes
		for cur.Next(ctx) {
			if err := cur.Scan(&s); err != nil {
				return err
			}
		}
		return cur.Err()
	}
}

// BenchmarkSpeedPointSelect16: primary-key lookups from 16 workers through
// amysql's pool API, beside go-sql-driver through database/sql in the same
// mode (text: interpolateParams; prepared: a *sql.Stmt kept for the run).
// BenchmarkDatabaseSQLPointSelect16 has amysql through database/sql.
func BenchmarkSpeedPointSelect16(b *testing.B) {
	d := openSpeed(b)
	b.Run("amysql-pool-text", func(b *testing.B) { parallel(b, poolPointSelect(d.pool, false)) })
	b.Run("amysql-pool-prepared", func(b *testing.B) { parallel(b, poolPointSelect(d.pool, true)) })
	stmt, err := d.goSQL.Prepare(pointSQL)
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	b.Run("go-sql-driver-prepared", func(b *testing.B) {
		parallel(b, func(ctx context.Context, i int) error {
			var s string
			return stmt.QueryRowContext(ctx, i%100000+1).Scan(&s)
		})
	})
	b.Run("go-sql-driver-text", func(b *testing.B) {
		parallel(b, func(ctx context.Context, i int) error {
			var s string
			return d.goSQLInterp.QueryRowContext(ctx, pointSQL, i%100000+1).Scan(&s)
		})
	})
}

const rangeSQL = "SELECT id, k, c, pad FROM amysql_speed WHERE id BETWEEN ? AND ?"

// rowsPerSec reports the rows of 100-row ranges per second.
func rowsPerSec(b *testing.B) {
	b.ReportMetric(float64(b.N)*100/b.Elapsed().Seconds(), "rows/s")
}

// scanRange reads a 100-row range of rangeSQL from rows.
func scanRange(rows *sql.Rows) error {
	var id, k int64
	var cc, pad sql.RawBytes
	n := 0
	for rows.Next() {
		if err := rows.Scan(&id, &k, &cc, &pad); err != nil {
			rows.Close()
			return err
		}
		n++
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if n != 100 {
		return fmt.Errorf("%d rows, want 100", n)
	}
	return nil
}

// BenchmarkSpeedRange100x16: 100-row ranges from 16 workers through
// amysql's pool API, beside go-sql-driver in the same mode; rows/s is the
// figure. BenchmarkDatabaseSQLRange100x16 has amysql through database/sql.
func BenchmarkSpeedRange100x16(b *testing.B) {
	d := openSpeed(b)
	for _, binary := range []bool{false, true} {
		name := "amysql-pool-text"
		if binary {
			name = "amysql-pool-prepared"
		}
		b.Run(name, func(b *testing.B) {
			parallel(b, func(ctx context.Context, i int) error {
				c, err := d.pool.Acquire(ctx)
				if err != nil {
					return err
				}
				defer c.Release()
				cur := c.Cursor()
				defer cur.Close(ctx)
				cur.Binary = binary
				start := i%99900 + 1
				if _, err := cur.Execute(ctx, rangeSQL, start, start+99); err != nil {
					return err
				}
				var id, k int64
				var cc, pad sql.RawBytes
				n := 0
				for cur.Next(ctx) {
					if err := cur.Scan(&id, &k, &cc, &pad); err != nil {
						return err
					}
					n++
				}
				if n != 100 {
					return fmt.Errorf("%d rows, want 100", n)
				}
				return cur.Err()
			})
			rowsPerSec(b)
		})
	}
	stmt, err := d.goSQL.Prepare(rangeSQL)
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	b.Run("go-sql-driver-prepared", func(b *testing.B) {
		parallel(b, func(ctx context.Context, i int) error {
			start := i%99900 + 1
			rows, err := stmt.QueryContext(ctx, start, start+99)
			if err != nil {
				return err
			}
			return scanRange(rows)
		})
		rowsPerSec(b)
	})
	b.Run("go-sql-driver-text", func(b *testing.B) {
		parallel(b, func(ctx context.Context, i int) error {
			start := i%99900 + 1
			rows, err := d.goSQLInterp.QueryContext(ctx, rangeSQL, start, start+99)
			if err != nil {
				return err
			}
			return scanRange(rows)
		})
		rowsPerSec(b)
	})
}

// BenchmarkSpeedFetch100k reads all 100,000 rows through Scan; ns/row and
// allocs/row are the figures.
func BenchmarkSpeedFetch100k(b *testing.B) {
	d := openSpeed(b)
	const q = "SELECT id, k, c, pad FROM amysql_speed"
	perRow := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100000, "ns/row")
	}
	stream := func(binary bool) func(b *testing.B) {
		return func(b *testing.B) {
			ctx := context.Background()
			c, err := d.pool.Acquire(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Release()
			cur := c.Cursor(actor.SSCursor)
			cur.Binary = binary
			var id, k int64
			var cc, pad sql.RawBytes
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := cur.Execute(ctx, q); err != nil {
					b.Fatal(err)
				}
				n := 0
				for cur.Next(ctx) {
					if err := cur.Scan(&id, &k, &cc, &pad); err != nil {
						b.Fatal(err)
					}
					n++
				}
				if err := cur.Err(); err != nil || n != 100000 {
					b.Fatalf("%d rows, %v", n, err)
				}
			}
			perRow(b)
		}
	}
	b.Run("amysql-stream", stream(false))
	b.Run("amysql-stream-prepared", stream(true))
	b.Run("go-sql-driver", func(b *testing.B) {
		var id, k int64
		var cc, pad sql.RawBytes
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			rows, err := d.goSQL.Query(q)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				if err := rows.Scan(&id, &k, &cc, &pad); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if err := rows.Close(); err != nil || n != 100000 {
				b.Fatalf("%d rows, %v", n, err)
			}
		}
		perRow(b)
	})
}

// BenchmarkSpeedPointSelectLatency: one worker; p50-µs is the median
// latency of a point select.
func BenchmarkSpeedPointSelectLatency(b *testing.B) {
	d := openSpeed(b)
	ctx := context.Background()
	stmt, err := d.goSQL.Prepare(pointSQL)
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	run := func(b *testing.B, op func(i int) error) {
		lat := make([]time.Duration, 0, b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			if err := op(i); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	}
	// The last variant spins before sleeping (Config.SpinWait).
	spinCfg := d.pool.Config()
	spinCfg.MinSize, spinCfg.MaxSize = 1, 1
	spinCfg.Conn.SpinWait, spinCfg.Conn.SpinGroup = 50*time.Microsecond, nil
	spinPool, err := pool.New(spinCfg)
	if err != nil {
		b.Fatal(err)
	}
	defer spinPool.Close()
	for _, v := range []struct {
		name   string
		pool   *pool.Pool
		binary bool
	}{
		{"amysql-pool", d.pool, false},
		{"amysql-pool-prepared", d.pool, true},
		{"amysql-pool-prepared-spin", spinPool, true},
	} {
		b.Run(v.name, func(b *testing.B) {
			var s sql.RawBytes
			run(b, func(i int) error {
				c, err := v.pool.Acquire(ctx)
				if err != nil {
					return err
				}
				defer c.Release()
				cur := c.Cursor()
				cur.Binary = v.binary
				if _, err := cur.Execute(ctx, pointSQL, i%100000+1); err != nil {
					return err
				}
				for cur.Next(ctx) {
					cur.Scan(&s)
				}
				return cur.Err()
			})
		})
	}
	b.Run("go-sql-driver-prepared", func(b *testing.B) {
		var s string
		run(b, func(i int) error { return stmt.QueryRowContext(ctx, i%100000+1).Scan(&s) })
	})
}

// BenchmarkSpeedAcquireRelease: one Acquire and Release of an idle
// connection, amysql's pool beside pgxpool (its own benchmark's loop,
// against the PostgreSQL named by AMYSQL_PG_DSN, default the local one).
func BenchmarkSpeedAcquireRelease(b *testing.B) {
	d := openSpeed(b)
	ctx := context.Background()
	b.Run("amysql", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			c, err := d.pool.Acquire(ctx)
			if err != nil {
				b.Fatal(err)
			}
			c.Release()
		}
	})
	b.Run("pgxpool", func(b *testing.B) {
		dsn := os.Getenv("AMYSQL_PG_DSN")
		if dsn == "" {
			dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
		}
		p, err := pgxpool.New(ctx, dsn)
		if err != nil {
			b.Skipf("pgxpool: %v", err)
		}
		defer p.Close()
		if err := p.Ping(ctx); err != nil {
			b.Skipf("no PostgreSQL for the pgxpool reference: %v", err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			c, err := p.Acquire(ctx)
			if err != nil {
				b.Fatal(err)
			}
			c.Release()
		}
	})
}
