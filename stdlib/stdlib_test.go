package stdlib_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/faultproxy"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/pool"
	"github.com/amysql/amysql/proto"
	"github.com/amysql/amysql/stdlib"
)

func openDB(t testing.TB, params string) *sql.DB {
	t.Helper()
	dsn := testserver.FromEnv(t).DSN
	if params != "" {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + params
	}
	db, err := sql.Open("amysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	return db
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type upper string

func (u *upper) Scan(src any) error {
	b, ok := src.([]byte)
	if !ok {
		return fmt.Errorf("got %T", src)
	}
	*u = upper(strings.ToUpper(string(b)))
	return nil
}

func TestScanIntoNaturalGoTypes(t *testing.T) {
	for _, mode := range []string{"", "binary_protocol=true"} {
		t.Run("mode="+mode, func(t *testing.T) {
			db := openDB(t, mode)
			ctx := ctxT(t)
			db.ExecContext(ctx, "DROP TABLE IF EXISTS amysql_sql_types")
			if _, err := db.ExecContext(ctx, `CREATE TABLE amysql_sql_types (
				i BIGINT, u BIGINT UNSIGNED, f DOUBLE, d DECIMAL(10,3), s VARCHAR(20), b VARBINARY(10),
				dt DATETIME(6), tm TIME, j JSON, n INT NULL, tag VARCHAR(10)) DEFAULT CHARSET=utf8mb4`); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Exec("DROP TABLE IF EXISTS amysql_sql_types") })
			ts := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
			res, err := db.ExecContext(ctx, "INSERT INTO amysql_sql_types VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				int64(math.MinInt64), uint64(math.MaxUint64), 2.5, actor.MustDecimal("-1.250"), "héllo", []byte{0, 0xff},
				ts, 90*time.Minute, `{"k": 1}`, nil, "shout")
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				t.Errorf("RowsAffected = %d", n)
			}
			var (
				i   int64
				u   uint64
				f   float64
				d   actor.Decimal
				s   string
				b   []byte
				dt  time.Time
				tm  string
				j   []byte
				n   sql.NullInt64
				ns  sql.NullString
				ps  *string
				tag upper
			)
			err = db.QueryRowContext(ctx, "SELECT i, u, f, d, s, b, dt, tm, j, n, n, s, tag FROM amysql_sql_types").
				Scan(&i, &u, &f, &d, &s, &b, &dt, &tm, &j, &n, &ns, &ps, &tag)
			if err != nil {
				t.Fatal(err)
			}
			got := []any{i, u, f, d.String(), s, b, dt, tm, string(j), n.Valid, ns.Valid, *ps, tag}
			want := []any{int64(math.MinInt64), uint64(math.MaxUint64), 2.5, "-1.250", "héllo", []byte{0, 0xff},
				ts, "01:30:00", `{"k": 1}`, false, false, "héllo", upper("SHOUT")}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("scanned %v\n     want %v", got, want)
			}
		})
	}
}

func TestColumnTypes(t *testing.T) {
	db := openDB(t, "")
	rows, err := db.QueryContext(ctxT(t), "SELECT CAST(18446744073709551615 AS UNSIGNED) AS u, CAST(1.5 AS DECIMAL(7,2)) AS d, _utf8mb4'x' AS s, NULL AS n, NOW() AS t")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"UNSIGNED BIGINT", "DECIMAL", "VARCHAR", "NULL", "DATETIME"}
	for i, ct := range cts {
		if ct.DatabaseTypeName() != names[i] {
			t.Errorf("column %s: type %s, want %s", ct.Name(), ct.DatabaseTypeName(), names[i])
		}
	}
	if p, s, ok := cts[1].DecimalSize(); !ok || p != 7 || s != 2 {
		t.Errorf("DECIMAL(7,2) size = %d,%d,%v", p, s, ok)
	}
	if l, ok := cts[2].Length(); !ok || l != 1 {
		t.Errorf("Length of 'x' = %d,%v", l, ok)
	}
	if nullable, ok := cts[3].Nullable(); !ok || !nullable {
		t.Errorf("NULL column nullable = %v,%v", nullable, ok)
	}
	if st := cts[0].ScanType(); st != reflect.TypeOf(uint64(0)) {
		t.Errorf("unsigned scan type = %v", st)
	}
}

func TestMultipleResultSets(t *testing.T) {
	db := openDB(t, "multi_statements=true")
	rows, err := db.QueryContext(ctxT(t), "SELECT 1; SELECT 'a', 'b'; SELECT 3")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var sets [][]string
	for {
		var set []string
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.RawBytes, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				set = append(set, string(v))
			}
		}
		sets = append(sets, set)
		if !rows.NextResultSet() {
			break
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sets, [][]string{{"1"}, {"a", "b"}, {"3"}}) {
		t.Errorf("result sets = %v", sets)
	}
}

func TestTransactionsAndIsolationLevels(t *testing.T) {
	db := openDB(t, "")
	ctx := ctxT(t)
	db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS amysql_sql_tx (id INT PRIMARY KEY) ENGINE=InnoDB")
	db.ExecContext(ctx, "DELETE FROM amysql_sql_tx")
	t.Cleanup(func() { db.Exec("DROP TABLE IF EXISTS amysql_sql_tx") })
	for _, lvl := range []sql.IsolationLevel{sql.LevelReadUncommitted, sql.LevelReadCommitted, sql.LevelRepeatableRead, sql.LevelSerializable} {
		tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: lvl})
		if err != nil {
			t.Fatalf("%v: %v", lvl, err)
		}
		// The level applies to this transaction only; InnoDB shows it once
		// the transaction has touched a table.
		var n int
		var got string
		tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM amysql_sql_tx FOR UPDATE").Scan(&n)
		time.Sleep(120 * time.Millisecond) // InnoDB refreshes INNODB_TRX at most every 100 ms
		if err := tx.QueryRowContext(ctx, "SELECT trx_isolation_level FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = CONNECTION_ID()").Scan(&got); err != nil {
			t.Fatalf("%v: %v", lvl, err)
		}
		want := strings.ToUpper(lvl.String())
		if got != want {
			t.Errorf("isolation = %s, want %s", got, want)
		}
		tx.Rollback()
	}
	tx, _ := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if _, err := tx.ExecContext(ctx, "INSERT INTO amysql_sql_tx VALUES (1)"); err == nil {
		t.Error("insert in a read-only transaction succeeded")
	}
	tx.Rollback()
	tx, _ = db.BeginTx(ctx, nil)
	tx.ExecContext(ctx, "INSERT INTO amysql_sql_tx VALUES (2)")
	tx.Rollback()
	tx, _ = db.BeginTx(ctx, nil)
	tx.ExecContext(ctx, "INSERT INTO amysql_sql_tx VALUES (3)")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var ids []int
	rows, _ := db.QueryContext(ctx, "SELECT id FROM amysql_sql_tx ORDER BY id")
	for rows.Next() {
		var id int
		rows.Scan(&id)
		ids = append(ids, id)
	}
	if !reflect.DeepEqual(ids, []int{3}) {
		t.Errorf("committed rows = %v, want [3]", ids)
	}
}

func TestCancellationMidQuery(t *testing.T) {
	db := openDB(t, "")
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := db.ExecContext(ctx, "SELECT SLEEP(5)")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ExecContext = %v", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("cancelled ExecContext took %v", d)
	}
	var one int
	if err := db.QueryRowContext(ctxT(t), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("after cancellation: %d, %v", one, err)
	}
}

func TestBrokenConnectionIsDroppedAndReplaced(t *testing.T) {
	db := openDB(t, "")
	db.SetMaxOpenConns(1)
	ctx := ctxT(t)
	var id uint32
	if err := db.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		t.Fatal(err)
	}
	admin := openDB(t, "")
	if _, err := admin.ExecContext(ctx, fmt.Sprintf("KILL %d", id)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	var id2 uint32
	if err := db.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id2); err != nil {
		t.Fatalf("query after the connection was killed: %v", err)
	}
	if id2 == id {
		t.Error("database/sql got the killed connection back")
	}
}

func TestNamedValueCheckerAcceptsAmysqlTypes(t *testing.T) {
	db := openDB(t, "")
	var n int
	if err := db.QueryRowContext(ctxT(t), "SELECT COUNT(*) FROM seq_1_to_10 WHERE seq IN ?", []int{2, 4, 99}).Scan(&n); err != nil || n != 2 {
		t.Errorf("IN ? with a slice = %d, %v", n, err)
	}
	var d string
	if err := db.QueryRowContext(ctxT(t), "SELECT ?", 36*time.Hour).Scan(&d); err != nil || d != "36:00:00" {
		t.Errorf("time.Duration argument = %q, %v", d, err)
	}
	if _, err := db.ExecContext(ctxT(t), "SELECT ?", map[string]int{"x": 1}); err == nil {
		t.Error("a map argument was accepted")
	}
}

func TestRawGivesTheAmysqlConnection(t *testing.T) {
	db := openDB(t, "")
	conn, err := db.Conn(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		ac := dc.(*stdlib.Conn).AmysqlConn()
		cur := ac.Cursor(actor.SSDictCursor)
		if _, err := cur.Execute(ctxT(t), "SELECT 'raw' AS via"); err != nil {
			return err
		}
		row, err := cur.FetchOneDict(ctxT(t))
		if err == nil && row["via"] != "raw" {
			err = fmt.Errorf("row %v", row)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPoolConnectorBorrowsFromAnAmysqlPool(t *testing.T) {
	cfg, err := pool.ParseConfig(testserver.FromEnv(t).DSN + "?minsize=1&maxsize=2")
	if err != nil {
		t.Fatal(err)
	}
	p, err := pool.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { p.Close(); p.WaitClosed(context.Background()) }()
	db := sql.OpenDB(stdlib.NewPoolConnector(p, stdlib.Options{}))
	db.SetMaxIdleConns(0)
	defer db.Close()
	for i := 0; i < 5; i++ {
		var v int
		if err := db.QueryRowContext(ctxT(t), "SELECT ?", i).Scan(&v); err != nil || v != i {
			t.Fatalf("query %d: %d, %v", i, v, err)
		}
	}
	st := p.Stat()
	if st.AcquireCount < 5 || st.Acquired != 0 {
		t.Errorf("pool stat after database/sql use: %+v", st)
	}
}

func TestDriverValueConversionErrorsAreTyped(t *testing.T) {
	var c driver.NamedValueChecker = &stdlib.Conn{}
	if err := c.CheckNamedValue(&driver.NamedValue{Value: struct{ X int }{1}}); err == nil {
		t.Error("a struct argument was accepted")
	}
	if err := c.CheckNamedValue(&driver.NamedValue{Value: actor.MustDecimal("1.5")}); err != nil {
		t.Errorf("Decimal refused: %v", err)
	}
}

// An argument amysql cannot send fails through database/sql as it does
// natively: errors.Is matches proto.ErrUnsupportedArg, and the text names
// the type once, with the driver's prefix.
func TestUnsupportedArgumentsMatchErrUnsupportedArg(t *testing.T) {
	for _, mode := range []string{"", "binary_protocol=true"} {
		db := openDB(t, mode)
		for _, tt := range []struct {
			name string
			arg  any
			typ  string
		}{
			{"map", map[string]int{"a": 1}, "map[string]int"},
			{"struct", struct{ X int }{1}, "struct { X int }"},
			{"channel", make(chan int), "chan int"},
			{"complex", complex(1, 2), "complex128"},
			{"pointer to map", &map[int]int{}, "map[int]int"},
		} {
			_, err := db.ExecContext(ctxT(t), "DO ?", tt.arg)
			if !errors.Is(err, proto.ErrUnsupportedArg) {
				t.Errorf("%s %s: error %v, want proto.ErrUnsupportedArg", mode, tt.name, err)
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, tt.typ) || strings.Count(msg, "amysql/stdlib: ") != 1 {
				t.Errorf("%s %s: error text %q, want the type %s and the prefix once", mode, tt.name, msg, tt.typ)
			}
		}
	}
}

func TestEveryColumnTypeScansIntoItsNaturalGoType(t *testing.T) {
	for _, mode := range []string{"", "binary_protocol=true"} {
		db := openDB(t, mode)
		ctx := ctxT(t)
		db.ExecContext(ctx, "DROP TABLE IF EXISTS amysql_sql_matrix")
		_, err := db.ExecContext(ctx, `CREATE TABLE amysql_sql_matrix (
			ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, i INT, bi BIGINT, f FLOAT, d DOUBLE, dec_ DECIMAL(12,4),
			dt DATE, dtm DATETIME(3), ts TIMESTAMP(6) NULL, tm TIME(2), yr YEAR, ch CHAR(3), vc VARCHAR(10), tx TEXT,
			bn BINARY(2), vb VARBINARY(4), bl BLOB, bt BIT(12), en ENUM('x','y'), st SET('a','b'), js JSON, geo GEOMETRY
		) DEFAULT CHARSET=utf8mb4`)
		if err != nil {
			t.Fatal(err)
		}
		ts := time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.UTC)
		_, err = db.ExecContext(ctx, `INSERT INTO amysql_sql_matrix VALUES (-128, 65535, -8388608, 2147483647, -1, 1.5, 2.25, 12345678.1234,
			'2024-02-29', '2024-02-29 23:59:58.123', ?, '-12:34:56.78', 2024, 'abc', 'héllo', 'long text', x'00ff', x'01020304', x'deadbeef',
			b'101010101010', 'y', 'a,b', '{"a":[1,2]}', ST_GeomFromText('POINT(1 1)'))`, ts)
		if err != nil {
			t.Fatal(err)
		}
		var (
			ti      int8
			si      uint16
			mi      int32
			i       int
			bi      int64
			f       float32
			d       float64
			dec     float64
			dt, dtm time.Time
			nts     sql.NullTime
			tm      string
			yr      int
			ch, vc  string
			tx      sql.NullString
			bn, vb  []byte
			bl      sql.RawBytes
			bt      []byte
			en, st  string
			js      []byte
			geo     []byte
		)
		rows, err := db.QueryContext(ctx, "SELECT * FROM amysql_sql_matrix")
		if err != nil {
			t.Fatal(err)
		}
		if !rows.Next() {
			t.Fatal(rows.Err())
		}
		if err := rows.Scan(&ti, &si, &mi, &i, &bi, &f, &d, &dec, &dt, &dtm, &nts, &tm, &yr, &ch, &vc, &tx, &bn, &vb, &bl, &bt, &en, &st, &js, &geo); err != nil {
			t.Fatalf("mode %q: %v", mode, err)
		}
		got := []any{ti, si, mi, i, bi, f, d, dec, dt, dtm, nts.Time, tm, yr, ch, vc, tx.String, bn, vb, []byte(bl), bt, en, st, string(js), len(geo)}
		want := []any{int8(-128), uint16(65535), int32(-8388608), 2147483647, int64(-1), float32(1.5), 2.25, 12345678.1234,
			time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 23, 59, 58, 123000000, time.UTC), ts,
			"-12:34:56.78", 2024, "abc", "héllo", "long text", []byte{0, 0xff}, []byte{1, 2, 3, 4}, []byte{0xde, 0xad, 0xbe, 0xef},
			[]byte{0x0a, 0xaa}, "y", "a,b", `{"a":[1,2]}`, 25}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("mode %q:\n got %v\nwant %v", mode, got, want)
		}
		rows.Close()
		db.Exec("DROP TABLE amysql_sql_matrix")
	}
}

func TestQueryHandsOverTheFirstRowAsItArrives(t *testing.T) {
	db := openDB(t, "")
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel() // stops the statement rather than reading its rows away
	start := time.Now()
	// 300 rows 50 ms apart: the driver must not wait for a batch of them.
	rows, err := db.QueryContext(ctx, "SELECT seq, REPEAT('x', 3000), SLEEP(0.05) FROM seq_1_to_300")
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the first row came after %v", d)
	}
}

// A connection the server closed while it sat idle in database/sql's pool
// is never used for a query: when more than peek_idle passed since
// database/sql last took it, ResetSession peeks at the socket and gives
// driver.ErrBadConn before anything is sent, and database/sql runs the
// query on a new connection. With a peek_idle longer than the idle time
// the peek is skipped, and the same query reaches the dead connection and
// fails after it was sent (the server closed the socket with a FIN, so the
// write went through): the check is what keeps it away.
func TestConnectionClosedWhileIdleIsNeverUsed(t *testing.T) {
	kill := func(t *testing.T, _ *sql.DB, id uint32) {
		admin := openDB(t, "")
		if _, err := admin.ExecContext(ctxT(t), fmt.Sprintf("KILL %d", id)); err != nil {
			t.Fatal(err)
		}
	}
	timeout := func(t *testing.T, db *sql.DB, _ uint32) {
		if _, err := db.ExecContext(ctxT(t), "SET SESSION wait_timeout = 1"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond)
	}
	tests := []struct {
		name     string
		params   string
		close    func(t *testing.T, db *sql.DB, id uint32)
		replaced bool
	}{
		{"KILL, default peek_idle (1ms)", "", kill, true},
		{"KILL, peek every reuse", "peek_idle=-1ns", kill, true},
		{"wait_timeout, default peek_idle", "", timeout, true},
		{"KILL, peek_idle longer than the idle time", "peek_idle=1h", kill, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openDB(t, tt.params)
			db.SetMaxOpenConns(1)
			ctx := ctxT(t)
			var id uint32
			if err := db.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
				t.Fatal(err)
			}
			tt.close(t, db, id)
			waitGone(t, id)
			var id2 uint32
			err := db.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id2)
			if !tt.replaced {
				if err == nil || errors.Is(err, driver.ErrBadConn) {
					t.Fatalf("query on the dead connection without a peek = %v, want it to fail after being sent", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("query after the idle connection was closed: %v", err)
			}
			if id2 == id {
				t.Error("database/sql got the dead connection back")
			}
		})
	}
}

// waitGone waits until the server no longer lists connection id, and a
// little longer, so its socket is closed and the connection has sat idle
// longer than the default peek_idle.
func waitGone(t *testing.T, id uint32) {
	t.Helper()
	admin := openDB(t, "")
	for deadline := time.Now().Add(10 * time.Second); ; {
		var n int
		if err := admin.QueryRowContext(ctxT(t), "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("connection %d still listed", id)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
}

// A command that a broken connection could not send at all (the socket
// was reset, so the write put no byte on it) is driver.ErrBadConn:
// database/sql runs it again on a new connection, and the caller sees
// nothing. The peek is off here, so the dead connection is used.
func TestCommandThatWasNotSentIsRetriedOnAnotherConnection(t *testing.T) {
	tg := testserver.FromEnv(t)
	proxy := faultproxy.Start(t, fmt.Sprintf("%s:%d", tg.Host, tg.Port))
	sep := "?"
	if strings.Contains(tg.DSN, "?") {
		sep = "&"
	}
	cfg, opts, err := stdlib.ParseDSN(tg.DSN + sep + "peek_idle=1h")
	if err != nil {
		t.Fatal(err)
	}
	cfg.UnixSocket, cfg.Host, cfg.Port = "", "127.0.0.1", proxy.Port()
	db := sql.OpenDB(stdlib.NewConnector(cfg, opts))
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	ctx := ctxT(t)
	for _, tt := range []struct {
		name string
		run  func() error
	}{
		{"query", func() error { var one int; return db.QueryRowContext(ctx, "SELECT 1").Scan(&one) }},
		{"exec", func() error { _, err := db.ExecContext(ctx, "DO 1"); return err }},
		{"begin", func() error {
			tx, err := db.BeginTx(ctx, nil)
			if err == nil {
				err = tx.Rollback()
			}
			return err
		}},
		{"prepare", func() error {
			st, err := db.PrepareContext(ctx, "SELECT 1")
			if err == nil {
				err = st.Close()
			}
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); err != nil {
				t.Fatal(err)
			}
			before := proxy.Conns()
			proxy.ResetAll()
			time.Sleep(20 * time.Millisecond) // let the reset arrive
			if err := tt.run(); err != nil {
				t.Fatalf("after the connection was reset: %v", err)
			}
			if before != 1 || proxy.Conns() != 1 {
				t.Errorf("proxied connections %d before the reset and %d after, want one each", before, proxy.Conns())
			}
		})
	}
}

// Text values kept by the caller stay those of their own row: database/sql
// copies a []byte it hands into *any (sqlx's MapScan and SliceScan do
// this), and a []byte it scans into, although the driver reuses the value
// for the next row.
func TestValuesKeptFromEarlierRowsStayTheirOwn(t *testing.T) {
	for _, params := range []string{"", "binary_protocol=true"} {
		t.Run(params, func(t *testing.T) {
			db := openDB(t, params)
			rows, err := db.QueryContext(ctxT(t), "SELECT CONCAT('v', seq), CONCAT('w', seq) FROM seq_1_to_600 WHERE seq > ?", 0)
			if err != nil {
				t.Fatal(err)
			}
			var anys []any
			var byts [][]byte
			for rows.Next() {
				var a any
				var b []byte
				if err := rows.Scan(&a, &b); err != nil {
					t.Fatal(err)
				}
				anys, byts = append(anys, a), append(byts, b)
			}
			if err := rows.Close(); err != nil || len(anys) != 600 {
				t.Fatalf("%d rows, %v", len(anys), err)
			}
			for i := range anys {
				if a, ok := anys[i].([]byte); !ok || string(a) != fmt.Sprintf("v%d", i+1) || string(byts[i]) != fmt.Sprintf("w%d", i+1) {
					t.Fatalf("row %d kept %T %q, %q", i+1, anys[i], anys[i], byts[i])
				}
			}
		})
	}
}

// Column names handed out for one result are never changed by a later
// one on the same connection.
func TestColumnsOfAnEarlierResultStayAsTheyWere(t *testing.T) {
	db := openDB(t, "")
	db.SetMaxOpenConns(1)
	ctx := ctxT(t)
	columns := func(q string) []string {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		return cols
	}
	first := columns("SELECT 1 AS a, 2 AS b")
	again := columns("SELECT 3 AS a, 4 AS b")
	other := columns("SELECT 5 AS x, 6 AS y")
	if !reflect.DeepEqual(first, []string{"a", "b"}) || !reflect.DeepEqual(again, first) || !reflect.DeepEqual(other, []string{"x", "y"}) {
		t.Errorf("columns %v, %v, %v", first, again, other)
	}
}

// Rows read to the end of their last result set close themselves, as
// database/sql documents: the connection goes back to the pool without
// rows.Close, for a single result and for the last of several.
func TestRowsReadToTheEndCloseThemselves(t *testing.T) {
	db := openDB(t, "multi_statements=true")
	db.SetMaxOpenConns(1)
	ctx := ctxT(t)
	for q, sets := range map[string]int{"SELECT 1 UNION SELECT 2": 1, "SELECT 1; SELECT 2": 2} {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for set := 1; ; set++ {
			for rows.Next() {
			}
			if set == sets {
				break // the last set: no NextResultSet, no Close
			}
			if !rows.NextResultSet() {
				t.Fatalf("%s: result set %d missing", q, set+1)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n := db.Stats().InUse; n != 0 {
			t.Errorf("%s: %d connections in use after its rows were read to the end", q, n)
		}
		rows.Close()
	}
}

// A transaction without options sends its BEGIN with its first statement:
// BEGIN, INSERT, COMMIT take two round trips. It is a transaction all the
// same: rolled back, its row is gone; committed, it stays; one whose
// statement failed still rolls back; an empty one commits.
func TestTransactionBeginsWithItsFirstStatement(t *testing.T) {
	tg := testserver.FromEnv(t)
	proxy := faultproxy.Start(t, fmt.Sprintf("%s:%d", tg.Host, tg.Port))
	cfg, opts, err := stdlib.ParseDSN(tg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.UnixSocket, cfg.Host, cfg.Port = "", "127.0.0.1", proxy.Port()
	db := sql.OpenDB(stdlib.NewConnector(cfg, opts))
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	ctx := ctxT(t)
	if _, err := db.ExecContext(ctx, "CREATE TABLE amysql_sql_tx_begin (id INT PRIMARY KEY) ENGINE=InnoDB"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec("DROP TABLE IF EXISTS amysql_sql_tx_begin") })
	run := func(id int, commit bool) {
		t.Helper()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO amysql_sql_tx_begin VALUES (?)", id); err != nil {
			t.Fatal(err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	before := proxy.RoundTrips()
	run(1, true)
	if trips := proxy.RoundTrips() - before; trips != 2 {
		t.Errorf("BEGIN, INSERT, COMMIT took %d round trips, want 2", trips)
	}
	run(2, false)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO amysql_sql_tx_begin VALUES (3)"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO amysql_sql_tx_begin VALUES (1)"); err == nil {
		t.Fatal("duplicate key accepted")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if tx, err = db.BeginTx(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("empty transaction: %v", err)
	}
	var ids []int
	rows, err := db.QueryContext(ctx, "SELECT id FROM amysql_sql_tx_begin ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int
		rows.Scan(&id)
		ids = append(ids, id)
	}
	if !reflect.DeepEqual(ids, []int{1}) {
		t.Errorf("rows after the transactions = %v, want [1]", ids)
	}
	var inTx int
	if err := db.QueryRowContext(ctx, "SELECT @@in_transaction").Scan(&inTx); err != nil || inTx != 0 {
		t.Errorf("@@in_transaction = %d, %v after the transactions ended", inTx, err)
	}
}
