package actor_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
)

// typeCase is one column of the type matrix: its SQL type, the Go value
// written through an interpolated ? argument, and the value read back.
type typeCase struct {
	col  string
	sql  string
	in   any
	want any
}

func allBytes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func typeMatrix() []typeCase {
	mib := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	d := func(s string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04:05.999999", s, time.UTC)
		if err != nil {
			panic(err)
		}
		return t
	}
	dur := func(h, m, s, us int64) time.Duration {
		return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(us)*time.Microsecond
	}
	return []typeCase{
		{"ti_min", "TINYINT", int64(math.MinInt8), int64(math.MinInt8)},
		{"ti_max", "TINYINT", int64(math.MaxInt8), int64(math.MaxInt8)},
		{"tu_max", "TINYINT UNSIGNED", uint64(math.MaxUint8), uint64(math.MaxUint8)},
		{"si_min", "SMALLINT", int64(math.MinInt16), int64(math.MinInt16)},
		{"su_max", "SMALLINT UNSIGNED", uint64(math.MaxUint16), uint64(math.MaxUint16)},
		{"mi_min", "MEDIUMINT", int64(-1 << 23), int64(-1 << 23)},
		{"mu_max", "MEDIUMINT UNSIGNED", uint64(1<<24 - 1), uint64(1<<24 - 1)},
		{"i_min", "INT", int64(math.MinInt32), int64(math.MinInt32)},
		{"iu_max", "INT UNSIGNED", uint64(math.MaxUint32), uint64(math.MaxUint32)},
		{"bi_min", "BIGINT", int64(math.MinInt64), int64(math.MinInt64)},
		{"bi_max", "BIGINT", int64(math.MaxInt64), int64(math.MaxInt64)},
		{"bu_max", "BIGINT UNSIGNED", uint64(math.MaxUint64), uint64(math.MaxUint64)},
		{"f", "FLOAT", float32(-3.25e-5), float32(-3.25e-5)},
		// The text protocol prints FLOAT with 6 significant digits, so the
		// extreme case uses a value those digits represent exactly.
		{"f_big", "FLOAT", float32(-3.40282e38), float32(-3.40282e38)},
		{"dbl", "DOUBLE", math.Pi, math.Pi},
		{"dbl_min", "DOUBLE", math.SmallestNonzeroFloat64, math.SmallestNonzeroFloat64},
		{"dbl_max", "DOUBLE", -math.MaxFloat64, -math.MaxFloat64},
		{"dcm", "DECIMAL(65,30)", actor.MustDecimal("-12345678901234567890123456789012345.123456789012345678901234567890"),
			actor.MustDecimal("-12345678901234567890123456789012345.123456789012345678901234567890")},
		{"dec_small", "DECIMAL(10,2)", actor.MustDecimal("0.10"), actor.MustDecimal("0.10")},
		{"bit1", "BIT(1)", []byte{1}, []byte{1}},
		{"bit64", "BIT(64)", []byte{0xff, 0, 0xa5, 1, 2, 3, 4, 0x80}, []byte{0xff, 0, 0xa5, 1, 2, 3, 4, 0x80}},
		{"dt", "DATE", d("2024-02-29 00:00:00"), d("2024-02-29 00:00:00")},
		{"dt_min", "DATE", d("1000-01-01 00:00:00"), d("1000-01-01 00:00:00")},
		{"dt_zero", "DATE", "0000-00-00", time.Time{}},
		{"dtm", "DATETIME(6)", d("9999-12-31 23:59:59.999999"), d("9999-12-31 23:59:59.999999")},
		{"dtm_zero", "DATETIME(6)", "0000-00-00 00:00:00", time.Time{}},
		{"ts", "TIMESTAMP(6) NULL", d("2038-01-19 03:14:07.5"), d("2038-01-19 03:14:07.5")},
		{"ts_zero", "TIMESTAMP(6) NULL", "0000-00-00 00:00:00", time.Time{}},
		{"tm_max", "TIME(6)", dur(838, 59, 59, 0), dur(838, 59, 59, 0)},
		{"tm_min", "TIME(6)", -dur(838, 59, 59, 0), -dur(838, 59, 59, 0)},
		{"tm_frac", "TIME(6)", -dur(0, 0, 1, 500000), -dur(0, 0, 1, 500000)},
		{"tm_micro", "TIME(6)", dur(838, 59, 58, 999999), dur(838, 59, 58, 999999)},
		{"yr", "YEAR", int64(2155), int64(2155)},
		{"ch", "CHAR(10)", "😀ü", "😀ü"},
		{"vc", "VARCHAR(100)", "a'b\"c\\d\x00e\x1af--g😀", "a'b\"c\\d\x00e\x1af--g😀"},
		{"tx", "TEXT", strings.Repeat("ßπ😀", 1000), strings.Repeat("ßπ😀", 1000)},
		{"bin", "BINARY(4)", []byte{0, 0xff, '\'', '\\'}, []byte{0, 0xff, '\'', '\\'}},
		{"vbin", "VARBINARY(256)", allBytes(), allBytes()},
		{"blb", "BLOB", allBytes(), allBytes()},
		{"lblob", "LONGBLOB", mib, mib},
		{"en", "ENUM('a','b c','😀')", "b c", "b c"},
		{"st", "SET('x','y','z')", "x,z", "x,z"},
		{"js", "JSON", json.RawMessage(`{"a": [1, 2.5, "ü"]}`), json.RawMessage(`{"a": [1, 2.5, "ü"]}`)},
		{"geo", "GEOMETRY", nil, nil}, // written by ST_GeomFromText below
	}
}

// matrix is the type matrix laid out as a table: its columns, the
// placeholders (or SQL expressions) of an insert, and the arguments.
type matrix struct {
	cases []typeCase
	tbl   string
	cols  []string
	marks []string
	args  []any
}

func newMatrix(t *testing.T, c *actor.Conn, name string) matrix {
	m := matrix{cases: typeMatrix()}
	var defs []string
	for _, tc := range m.cases {
		defs = append(defs, tc.col+" "+tc.sql)
		m.cols = append(m.cols, tc.col)
		if tc.col == "geo" {
			m.marks = append(m.marks, "ST_GeomFromText('POINT(1 2)')")
			continue
		}
		m.marks = append(m.marks, "?")
		m.args = append(m.args, tc.in)
	}
	m.tbl = tempTable(t, c, name, "(id INT PRIMARY KEY, "+strings.Join(defs, ", ")+") DEFAULT CHARSET=utf8mb4")
	return m
}

func TestTypeMatrixRoundTrips(t *testing.T) {
	c := connect(t, func(cfg *actor.Config) { cfg.SQLMode = "ALLOW_INVALID_DATES" })
	m := newMatrix(t, c, "amysql_types")
	cases, tbl, cols, marks, args := m.cases, m.tbl, m.cols, m.marks, m.args
	ins := fmt.Sprintf("INSERT INTO %s (id, %s) VALUES (1, %s)", tbl, strings.Join(cols, ", "), strings.Join(marks, ", "))
	if _, err := c.Cursor().Execute(ctxT(t), ins, args...); err != nil {
		t.Fatalf("insert: %v", err)
	}
	// A second row: NULL in every column.
	mustExec(t, c, "INSERT INTO "+tbl+" (id) VALUES (2)")
	mustExec(t, c, "UPDATE "+tbl+" SET ts = NULL, ts_zero = NULL WHERE id = 2")
	wantGeo := queryRow(t, c, "SELECT ST_AsBinary(geo) FROM "+tbl+" WHERE id = 1")[0].([]byte)

	for _, kind := range []actor.CursorKind{actor.TupleCursor, actor.DictCursor, actor.SSCursor, actor.SSDictCursor} {
		t.Run(kind.String(), func(t *testing.T) {
			cur := c.Cursor(kind)
			if _, err := cur.Execute(ctxT(t), "SELECT "+strings.Join(cols, ", ")+" FROM "+tbl+" ORDER BY id"); err != nil {
				t.Fatal(err)
			}
			var rows []map[string]any
			var err error
			if kind.Dict() {
				rows, err = cur.FetchAllDict(ctxT(t))
			} else {
				var tuples [][]any
				tuples, err = cur.FetchAll(ctxT(t))
				for _, r := range tuples {
					m := map[string]any{}
					for i, col := range cols {
						m[col] = r[i]
					}
					rows = append(rows, m)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 {
				t.Fatalf("%d rows", len(rows))
			}
			for _, tc := range cases {
				got := rows[0][tc.col]
				if tc.col == "geo" {
					// WKB inside MariaDB's 4-byte SRID prefix.
					if g, ok := got.([]byte); !ok || !bytes.Equal(g[4:], wantGeo) {
						t.Errorf("geo = %v, want SRID + %x", got, wantGeo)
					}
				} else if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s (%s): got %T %.80v, want %T %.80v", tc.col, tc.sql, got, got, tc.want, tc.want)
				}
				if v := rows[1][tc.col]; v != nil {
					t.Errorf("%s: NULL read back as %T %.40v", tc.col, v, v)
				}
			}
		})
	}
}

func TestScanIntoTypedDestinations(t *testing.T) {
	c := connect(t)
	cur := c.Cursor()
	if _, err := cur.Execute(ctxT(t), `SELECT 42, CAST(18446744073709551615 AS UNSIGNED), 2.5, 'txt', x'00ff',
		DATE '2024-05-06', TIME '-01:02:03.5', CAST('1.50' AS DECIMAL(5,2)), NULL`); err != nil {
		t.Fatal(err)
	}
	if !cur.Next(ctxT(t)) {
		t.Fatal(cur.Err())
	}
	var (
		i   int
		u   uint64
		f   float64
		s   string
		b   []byte
		dt  time.Time
		du  time.Duration
		dec actor.Decimal
		nul any
	)
	if err := cur.Scan(&i, &u, &f, &s, &b, &dt, &du, &dec, &nul); err != nil {
		t.Fatal(err)
	}
	want := []any{42, uint64(math.MaxUint64), 2.5, "txt", []byte{0, 0xff},
		time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), -(time.Hour + 2*time.Minute + 3500*time.Millisecond), "1.50", nil}
	got := []any{i, u, f, s, b, dt, du, dec.String(), nul}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Scan got %v\n want %v", got, want)
	}
	// Type errors are reported, not truncated.
	cur.Execute(ctxT(t), "SELECT 300, NULL")
	cur.Next(ctxT(t))
	var small int8
	var str string
	if err := cur.Scan(&small, &str); err == nil {
		t.Error("Scan of 300 into int8 and NULL into string succeeded")
	}
}

func TestScanDoesNotAllocatePerRow(t *testing.T) {
	c := connect(t)
	cur := c.Cursor()
	ctx := ctxT(t)
	if _, err := cur.Execute(ctx, "SELECT seq, seq * 2, 'abc' FROM seq_1_to_2000"); err != nil {
		t.Fatal(err)
	}
	var a, b int64
	var raw rawBytes
	n := 0
	allocs := testing.AllocsPerRun(1, func() {
		for cur.Next(ctx) {
			if err := cur.Scan(&a, &b, &raw); err != nil {
				t.Fatal(err)
			}
			n++
		}
	})
	if n != 2000 {
		t.Fatalf("%d rows", n)
	}
	if allocs > 0 {
		t.Errorf("%v allocations while scanning 2000 buffered rows, want 0", allocs)
	}
}

func TestConvertersOverrideDecoding(t *testing.T) {
	c := connect(t, func(cfg *actor.Config) {
		cfg.Converters = map[protoFieldType]actor.Converter{
			typeNewDecimal: func(col *actor.Column, raw []byte) (any, error) { return "dec:" + string(raw), nil },
		}
	})
	if got := queryRow(t, c, "SELECT CAST(1.5 AS DECIMAL(3,1)), 7")[0]; got != "dec:1.5" {
		t.Errorf("converter result = %v", got)
	}
}

func TestLocAppliesToDateTimes(t *testing.T) {
	loc := time.FixedZone("UTC+2", 2*3600)
	c := connect(t, func(cfg *actor.Config) { cfg.Loc = loc })
	in := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) // 05:04:05 in loc
	row := queryRow(t, c, "SELECT CAST(? AS CHAR), CAST(? AS DATETIME)", in, in)
	if row[0] != "2024-01-02 05:04:05" {
		t.Errorf("interpolated time = %v, want it written in Loc", row[0])
	}
	if got := row[1].(time.Time); !got.Equal(in) || got.Location() != loc {
		t.Errorf("decoded %v, want %v in Loc", got, in)
	}
}
