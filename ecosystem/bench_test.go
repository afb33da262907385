package ecosystem

import (
	"database/sql"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"

	"github.com/amysql/amysql/internal/testserver"
)

// drivers returns both drivers on the same server: amysql and
// go-sql-driver/mysql (with interpolateParams, its fastest mode).
func drivers(b *testing.B) map[string]*sql.DB {
	dsn := testserver.FromEnv(b).DSN
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	out := map[string]*sql.DB{}
	for name, d := range map[string][2]string{
		"amysql":        {"amysql", dsn},
		"go-sql-driver": {"mysql", dsn + sep + "interpolateParams=true"},
	} {
		db, err := sql.Open(d[0], d[1])
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxIdleConns(4)
		b.Cleanup(func() { db.Close() })
		out[name] = db
	}
	db := out["amysql"]
	db.Exec("CREATE TABLE IF NOT EXISTS amysql_sql_bench (id INT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL)")
	db.Exec("INSERT IGNORE INTO amysql_sql_bench SELECT seq, seq % 1000, REPEAT('c', 120), REPEAT('p', 60) FROM seq_1_to_10000")
	return out
}

// BenchmarkDatabaseSQLPointSelect: one primary-key lookup through
// database/sql, amysql beside go-sql-driver in one run.
func BenchmarkDatabaseSQLPointSelect(b *testing.B) {
	for _, name := range []string{"amysql", "go-sql-driver"} {
		b.Run(name, func(b *testing.B) {
			db := drivers(b)[name]
			var c string
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := db.QueryRow("SELECT c FROM amysql_sql_bench WHERE id = ?", i%10000+1).Scan(&c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDatabaseSQLRange100: a 100-row range through database/sql.
func BenchmarkDatabaseSQLRange100(b *testing.B) {
	for _, name := range []string{"amysql", "go-sql-driver"} {
		b.Run(name, func(b *testing.B) {
			db := drivers(b)[name]
			var id int
			var c sql.RawBytes
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := i%9900 + 1
				rows, err := db.Query("SELECT id, c FROM amysql_sql_bench WHERE id BETWEEN ? AND ?", start, start+99)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					rows.Scan(&id, &c)
					n++
				}
				rows.Close()
				if n != 100 {
					b.Fatalf("%d rows", n)
				}
			}
		})
	}
}
