package ecosystem

// Benchmarks of the pipelining figures in docs/performance.md: each
// workload over a fixed network delay put in by the fault proxy (0.5 ms
// and 1 ms round trips) and on loopback, amysql's pipelined path beside
// its one-statement-per-round-trip path and beside go-sql-driver.
//
//	go test -run XXX -bench Pipeline -benchtime 2s ./ecosystem
//
// server-µs/op is the MariaDB server's CPU per operation, read from
// /proc when the server runs on this machine (its pid file in
// /run/mysqld).

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/faultproxy"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/pool"
)

var pipelineRTTs = []time.Duration{0, 500 * time.Microsecond, time.Millisecond}

// delayedTarget is the test server behind a proxy adding rtt (nil proxy
// on loopback: the server itself).
func delayedTarget(b *testing.B, rtt time.Duration) (actor.Config, string) {
	tg := testserver.FromEnv(b)
	cfg, err := actor.ParseDSN(tg.DSN)
	if err != nil {
		b.Fatal(err)
	}
	if rtt > 0 {
		network, addr := "tcp", fmt.Sprintf("%s:%d", tg.Host, tg.Port)
		if cfg.UnixSocket != "" {
			network, addr = "unix", cfg.UnixSocket
		}
		p, err := faultproxy.Listen(network, addr)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(p.Close)
		p.Set(faultproxy.Fault{Latency: rtt / 2})
		cfg.UnixSocket, cfg.Host, cfg.Port = "", "127.0.0.1", p.Port()
	}
	cred := cfg.User
	if cfg.Password != "" {
		cred += ":" + cfg.Password
	}
	addr := fmt.Sprintf("tcp(%s:%d)", cfg.Host, cfg.Port)
	if cfg.UnixSocket != "" {
		addr = "unix(" + cfg.UnixSocket + ")"
	}
	return cfg, cred + "@" + addr + "/" + cfg.DB + "?interpolateParams=true&parseTime=true"
}

// serverTicks is the local MariaDB server's CPU time so far, 0 when it
// cannot be read.
func serverTicks() time.Duration {
	pid, err := os.ReadFile("/run/mysqld/mysqld.pid")
	if err != nil {
		return 0
	}
	stat, err := os.ReadFile("/proc/" + strings.TrimSpace(string(pid)) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(stat)[strings.LastIndexByte(string(stat), ')')+2:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond // USER_HZ is 100
}

// measure runs op b.N times and reports the server's CPU per op.
func measure(b *testing.B, op func(i int) error) {
	b.ReportAllocs()
	srv := serverTicks()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := op(i); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if srv > 0 {
		b.ReportMetric(float64(serverTicks()-srv)/float64(time.Microsecond)/float64(b.N), "server-µs/op")
	}
}

func connectPipe(b *testing.B, cfg actor.Config, mode actor.PipelineMode) *actor.Conn {
	cfg.Pipeline = mode
	c, err := actor.Connect(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

func openGoSQL(b *testing.B, dsn string) *sql.DB {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	return db
}

func rttName(rtt time.Duration) string {
	if rtt == 0 {
		return "loopback"
	}
	return "rtt=" + rtt.String()
}

// pointTable creates the point-select table (1000 rows, the sysbench
// shape) in the suite's scratch database once.
func pointTable(b *testing.B, cfg actor.Config) {
	ctx := context.Background()
	c := connectPipe(b, cfg, actor.PipelineAuto)
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS amysql_pipe_points (id INT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL) ENGINE=InnoDB",
		"INSERT IGNORE INTO amysql_pipe_points SELECT seq, seq * 7 % 1000, REPEAT(CHAR(97 + seq % 26), 120) FROM seq_1_to_1000",
	} {
		if _, err := c.Cursor().Execute(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

const pointSelect = "SELECT c FROM amysql_pipe_points WHERE id = ?"

// pointID spreads the selects over the table's 1000 rows.
func pointID(i int) int { return i*7919%1000 + 1 }

func BenchmarkPipeline10PointSelects(b *testing.B) {
	ctx := context.Background()
	for _, rtt := range pipelineRTTs {
		cfg, gdsn := delayedTarget(b, rtt)
		pointTable(b, cfg)
		b.Run(rttName(rtt)+"/amysql-batch", func(b *testing.B) {
			c := connectPipe(b, cfg, actor.PipelineAuto)
			measure(b, func(i int) error {
				bt := &actor.Batch{}
				for k := 0; k < 10; k++ {
					bt.Queue(pointSelect, pointID(i*10+k))
				}
				br := c.SendBatch(ctx, bt)
				for k := 0; k < 10; k++ {
					cur, err := br.Query()
					if err != nil {
						return err
					}
					for cur.Next(ctx) {
					}
				}
				return br.Close()
			})
		})
		b.Run(rttName(rtt)+"/amysql-one-by-one", func(b *testing.B) {
			c := connectPipe(b, cfg, actor.PipelineAuto)
			cur := c.Cursor()
			measure(b, func(i int) error {
				for k := 0; k < 10; k++ {
					if _, err := cur.Execute(ctx, pointSelect, pointID(i*10+k)); err != nil {
						return err
					}
					for cur.Next(ctx) {
					}
				}
				return nil
			})
		})
		b.Run(rttName(rtt)+"/go-sql-driver", func(b *testing.B) {
			db := openGoSQL(b, gdsn)
			measure(b, func(i int) error {
				for k := 0; k < 10; k++ {
					var v []byte
					if err := db.QueryRowContext(ctx, pointSelect, pointID(i*10+k)).Scan(&v); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
}

// BenchmarkPipelineFirstPreparedExecute runs a statement the connection
// has not prepared yet (a new text every time), prepared and executed.
func BenchmarkPipelineFirstPreparedExecute(b *testing.B) {
	ctx := context.Background()
	for _, rtt := range pipelineRTTs {
		cfg, gdsn := delayedTarget(b, rtt)
		for _, m := range []struct {
			name string
			mode actor.PipelineMode
		}{{"amysql-one-round-trip", actor.PipelineAuto}, {"amysql-prepare-then-execute", actor.PipelineOff}} {
			b.Run(rttName(rtt)+"/"+m.name, func(b *testing.B) {
				cur := connectPipe(b, cfg, m.mode).Cursor()
				cur.Binary = true
				measure(b, func(i int) error {
					_, err := cur.Execute(ctx, "SELECT ? + "+strconv.Itoa(i), 1)
					return err
				})
			})
		}
		b.Run(rttName(rtt)+"/go-sql-driver", func(b *testing.B) {
			db := openGoSQL(b, strings.Replace(gdsn, "interpolateParams=true", "interpolateParams=false", 1))
			measure(b, func(i int) error {
				st, err := db.PrepareContext(ctx, "SELECT ? + "+strconv.Itoa(i))
				if err != nil {
					return err
				}
				defer st.Close()
				var v int
				return st.QueryRowContext(ctx, 1).Scan(&v)
			})
		})
	}
}

// BenchmarkPipelineExecuteMany1000Updates updates 1000 rows through
// ExecuteMany: bulk execution, pipelined batches (the rows' argument types
// differ, so no bulk), one per round trip, and go-sql-driver row by row;
// each under autocommit (where the server commits every row, bulk or not)
// and inside a transaction (one commit).
func BenchmarkPipelineExecuteMany1000Updates(b *testing.B) {
	ctx := context.Background()
	for _, rtt := range pipelineRTTs {
		cfg, gdsn := delayedTarget(b, rtt)
		setup := connectPipe(b, cfg, actor.PipelineAuto)
		if _, err := setup.Cursor().Execute(ctx, "CREATE TABLE IF NOT EXISTS amysql_pipe_upd (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB"); err != nil {
			b.Fatal(err)
		}
		if _, err := setup.Cursor().Execute(ctx, "INSERT IGNORE INTO amysql_pipe_upd SELECT seq, '' FROM seq_1_to_1000"); err != nil {
			b.Fatal(err)
		}
		rows := func(i int, mixed bool) [][]any {
			out := make([][]any, 1000)
			for k := range out {
				var v any = fmt.Sprint("v", i)
				if mixed && k%2 == 1 {
					v = i
				}
				out[k] = []any{v, k + 1}
			}
			return out
		}
		const q = "UPDATE amysql_pipe_upd SET v = ? WHERE id = ?"
		for _, tx := range []bool{false, true} {
			commit := "autocommit"
			if tx {
				commit = "in-tx"
			}
			for _, m := range []struct {
				name  string
				mode  actor.PipelineMode
				mixed bool
			}{{"amysql-bulk", actor.PipelineAuto, false}, {"amysql-pipelined", actor.PipelineAuto, true}, {"amysql-one-by-one", actor.PipelineOff, false}} {
				b.Run(rttName(rtt)+"/"+commit+"/"+m.name, func(b *testing.B) {
					if rtt > 0 && m.mode == actor.PipelineOff && testing.Short() {
						b.Skip("slow")
					}
					c := connectPipe(b, cfg, m.mode)
					cur := c.Cursor()
					measure(b, func(i int) error {
						if tx {
							if err := c.Begin(ctx); err != nil {
								return err
							}
						}
						if _, err := cur.ExecuteMany(ctx, q, rows(i, m.mixed)); err != nil {
							return err
						}
						if tx {
							return c.Commit(ctx)
						}
						return nil
					})
				})
			}
			b.Run(rttName(rtt)+"/"+commit+"/go-sql-driver", func(b *testing.B) {
				db := openGoSQL(b, gdsn)
				measure(b, func(i int) error {
					var ex interface {
						ExecContext(context.Context, string, ...any) (sql.Result, error)
					} = db
					var t *sql.Tx
					if tx {
						var err error
						if t, err = db.BeginTx(ctx, nil); err != nil {
							return err
						}
						ex = t
					}
					for _, r := range rows(i, false) {
						if _, err := ex.ExecContext(ctx, q, r...); err != nil {
							return err
						}
					}
					if t != nil {
						return t.Commit()
					}
					return nil
				})
			})
		}
	}
}

// BenchmarkPipelineResetAndTx resets a session (with charset, sql_mode,
// time_zone, autocommit and an init command to apply again), and runs a
// transaction of 5 statements: an atomic batch, InTx one statement at a
// time, and go-sql-driver's Tx.
func BenchmarkPipelineResetAndTx(b *testing.B) {
	ctx := context.Background()
	for _, rtt := range pipelineRTTs {
		cfg, gdsn := delayedTarget(b, rtt)
		on := true
		rc := cfg
		rc.SQLMode, rc.TimeZone, rc.Autocommit, rc.InitCommand = "ANSI_QUOTES", "+00:00", &on, "SET @app = 1"
		rc.Charset, rc.Collation = "utf8mb4", "utf8mb4_uca1400_ai_ci"
		for _, m := range []struct {
			name string
			mode actor.PipelineMode
		}{{"pipelined", actor.PipelineAuto}, {"one-by-one", actor.PipelineOff}} {
			b.Run(rttName(rtt)+"/reset-session/amysql-"+m.name, func(b *testing.B) {
				c := connectPipe(b, rc, m.mode)
				measure(b, func(int) error { return c.ResetSession(ctx) })
			})
		}
		setup := connectPipe(b, cfg, actor.PipelineAuto)
		if _, err := setup.Cursor().Execute(ctx, "CREATE TABLE IF NOT EXISTS amysql_pipe_tx (id INT PRIMARY KEY AUTO_INCREMENT, v INT) ENGINE=InnoDB"); err != nil {
			b.Fatal(err)
		}
		p, err := pool.New(pool.Config{Conn: cfg, MinSize: 1, MaxSize: 1, PingIdle: -1})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(p.Close)
		const ins = "INSERT INTO amysql_pipe_tx (v) VALUES (?)"
		b.Run(rttName(rtt)+"/tx-5/amysql-atomic-batch", func(b *testing.B) {
			measure(b, func(i int) error {
				bt := &actor.Batch{Atomic: true}
				for k := 0; k < 5; k++ {
					bt.Queue(ins, i)
				}
				br := p.SendBatch(ctx, bt)
				for k := 0; k < 5; k++ {
					if _, err := br.Exec(); err != nil {
						return err
					}
				}
				return br.Close()
			})
		})
		b.Run(rttName(rtt)+"/tx-5/amysql-InTx", func(b *testing.B) {
			measure(b, func(i int) error {
				return p.InTx(ctx, func(c *pool.Conn) error {
					cur := c.Cursor()
					for k := 0; k < 5; k++ {
						if _, err := cur.Execute(ctx, ins, i); err != nil {
							return err
						}
					}
					return nil
				})
			})
		})
		b.Run(rttName(rtt)+"/tx-5/go-sql-driver", func(b *testing.B) {
			db := openGoSQL(b, gdsn)
			measure(b, func(i int) error {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					return err
				}
				for k := 0; k < 5; k++ {
					if _, err := tx.ExecContext(ctx, ins, i); err != nil {
						tx.Rollback()
						return err
					}
				}
				return tx.Commit()
			})
		})
	}
}

// BenchmarkPipelineLoopback16Workers runs 4 point selects per operation
// from 16 goroutines on a pool of 16 connections, over loopback: one
// batch of 4 against 4 single queries (amysql's and go-sql-driver's).
// queries/s is the throughput; server-µs/query the server's CPU per
// statement.
func BenchmarkPipelineLoopback16Workers(b *testing.B) {
	ctx := context.Background()
	cfg, gdsn := delayedTarget(b, 0)
	pointTable(b, cfg)
	const workers, perOp = 16, 4
	p, err := pool.New(pool.Config{Conn: cfg, MinSize: workers, MaxSize: workers})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.Close)
	b.Run("amysql-batch-of-4", func(b *testing.B) {
		measureParallel(b, workers, perOp, func(i int) error {
			bt := &actor.Batch{}
			for k := 0; k < perOp; k++ {
				bt.Queue(pointSelect, pointID(i*perOp+k))
			}
			br := p.SendBatch(ctx, bt)
			for k := 0; k < perOp; k++ {
				cur, err := br.Query()
				if err != nil {
					br.Close()
					return err
				}
				for cur.Next(ctx) {
				}
			}
			return br.Close()
		})
	})
	b.Run("amysql-4-singles", func(b *testing.B) {
		measureParallel(b, workers, perOp, func(i int) error {
			for k := 0; k < perOp; k++ {
				var c []byte
				if err := p.QueryRowScan(ctx, pointSelect, []any{pointID(i*perOp + k)}, &c); err != nil {
					return err
				}
			}
			return nil
		})
	})
	b.Run("go-sql-driver-4-singles", func(b *testing.B) {
		db := openGoSQL(b, gdsn)
		db.SetMaxOpenConns(workers)
		db.SetMaxIdleConns(workers)
		measureParallel(b, workers, perOp, func(i int) error {
			for k := 0; k < perOp; k++ {
				var c []byte
				if err := db.QueryRowContext(ctx, pointSelect, pointID(i*perOp+k)).Scan(&c); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// measureParallel runs op b.N times from workers goroutines and reports
// queries per second and the server's CPU per query (perOp queries an op).
func measureParallel(b *testing.B, workers, perOp int, op func(i int) error) {
	b.ReportAllocs()
	b.SetParallelism((workers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	var seq atomic.Int64
	srv := serverTicks()
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(int(seq.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	queries := float64(b.N * perOp)
	b.ReportMetric(queries/time.Since(start).Seconds(), "queries/s")
	if srv > 0 {
		b.ReportMetric(float64(serverTicks()-srv)/float64(time.Microsecond)/queries, "server-µs/query")
	}
}
