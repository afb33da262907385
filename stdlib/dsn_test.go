package stdlib_test

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
	"github.com/amysql/amysql/stdlib"
)

func TestParseDSNTakesGORMsDocumentedDSN(t *testing.T) {
	cfg, opts, err := stdlib.ParseDSN("user:pass@tcp(127.0.0.1:3306)/dbname?charset=utf8mb4&parseTime=True&loc=Local")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Charset != "utf8mb4" || cfg.Loc != time.Local || cfg.Password != "pass" || opts.TemporalAsText {
		t.Errorf("cfg %v charset %q loc %v, opts %+v", cfg, cfg.Charset, cfg.Loc, opts)
	}
}

func TestParseDSNMapsDriverParameters(t *testing.T) {
	tests := []struct {
		params string
		want   stdlib.Options
	}{
		{"parseTime=false", stdlib.Options{TemporalAsText: true}},
		{"parse_time=true", stdlib.Options{}},
		{"interpolateParams=false", stdlib.Options{BinaryProtocol: true}},
		{"interpolateParams=true", stdlib.Options{}},
		{"binary_protocol=1&reset_session=on", stdlib.Options{BinaryProtocol: true, ResetSession: true}},
		{"columnsWithAlias=true&time_as_duration=true", stdlib.Options{ColumnsWithAlias: true, TimeAsDuration: true}},
		{"peek_idle=250ms", stdlib.Options{PeekIdle: 250 * time.Millisecond}},
		{"peek_idle=-1ns", stdlib.Options{PeekIdle: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.params, func(t *testing.T) {
			cfg, opts, err := stdlib.ParseDSN("u:p?w@tcp(h:1)/d?" + tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if opts != tt.want || cfg.Password != "p?w" {
				t.Errorf("options %+v (password %q), want %+v", opts, cfg.Password, tt.want)
			}
			cfg2, opts2, err := stdlib.ParseDSN(stdlib.FormatDSN(cfg, opts))
			if err != nil || opts2 != opts || cfg2.Password != cfg.Password {
				t.Errorf("round trip through %q: %+v, %v", stdlib.FormatDSN(cfg, opts), opts2, err)
			}
		})
	}
	for _, bad := range []string{"binary_protocol=true&interpolateParams=true", "reset_session=maybe", "parseTime=", "maxsize=4", "peek_idle=soon"} {
		if _, _, err := stdlib.ParseDSN("u:secretpw@tcp(h)/d?" + bad); !errors.Is(err, actor.ErrDSN) || strings.Contains(err.Error(), "secretpw") {
			t.Errorf("ParseDSN(...?%s) = %v, want ErrDSN without the password", bad, err)
		}
	}
}

// FuzzDriverDSNRoundTrip checks that the driver's options survive
// FormatDSN and ParseDSN.
func FuzzDriverDSNRoundTrip(f *testing.F) {
	f.Add("p?w", uint8(0b10101))
	f.Add("p?w", uint8(0b1100000))
	f.Fuzz(func(t *testing.T, password string, bits uint8) {
		opts := stdlib.Options{BinaryProtocol: bits&1 != 0, ResetSession: bits&2 != 0, TemporalAsText: bits&4 != 0,
			TimeAsDuration: bits&8 != 0, ColumnsWithAlias: bits&16 != 0}
		if bits&32 != 0 {
			opts.PeekIdle = 250 * time.Millisecond
		}
		if bits&64 != 0 {
			opts.PeekIdle = -1
		}
		cfg := actor.Config{User: "u", Password: password, Host: "h"}
		dsn := stdlib.FormatDSN(cfg, opts)
		gotCfg, got, err := stdlib.ParseDSN(dsn)
		if err != nil || got != opts || gotCfg.Password != password {
			t.Fatalf("%+v -> %q -> %+v, %v", opts, dsn, got, err)
		}
	})
}

func TestTemporalValuesFollowParseTime(t *testing.T) {
	for _, mode := range []string{"", "binary_protocol=true"} {
		t.Run("mode="+mode, func(t *testing.T) {
			sep := ""
			if mode != "" {
				sep = "&"
			}
			db := openDB(t, "parseTime=false"+sep+mode)
			var dt, d string
			var raw []byte
			err := db.QueryRowContext(ctxT(t), "SELECT CAST(? AS DATETIME(6)), CAST(? AS DATE), CAST('2024-02-29 23:59:58' AS DATETIME)",
				"2024-02-29 23:59:58.123456", "2024-02-29").Scan(&dt, &d, &raw)
			if err != nil {
				t.Fatal(err)
			}
			if dt != "2024-02-29 23:59:58.123456" || d != "2024-02-29" || string(raw) != "2024-02-29 23:59:58" {
				t.Errorf("parseTime=false gave %q, %q, %q", dt, d, raw)
			}
			var tm time.Time
			if err := openDB(t, mode).QueryRowContext(ctxT(t), "SELECT CAST(? AS DATETIME)", "2024-02-29 23:59:58").Scan(&tm); err != nil ||
				!tm.Equal(time.Date(2024, 2, 29, 23, 59, 58, 0, time.UTC)) {
				t.Errorf("by default DATETIME scans into time.Time: %v, %v", tm, err)
			}
		})
	}
}

func TestTimeScansIntoDurationWithTimeAsDuration(t *testing.T) {
	for _, mode := range []string{"", "&binary_protocol=true"} {
		t.Run("mode="+mode, func(t *testing.T) {
			db := openDB(t, "time_as_duration=true"+mode)
			var d, neg time.Duration
			var null sql.NullInt64
			if err := db.QueryRowContext(ctxT(t), "SELECT CAST(? AS TIME), CAST('-01:30:05.5' AS TIME(1)), CAST(NULL AS TIME)", "01:30:05").
				Scan(&d, &neg, &null); err != nil {
				t.Fatal(err)
			}
			if d != time.Hour+30*time.Minute+5*time.Second || neg != -(time.Hour+30*time.Minute+5500*time.Millisecond) || null.Valid {
				t.Errorf("TIME gave %v, %v, %+v", d, neg, null)
			}
			var s string
			if err := openDB(t, strings.TrimPrefix(mode, "&")).QueryRowContext(ctxT(t), "SELECT CAST('01:30:05' AS TIME)").Scan(&s); err != nil || s != "01:30:05" {
				t.Errorf("by default TIME scans into a string: %q, %v", s, err)
			}
		})
	}
}

func TestColumnsWithAliasNamesColumnsByTable(t *testing.T) {
	db := openDB(t, "columnsWithAlias=true")
	rows, err := db.QueryContext(ctxT(t), "SELECT a.x, b.x, 1 AS one FROM (SELECT 1 AS x) a JOIN (SELECT 2 AS x) b")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if strings.Join(cols, ",") != "a.x,b.x,one" {
		t.Errorf("columns = %v", cols)
	}
}

func TestRejectReadOnlyLetsDatabaseSQLRetryElsewhere(t *testing.T) {
	for _, tt := range []struct {
		params      string
		wantBadConn bool
	}{{"rejectReadOnly=true", true}, {"", false}} {
		t.Run(tt.params, func(t *testing.T) {
			db := openDB(t, tt.params)
			if _, err := db.ExecContext(ctxT(t), "CREATE TABLE ro_probe (i INT)"); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Exec("DROP TABLE ro_probe") })
			conn, err := db.Conn(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.ExecContext(ctxT(t), "START TRANSACTION READ ONLY"); err != nil {
				t.Fatal(err)
			}
			_, err = conn.ExecContext(ctxT(t), "INSERT INTO ro_probe VALUES (1)")
			var se *proto.Error
			if !errors.As(err, &se) || se.Code != proto.ErCantExecuteInReadOnlyTx {
				t.Fatalf("INSERT in a read-only transaction: %v, want error 1792", err)
			}
			if got := errors.Is(err, driver.ErrBadConn); got != tt.wantBadConn {
				t.Errorf("errors.Is(err, driver.ErrBadConn) = %v, want %v", got, tt.wantBadConn)
			}
			pingErr := conn.PingContext(ctxT(t))
			if tt.wantBadConn == (pingErr == nil) {
				t.Errorf("after the refusal Ping = %v (the connection should be gone: %v)", pingErr, tt.wantBadConn)
			}
		})
	}
}
