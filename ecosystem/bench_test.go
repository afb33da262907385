package ecosystem

// Benchmarks of the paths Go services take, database/sql and the libraries
// on it, with amysql's driver beside go-sql-driver/mysql in the same
// process, each in two modes:
//
//   - text: statements with arguments are interpolated on the client and
//     sent as one COM_QUERY (amysql's default; go-sql-driver with
//     interpolateParams=true, its fastest mode for one-off statements);
//   - prepared: server-side prepared statements, binary protocol, kept as
//     *sql.Stmt by the benchmark or by the library (GORM's PrepareStmt,
//     sqlx's Preparex), which database/sql prepares once per connection
//     (amysql with binary_protocol=true; go-sql-driver's default).
//
// Sub-benchmarks are named <what>/<driver>-<mode>, so a script can run
// them alternately and pair them by mode (scripts/bench-ecosystem.sh).
// cpu-µs/op is this process's CPU per operation, p50-µs the median
// latency.

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/amysql/amysql/internal/testserver"
	_ "github.com/amysql/amysql/stdlib"
)

// sqlSystems are the driver-mode pairs every database/sql benchmark runs.
var sqlSystems = []string{"amysql-text", "go-sql-driver-text", "amysql-prepared", "go-sql-driver-prepared"}

// prepared reports whether system runs server-side prepared statements.
func prepared(system string) bool { return strings.Contains(system, "-prepared") }

// openSQL opens system's driver in its mode on the test server, with the
// 100,000-row amysql_speed table in place; conns bounds its connections.
func openSQL(b *testing.B, system string, conns int) *sql.DB {
	dsn := testserver.FromEnv(b).DSN
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	var db *sql.DB
	var err error
	switch system {
	case "amysql-text":
		db, err = sql.Open("amysql", dsn)
	case "amysql-prepared":
		db, err = sql.Open("amysql", dsn+sep+"binary_protocol=true")
	case "amysql-prepared-spin": // spinning before a read sleeps (off by default)
		db, err = sql.Open("amysql", dsn+sep+"binary_protocol=true&spin_wait=50us")
	case "go-sql-driver-text":
		db, err = sql.Open("mysql", dsn+sep+"interpolateParams=true&parseTime=true")
	case "go-sql-driver-prepared":
		db, err = sql.Open("mysql", dsn+sep+"parseTime=true")
	default:
		err = fmt.Errorf("unknown system %q", system)
	}
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	b.Cleanup(func() { db.Close() })
	speedTable(b, db, 100000)
	return db
}

// queryRower is a *sql.DB running a statement, or the *sql.Stmt prepared
// for it.
type queryRower func(ctx context.Context, args ...any) *sql.Row

// rowQuerier returns how system runs q: db.QueryRowContext in text mode,
// a *sql.Stmt kept for the benchmark in prepared mode.
func rowQuerier(b *testing.B, db *sql.DB, system, q string) queryRower {
	if !prepared(system) {
		return func(ctx context.Context, args ...any) *sql.Row { return db.QueryRowContext(ctx, q, args...) }
	}
	st, err := db.Prepare(q)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st.QueryRowContext
}

// rowsQuerier is rowQuerier for statements with several rows.
func rowsQuerier(b *testing.B, db *sql.DB, system, q string) func(ctx context.Context, args ...any) (*sql.Rows, error) {
	if !prepared(system) {
		return func(ctx context.Context, args ...any) (*sql.Rows, error) { return db.QueryContext(ctx, q, args...) }
	}
	st, err := db.Prepare(q)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st.QueryContext
}

// sequential runs op b.N times from one goroutine and reports the median
// latency and the CPU per operation.
func sequential(b *testing.B, op func(i int) error) {
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/1e3/float64(b.N), "cpu-µs/op")
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
}

// BenchmarkDatabaseSQLPointSelect: one primary-key lookup at a time on one
// connection through database/sql; amysql-prepared-spin is amysql with
// spin_wait=50us (Config.SpinWait, off by default).
func BenchmarkDatabaseSQLPointSelect(b *testing.B) {
	for _, system := range append(sqlSystems, "amysql-prepared-spin") {
		b.Run(system, func(b *testing.B) {
			db := openSQL(b, system, 1)
			query := rowQuerier(b, db, system, pointSQL)
			ctx := context.Background()
			var c string
			sequential(b, func(i int) error { return query(ctx, i%100000+1).Scan(&c) })
		})
	}
}

// BenchmarkDatabaseSQLRange100: a 100-row range at a time on one
// connection through database/sql.
func BenchmarkDatabaseSQLRange100(b *testing.B) {
	for _, system := range sqlSystems {
		b.Run(system, func(b *testing.B) {
			db := openSQL(b, system, 1)
			query := rowsQuerier(b, db, system, "SELECT id, c FROM amysql_speed WHERE id BETWEEN ? AND ?")
			ctx := context.Background()
			var id int64
			var c sql.RawBytes
			sequential(b, func(i int) error {
				start := i%99900 + 1
				rows, err := query(ctx, start, start+99)
				if err != nil {
					return err
				}
				n := 0
				for rows.Next() {
					if err := rows.Scan(&id, &c); err != nil {
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
			})
		})
	}
}

// BenchmarkDatabaseSQLPointSelect16: primary-key lookups from 16 workers
// through database/sql, 16 connections.
func BenchmarkDatabaseSQLPointSelect16(b *testing.B) {
	for _, system := range sqlSystems {
		b.Run(system, func(b *testing.B) {
			db := openSQL(b, system, speedWorkers)
			query := rowQuerier(b, db, system, pointSQL)
			parallel(b, func(ctx context.Context, i int) error {
				var s string
				return query(ctx, i%100000+1).Scan(&s)
			})
		})
	}
}

// BenchmarkDatabaseSQLRange100x16: 100-row ranges (id, k, c, pad) from 16
// workers through database/sql, 16 connections; rows/s is the figure.
func BenchmarkDatabaseSQLRange100x16(b *testing.B) {
	for _, system := range sqlSystems {
		b.Run(system, func(b *testing.B) {
			db := openSQL(b, system, speedWorkers)
			query := rowsQuerier(b, db, system, rangeSQL)
			parallel(b, func(ctx context.Context, i int) error {
				start := i%99900 + 1
				rows, err := query(ctx, start, start+99)
				if err != nil {
					return err
				}
				return scanRange(rows)
			})
			rowsPerSec(b)
		})
	}
}
