package actor_test

import (
	"strings"
	"testing"

	"github.com/amysql/amysql/actor"
)

// hostileStrings are values that break naive quoting.
var hostileStrings = []string{
	`'`, `''`, `\`, `\'`, `\\'`, `"`, "\x00", "a\x00b", "\x1a", "\r\n", "--", "-- x", "/*", "*/", "#",
	"' OR '1'='1", `\' OR 1=1 -- `, "?", "'?'", "`", "``x`", "😀", "ü\\'", "\xe5\x5c\x27", // a byte pair that is a GBK char hiding \ '
	strings.Repeat("'\\", 1000),
}

func TestHostileStringsRoundTrip(t *testing.T) {
	c := connect(t)
	tbl := tempTable(t, c, "amysql_hostile", "(id INT PRIMARY KEY, s VARBINARY(4000), t TEXT) DEFAULT CHARSET=utf8mb4")
	for _, mode := range []string{"", "NO_BACKSLASH_ESCAPES"} {
		t.Run("sql_mode="+mode, func(t *testing.T) {
			mustExec(t, c, "SET sql_mode = ?", mode)
			mustExec(t, c, "DELETE FROM "+tbl)
			cur := c.Cursor()
			for i, s := range hostileStrings {
				// Text column gets only valid UTF-8; the binary column gets
				// every value byte for byte.
				text := strings.ToValidUTF8(s, "?")
				if _, err := cur.Execute(ctxT(t), "INSERT INTO "+tbl+" VALUES (?, ?, ?)", i, []byte(s), text); err != nil {
					t.Fatalf("value %d %q: %v", i, s, err)
				}
				row := queryRow(t, c, "SELECT s, t, ? FROM "+tbl+" WHERE id = ?", s, i)
				if string(row[0].([]byte)) != s || row[1] != text {
					t.Errorf("value %q came back as %q / %q", s, row[0], row[1])
				}
				if got := row[2]; got != strings.ToValidUTF8(s, "\ufffd") && got != s {
					// A bare literal is read in the connection charset.
					t.Logf("literal %q read back as %q", s, got)
				}
				lit, err := c.Escape(s)
				if err != nil {
					t.Fatal(err)
				}
				if got := queryRow(t, c, "SELECT CAST("+lit+" AS BINARY)")[0]; string(got.([]byte)) != s {
					t.Errorf("Escape(%q) = %s, read back as %q", s, lit, got)
				}
			}
			if n := queryRow(t, c, "SELECT COUNT(*) FROM "+tbl)[0]; n != int64(len(hostileStrings)) {
				t.Errorf("%v rows, want %d: a value changed the statement", n, len(hostileStrings))
			}
		})
	}
}

func TestPlaceholdersInsideLiteralsAndCommentsAreNotArguments(t *testing.T) {
	c := connect(t)
	tests := []struct {
		q    string
		args []any
		want []any
	}{
		{"SELECT '?', ?", []any{1}, []any{"?", int64(1)}},
		{"SELECT \"?\" /* ? */, ? -- ?\n", []any{2}, []any{"?", int64(2)}},
		{"SELECT 'it''s ?', ? # ?", []any{3}, []any{"it's ?", int64(3)}},
		{"SELECT `?` FROM (SELECT ? AS `?`) x", []any{4}, []any{int64(4)}},
	}
	for _, tt := range tests {
		row := queryRow(t, c, tt.q, tt.args...)
		for i := range tt.want {
			if row[i] != tt.want[i] {
				t.Errorf("%q: column %d = %v, want %v", tt.q, i, row[i], tt.want[i])
			}
		}
	}
	if _, err := c.Cursor().Execute(ctxT(t), "SELECT ?, ?", 1); err == nil {
		t.Error("missing argument accepted")
	}
	if _, err := c.Cursor().Execute(ctxT(t), "SELECT ?", map[string]int{"a": 1}); err == nil {
		t.Error("a map argument was accepted")
	}
}

func TestDecimalArgumentIsExact(t *testing.T) {
	c := connect(t)
	d := actor.MustDecimal("12345678901234567890.123456789")
	row := queryRow(t, c, "SELECT CAST(? AS DECIMAL(40,9)) = CAST('12345678901234567890.123456789' AS DECIMAL(40,9)), ?", d, d)
	if row[0] != int64(1) {
		t.Errorf("decimal argument changed: %v", row)
	}
}

func TestHostileValuesThroughEveryArgumentPath(t *testing.T) {
	c := connect(t)
	mustExec(t, c, "DROP PROCEDURE IF EXISTS amysql_echo")
	mustExec(t, c, "CREATE PROCEDURE amysql_echo(IN v VARBINARY(4000), OUT o VARBINARY(4000)) BEGIN SET o = v; SELECT v; END")
	t.Cleanup(func() { mustExec(t, connect(t), "DROP PROCEDURE IF EXISTS amysql_echo") })
	tbl := tempTable(t, c, "amysql_inject", "(id INT PRIMARY KEY, v VARBINARY(4000))")
	for _, mode := range []string{"", "NO_BACKSLASH_ESCAPES"} {
		t.Run("sql_mode="+mode, func(t *testing.T) {
			mustExec(t, c, "SET sql_mode = ?", mode)
			mustExec(t, c, "DELETE FROM "+tbl)
			cur := c.Cursor()
			// ExecuteMany's multi-row rewrite.
			rows := make([][]any, len(hostileStrings))
			for i, s := range hostileStrings {
				rows[i] = []any{i, []byte(s)}
			}
			if n, err := cur.ExecuteMany(ctxT(t), "INSERT INTO "+tbl+" (id, v) VALUES (?, ?)", rows); err != nil || n != int64(len(rows)) {
				t.Fatalf("ExecuteMany = %d, %v", n, err)
			}
			for i, s := range hostileStrings {
				if got := queryRow(t, c, "SELECT v FROM "+tbl+" WHERE id = ?", i)[0]; string(got.([]byte)) != s {
					t.Errorf("ExecuteMany stored %q as %q", s, got)
				}
			}
			// IN-list expansion: every value matches exactly its own row.
			in := make([]any, len(hostileStrings))
			for i, s := range hostileStrings {
				in[i] = []byte(s)
			}
			if n := queryRow(t, c, "SELECT COUNT(*) FROM "+tbl+" WHERE v IN ?", in)[0]; n != int64(len(hostileStrings)) {
				t.Errorf("IN ? matched %v rows, want %d", n, len(hostileStrings))
			}
			// CallProc: the value travels through a session variable.
			for _, s := range hostileStrings[:12] {
				if _, err := cur.CallProc(ctxT(t), "amysql_echo", []byte(s), nil); err != nil {
					t.Fatalf("CallProc(%q): %v", s, err)
				}
				for more := true; more; more, _ = cur.NextSet(ctxT(t)) {
				}
				if got := queryRow(t, c, "SELECT @_amysql_echo_1")[0]; string(got.([]byte)) != s {
					t.Errorf("CallProc OUT value %q, want %q", got, s)
				}
			}
			// Mogrify renders what Execute sends; the server reads it back.
			for _, s := range hostileStrings {
				q, err := cur.Mogrify("SELECT ? AS v", []byte(s))
				if err != nil {
					t.Fatal(err)
				}
				if got := queryRow(t, c, q)[0]; string(got.([]byte)) != s {
					t.Errorf("Mogrify(%q) = %s, read back %q", s, q, got)
				}
			}
		})
	}
}
