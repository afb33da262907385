package actor_test

import (
	"bytes"
	"database/sql/driver"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
)

// shows reports whether text shows secret, or an 8-byte piece of it.
func shows(text, secret string) bool {
	if strings.Contains(text, secret) {
		return true
	}
	for i := 0; i+8 <= len(secret); i++ {
		if strings.Contains(text, secret[i:i+8]) {
			return true
		}
	}
	return false
}

// A syntax error in a statement sent interpolated quotes the statement
// with each argument's literal as ?, as the binary protocol would show it,
// wherever the literal falls in the quoted fragment.
func TestSyntaxErrorShowsPlaceholdersNotArguments(t *testing.T) {
	c := connect(t)
	long := strings.Repeat("Pa55-w0rd-", 30)
	tests := []struct {
		name   string
		query  string
		args   []any
		secret string
		want   string // part of the redacted message
	}{
		{"literal inside the fragment", "SELECT 1 FROM dual WHERE id = 1 oops = ? AND 1", []any{"hunter2-password"}, "hunter2-password", "near 'oops = ? AND 1'"},
		{"literal starts the fragment", "SELECT * FROM ? WHERE id = 1", []any{"hunter2-password"}, "hunter2-password", "near '? WHERE id = 1'"},
		{"literal ends the fragment", "SELECT * FROM t WHERE a = 1 1 ?", []any{"hunter2-password"}, "hunter2-password", "near '1 ?'"},
		{"quotes and backslashes", "SELECT * FROM ? WHERE x", []any{`it's a \ 'quoted' "hunter2"`}, `quoted' "hunter2`, "near '? WHERE x'"},
		{"several literals", "SELECT * FROM ?, ? WHERE a = ? AND", []any{"first-secret", []byte("second\x00secret\xff"), "third-secret"}, "third-secret", "near '?, ? WHERE a = ? AND'"},
		{"truncated inside a literal", "SELECT * FROM ? WHERE x", []any{long}, long, "near '?...'"},
		{"characters the message cannot show", "SELECT * FROM ? WHERE x", []any{"key\x01😀-hunter2-password"}, "hunter2-password", "near '? WHERE x'"},
		{"a list", "SELECT * FROM ? WHERE x", []any{[]string{"list-secret-1", "list-secret-2"}}, "list-secret", "near '? WHERE x'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Cursor().Execute(ctxT(t), tt.query, tt.args...)
			var se *proto.Error
			if !errors.As(err, &se) || se.Code != 1064 {
				t.Fatalf("error %v, want a 1064 syntax error", err)
			}
			if msg := err.Error(); shows(msg, tt.secret) || !strings.Contains(msg, tt.want) {
				t.Errorf("error text %q: want %q in it and no piece of %q", msg, tt.want, tt.secret)
			}
		})
	}
	if got := queryRow(t, c, "SELECT ?", "after")[0]; got != "after" {
		t.Errorf("connection after the errors: %v", got)
	}
}

// The multi-row statements ExecuteMany builds, the later statements of a
// multi-statement query, and an error in the middle of a streamed result
// are redacted the same way.
func TestBatchLaterStatementAndStreamErrorsShowPlaceholders(t *testing.T) {
	c := connect(t, func(cfg *actor.Config) { cfg.MultiStatements = true })
	tbl := tempTable(t, c, "amysql_redact_batch", "(a TEXT, b TEXT)")
	_, err := c.Cursor().ExecuteMany(ctxT(t), "INSERT INTO "+tbl+" (a, b) VALUES (?, , ?)",
		[][]any{{"row1-secret-a", "row1-secret-b"}, {"row2-secret-a", "row2-secret-b"}})
	var se *proto.Error
	if !errors.As(err, &se) || se.Code != 1064 {
		t.Fatalf("ExecuteMany: error %v, want a 1064 syntax error", err)
	}
	if msg := err.Error(); shows(msg, "-secret-") || !strings.Contains(msg, "?),(?, , ?)' at line 1") {
		t.Errorf("ExecuteMany error text %q", msg)
	}

	cur := c.Cursor()
	if _, err := cur.Execute(ctxT(t), "SELECT 1; SELECT * FROM ? WHERE x", "later-statement-secret"); err != nil {
		t.Fatal(err)
	}
	_, err = cur.NextSet(ctxT(t))
	if !errors.As(err, &se) || se.Code != 1064 {
		t.Fatalf("NextSet: error %v, want a 1064 syntax error", err)
	}
	if msg := err.Error(); shows(msg, "later-statement-secret") || !strings.Contains(msg, "near '? WHERE x'") {
		t.Errorf("NextSet error text %q", msg)
	}

	// The server prints the expression that overflows, argument included,
	// once the rows before it have streamed.
	ss := c.Cursor(actor.SSCursor)
	if _, err := ss.Execute(ctxT(t), "SELECT IF(seq < 2000, seq, ? + 9223372036854775800) FROM seq_1_to_3000", int64(424242)); err != nil {
		t.Fatal(err)
	}
	_, err = ss.FetchAll(ctxT(t))
	if !errors.As(err, &se) || se.Code != 1690 {
		t.Fatalf("streamed overflow: error %v, want 1690", err)
	}
	if msg := err.Error(); strings.Contains(msg, "424242") || !strings.Contains(msg, "'? + 9223372036854775800'") {
		t.Errorf("streamed overflow error text %q", msg)
	}
}

// No argument value reaches an Echo log record: the statement is logged
// with its placeholders, and a failure's error is redacted first.
func TestEchoLogShowsNoArgumentValue(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	c := connect(t, func(cfg *actor.Config) { cfg.Echo, cfg.Logger, cfg.MultiStatements = true, log, false })
	tbl := tempTable(t, c, "amysql_redact_echo", "(a VARCHAR(100))")
	buf.Reset()
	cur := c.Cursor()
	cur.Execute(ctxT(t), "INSERT INTO "+tbl+" (a) VALUES (?)", "ok-secret-value")
	cur.Execute(ctxT(t), "SELECT * FROM ? WHERE x", "failing-secret-value")
	cur.ExecuteMany(ctxT(t), "INSERT INTO "+tbl+" (a) VALUES (?)", [][]any{{"many-secret-1"}, {"many-secret-2"}})
	cur.ExecuteMany(ctxT(t), "INSERT INTO "+tbl+" (a) VALUES (?, , ?)", [][]any{{"bad-many-secret", "x"}})
	cur.CallProc(ctxT(t), "amysql_no_such_proc", "proc-secret-value")
	out := buf.String()
	if n := strings.Count(out, `"msg":"amysql query"`); n < 5 {
		t.Fatalf("%d query records, want at least 5:\n%s", n, out)
	}
	for _, secret := range []string{"ok-secret-value", "failing-secret-value", "many-secret", "bad-many-secret", "proc-secret-value"} {
		if shows(out, secret) {
			t.Errorf("the log shows %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, `VALUES (?)"`) || !strings.Contains(out, `near '? WHERE x'`) {
		t.Errorf("the log lacks the placeholder statements or the redacted error:\n%s", out)
	}
}

// A value the server quotes as data (1062 Duplicate entry) reads the same
// through both protocols: it is the server's text, not the statement's.
func TestDuplicateEntryReadsTheSameInBothProtocols(t *testing.T) {
	c := connect(t)
	tbl := tempTable(t, c, "amysql_redact_dup", "(k VARCHAR(40) PRIMARY KEY)")
	mustExec(t, c, "INSERT INTO "+tbl+" VALUES (?)", "dup-value")
	msgs := map[bool]string{}
	for _, binary := range []bool{false, true} {
		cur := c.Cursor()
		cur.Binary = binary
		_, err := cur.Execute(ctxT(t), "INSERT INTO "+tbl+" VALUES (?)", "dup-value")
		var se *proto.Error
		if !errors.As(err, &se) || se.Code != 1062 {
			t.Fatalf("binary=%v: error %v, want 1062", binary, err)
		}
		msgs[binary] = se.Message
	}
	if msgs[false] != msgs[true] || !strings.Contains(msgs[false], "'dup-value'") {
		t.Errorf("text protocol %q, binary protocol %q: want the same, quoting the value", msgs[false], msgs[true])
	}
}

// changingValuer answers first with a secret, then with something else.
type changingValuer struct{ calls *int }

func (v changingValuer) Value() (driver.Value, error) {
	*v.calls++
	if *v.calls == 1 {
		return "first-secret-value", nil
	}
	return "x", nil
}

// A Valuer that answers differently when the failed statement is rebuilt
// cannot be matched: everything the message quotes is replaced.
func TestRedactionSurvivesAValuerThatChanges(t *testing.T) {
	c := connect(t)
	var calls int
	_, err := c.Cursor().Execute(ctxT(t), "SELECT * FROM ? WHERE x", changingValuer{&calls})
	var se *proto.Error
	if !errors.As(err, &se) || se.Code != 1064 {
		t.Fatalf("error %v, want a 1064 syntax error", err)
	}
	if msg := err.Error(); shows(msg, "first-secret-value") || !strings.Contains(msg, "near '?' at line 1") {
		t.Errorf("error text %q", msg)
	}
	if calls < 2 {
		t.Errorf("Value called %d times; the test needs the rebuild to call it again", calls)
	}
}
