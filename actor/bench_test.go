package actor_test

import (
	"context"
	"testing"

	"github.com/amysql/amysql/actor"
)

// BenchmarkPointSelect measures one primary-key lookup (Execute +
// FetchOne) on one connection against the test server.
func BenchmarkPointSelect(b *testing.B) {
	c := connect(b)
	tbl := benchTable(b, c, 10000)
	ctx := context.Background()
	cur := c.Cursor()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := cur.Execute(ctx, "SELECT id, v FROM "+tbl+" WHERE id = ?", i%10000+1); err != nil {
			b.Fatal(err)
		}
		if _, err := cur.FetchOne(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPointSelectScan is the point select read with Next/Scan, which
// decodes without allocating.
func BenchmarkPointSelectScan(b *testing.B) {
	c := connect(b)
	tbl := benchTable(b, c, 10000)
	ctx := context.Background()
	cur := c.Cursor()
	var id, v int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := cur.Execute(ctx, "SELECT id, v FROM "+tbl+" WHERE id = ?", i%10000+1); err != nil {
			b.Fatal(err)
		}
		for cur.Next(ctx) {
			if err := cur.Scan(&id, &v); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkPointSelectUnderContext is BenchmarkPointSelectScan under the
// contexts callers use: none that can end, one shared by every query (its
// registration is kept), and a new one per query.
func BenchmarkPointSelectUnderContext(b *testing.B) {
	for _, mode := range []string{"background", "shared", "per-query"} {
		b.Run(mode, func(b *testing.B) {
			c := connect(b)
			tbl := benchTable(b, c, 10000)
			q := "SELECT id, v FROM " + tbl + " WHERE id = ?"
			shared, cancel := context.WithCancel(context.Background())
			defer cancel()
			cur := c.Cursor()
			var id, v int64
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ctx, end := context.Background(), context.CancelFunc(nil)
				switch mode {
				case "shared":
					ctx = shared
				case "per-query":
					ctx, end = context.WithCancel(shared)
				}
				if _, err := cur.Execute(ctx, q, i%10000+1); err != nil {
					b.Fatal(err)
				}
				for cur.Next(ctx) {
					if err := cur.Scan(&id, &v); err != nil {
						b.Fatal(err)
					}
				}
				if end != nil {
					end()
				}
			}
		})
	}
}

// BenchmarkFetch10kRowsScan reads 10,000 rows through Scan; ns/op and
// allocs/op are per 10,000-row result.
func BenchmarkFetch10kRowsScan(b *testing.B) {
	for _, kind := range []actor.CursorKind{actor.TupleCursor, actor.SSCursor} {
		b.Run(kind.String(), func(b *testing.B) {
			c := connect(b)
			tbl := benchTable(b, c, 10000)
			ctx := context.Background()
			cur := c.Cursor(kind)
			var id, v int64
			var s []byte
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := cur.Execute(ctx, "SELECT id, v, pad FROM "+tbl); err != nil {
					b.Fatal(err)
				}
				n := 0
				for cur.Next(ctx) {
					if err := cur.Scan(&id, &v, (*rawBytes)(&s)); err != nil {
						b.Fatal(err)
					}
					n++
				}
				if err := cur.Err(); err != nil || n != 10000 {
					b.Fatalf("%d rows, %v", n, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10000), "ns/row")
		})
	}
}

func benchTable(b testing.TB, c *actor.Conn, n int) string {
	b.Helper()
	name := "amysql_bench"
	row := queryRow(b, c, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", name)
	if row[0].(int64) == 1 {
		if cnt := queryRow(b, c, "SELECT COUNT(*) FROM "+name)[0].(int64); cnt == int64(n) {
			return name
		}
	}
	mustExec(b, c, "DROP TABLE IF EXISTS "+name)
	mustExec(b, c, "CREATE TABLE "+name+" (id INT PRIMARY KEY, v BIGINT NOT NULL, pad CHAR(60) NOT NULL)")
	mustExec(b, c, "INSERT INTO "+name+" SELECT seq, seq * 7, REPEAT('x', 60) FROM seq_1_to_"+itoa(n))
	return name
}
