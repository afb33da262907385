package proto

import (
	"strings"
	"testing"
)

const syntaxPrefix = "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near '"

// near is the 1064 message MariaDB writes for a syntax error at stmt[from:]:
// at most 80 characters, a longer fragment cut to 77 and "...".
func near(stmt []byte, from int) string {
	frag := string(stmt[from:])
	if len(frag) > 80 {
		frag = frag[:77] + "..."
	}
	return syntaxPrefix + frag + "' at line 1"
}

func TestInterpolateLiteralsReportsEachLiteral(t *testing.T) {
	stmt, lits, err := InterpolateLiterals([]byte("x"), "SELECT ?, ? FROM t WHERE a IN ?", []any{"it's", 42, []int{1, 2}}, LiteralOptions{})
	if err != nil {
		t.Fatal(err)
	}
	body := string(stmt[1:])
	if body != `SELECT 'it\'s', 42 FROM t WHERE a IN (1,2)` {
		t.Fatalf("statement %q", body)
	}
	var got []string
	for _, l := range lits {
		got = append(got, body[l.Start:l.End])
	}
	if strings.Join(got, "|") != `'it\'s'|42|(1,2)` {
		t.Errorf("literals %q", got)
	}
	plain, err := Interpolate(nil, "SELECT ?, ? FROM t WHERE a IN ?", []any{"it's", 42, []int{1, 2}}, LiteralOptions{})
	if err != nil || string(plain) != body {
		t.Errorf("Interpolate = %q, %v; want the same statement", plain, err)
	}
}

func TestRedactMessageHidesInterpolatedLiterals(t *testing.T) {
	const secret = "hunter2-password"
	long := strings.Repeat("s3cr3t", 30)
	tests := []struct {
		name  string
		query string
		args  []any
		opts  LiteralOptions
		code  uint16
		msg   func(stmt []byte) string // the server's message
		want  string                   // the redacted message
	}{
		{
			name:  "literal at the fragment's start",
			query: "SELECT * FROM ? WHERE id = 1",
			args:  []any{secret},
			code:  ErParseError,
			msg:   func(s []byte) string { return near(s, len("SELECT * FROM ")) },
			want:  syntaxPrefix + "? WHERE id = 1' at line 1",
		},
		{
			name:  "literal in the middle",
			query: "SELECT 1 FROM dual WHERE oops = ? WHERE id = 1",
			args:  []any{secret},
			code:  ErParseError,
			msg:   func(s []byte) string { return near(s, len("SELECT 1 FROM dual WHERE ")) },
			want:  syntaxPrefix + "oops = ? WHERE id = 1' at line 1",
		},
		{
			name:  "literal at the fragment's end",
			query: "SELECT 1 FROM dual WHERE oops ?",
			args:  []any{secret},
			code:  ErParseError,
			msg:   func(s []byte) string { return near(s, len("SELECT 1 FROM dual WHERE ")) },
			want:  syntaxPrefix + "oops ?' at line 1",
		},
		{
			name:  "fragment starting inside a literal",
			query: "SELECT * FROM ? WHERE id = 1",
			args:  []any{secret},
			code:  ErParseError,
			msg:   func(s []byte) string { return near(s, len("SELECT * FROM 'hunter")) },
			want:  syntaxPrefix + "? WHERE id = 1' at line 1",
		},
		{
			name:  "several literals",
			query: "SELECT * FROM ?, ? WHERE a = ? AND b = 7",
			args:  []any{"first-secret", int64(4242), "third-secret"},
			code:  ErParseError,
			msg:   func(s []byte) string { return near(s, len("SELECT * FROM ")) },
			want:  syntaxPrefix + "?, ? WHERE a = ? AND b = 7' at line 1",
		},
		{
			name:  "quotes and backslashes",
			query: "SELECT * FROM ? WHERE x",
			args:  []any{`it's a \ 'quoted' "secret"`},
			code:  ErParseError,
			msg:   func(s []byte) string { return near(s, len("SELECT * FROM ")) },
			want:  syntaxPrefix + "? WHERE x' at line 1",
		},
		{
			name:  "doubled quotes without backslash escapes",
			query: "SELECT * FROM ? WHERE x",
			args:  []any{`it's 'very' \ secret`},
			opts:  LiteralOptions{NoBackslashEscapes: true},
			code:  ErParseError,
			msg:   func(s []byte) string { return near(s, len("SELECT * FROM ")) },
			want:  syntaxPrefix + "? WHERE x' at line 1",
		},
		{
			name:  "truncated inside a literal",
			query: "SELECT * FROM ? WHERE x",
			args:  []any{long},
			code:  ErParseError,
			msg:   func(s []byte) string { return near(s, len("SELECT * FROM ")) },
			want:  syntaxPrefix + "?...' at line 1",
		},
		{
			name:  "truncated after a literal",
			query: "SELECT * FROM ? WHERE " + strings.Repeat("x AND ", 20),
			args:  []any{secret},
			code:  ErParseError,
			msg:   func(s []byte) string { return near(s, len("SELECT * FROM ")) },
			want:  syntaxPrefix + "? WHERE " + string([]byte(strings.Repeat("x AND ", 20))[:77-len(`'hunter2-password' WHERE `)]) + "...' at line 1",
		},
		{
			name:  "truncated without a marker",
			query: "SELECT * FROM ? WHERE x",
			args:  []any{long},
			code:  ErParseError,
			msg: func(s []byte) string {
				return syntaxPrefix + string(s[len("SELECT * FROM "):len("SELECT * FROM ")+80]) + "' at line 1"
			},
			want: syntaxPrefix + "?' at line 1",
		},
		{
			name:  "bytes the server shows as ? and \\XXXX",
			query: "SELECT * FROM ? WHERE x",
			args:  []any{[]byte{0, 1, 0xff, 'k', '\'', '\\', 0x80, 0x7f}},
			code:  ErParseError,
			msg: func(s []byte) string {
				return syntaxPrefix + `_binary'\0\0001?k\'\\?\007F' WHERE x' at line 1`
			},
			want: syntaxPrefix + "? WHERE x' at line 1",
		},
		{
			name:  "a character outside the message charset",
			query: "SELECT * FROM ? WHERE x",
			args:  []any{"key😀é€"},
			code:  ErParseError,
			msg:   func(s []byte) string { return syntaxPrefix + `'key?é€' WHERE x' at line 1` },
			want:  syntaxPrefix + "? WHERE x' at line 1",
		},
		{
			name:  "a literal the message shows differently",
			query: "SELECT * FROM ? WHERE x",
			args:  []any{"abc-secret-def"},
			code:  ErParseError,
			msg:   func(s []byte) string { return syntaxPrefix + `'abc-s#cret-def' WHERE x' at line 1` },
			want:  syntaxPrefix + "?' at line 1",
		},
		{
			name:  "fragment without a literal",
			query: "SELECT ? FROM dual WHERE WHERE id = 1",
			args:  []any{secret},
			code:  ErParseError,
			msg:   func(s []byte) string { return near(s, len("SELECT 'hunter2-password' FROM dual WHERE ")) },
			want:  syntaxPrefix + "WHERE id = 1' at line 1",
		},
		{
			name:  "empty fragment",
			query: "SELECT ?, 'x' +",
			args:  []any{secret},
			code:  ErParseError,
			msg:   func(s []byte) string { return syntaxPrefix + "' at line 1" },
			want:  syntaxPrefix + "' at line 1",
		},
		{
			name:  "an expression the server prints",
			query: "SELECT ? + 1",
			args:  []any{int64(9223372036854775807)},
			code:  1690,
			msg:   func(s []byte) string { return "BIGINT value is out of range in '9223372036854775807 + 1'" },
			want:  "BIGINT value is out of range in '? + 1'",
		},
		{
			name:  "duplicate entry, a value quoted as data",
			query: "INSERT INTO t (k) VALUES (?)",
			args:  []any{secret},
			code:  1062,
			msg:   func(s []byte) string { return "Duplicate entry 'hunter2-password' for key 'PRIMARY'" },
			want:  "Duplicate entry 'hunter2-password' for key 'PRIMARY'",
		},
		{
			name:  "incorrect value, a value quoted as data",
			query: "INSERT INTO t (i) VALUES (?)",
			args:  []any{"not-a-number"},
			code:  1366,
			msg: func(s []byte) string {
				return "Incorrect integer value: 'not-a-number' for column `db`.`t`.`i` at row 1"
			},
			want: "Incorrect integer value: 'not-a-number' for column `db`.`t`.`i` at row 1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmt, lits, err := InterpolateLiterals(nil, tt.query, tt.args, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			msg := tt.msg(stmt)
			got := RedactMessage(tt.code, msg, stmt, lits)
			if got != tt.want {
				t.Errorf("statement %q\nmessage  %q\nredacted %q\nwant     %q", stmt, msg, got, tt.want)
			}
		})
	}
}

// Without literals, or with a message that quotes nothing of the
// statement, the message comes back as it is, without a copy.
func TestRedactMessageLeavesOtherMessagesAlone(t *testing.T) {
	stmt, lits, _ := InterpolateLiterals(nil, "SELECT * FROM t WHERE a = ?", []any{"v"}, LiteralOptions{})
	for _, msg := range []string{
		"Table 'db.t' doesn't exist",
		"Unknown column 'a' in 'WHERE'",
		"",
		"'",
		"no quotes at all",
	} {
		if got := RedactMessage(1146, msg, stmt, lits); got != msg {
			t.Errorf("%q became %q", msg, got)
		}
	}
	if got := RedactMessage(ErParseError, near(stmt, 0), stmt, nil); got != near(stmt, 0) {
		t.Errorf("without literals: %q", got)
	}
}

// A literal identical to text the statement has elsewhere is still the one
// redacted: of equal matches, the one running to the end wins.
func TestRedactMessagePrefersTheMatchRunningToTheEnd(t *testing.T) {
	stmt, lits, _ := InterpolateLiterals(nil, "SELECT 'secret-value' FROM t WHERE a ?", []any{"secret-value"}, LiteralOptions{})
	msg := near(stmt, len("SELECT 'secret-value' FROM t WHERE a "))
	if got, want := RedactMessage(ErParseError, msg, stmt, lits), syntaxPrefix+"?' at line 1"; got != want {
		t.Errorf("redacted %q, want %q", got, want)
	}
}

// Whatever the statement and wherever the syntax error, the redacted
// message never shows an argument's string in full.
func FuzzRedactMessage(f *testing.F) {
	f.Add("SELECT * FROM t WHERE a = ", "hunter2-password", " AND b = 1", 14, false)
	f.Add("INSERT INTO t VALUES (", "it's a \\ 'secret'", ")", 0, true)
	f.Add("", "x\x00\x01\xff😀é-secret", " WHERE", 3, false)
	f.Fuzz(func(t *testing.T, before, secret, after string, from int, noBackslash bool) {
		query := before + "?" + after
		if CountPlaceholders(query, noBackslash) != 1 || strings.Contains(before+after, "?") {
			return
		}
		stmt, lits, err := InterpolateLiterals(nil, query, []any{secret}, LiteralOptions{NoBackslashEscapes: noBackslash})
		if err != nil || len(lits) != 1 {
			return
		}
		if from < 0 || from > len(stmt) {
			from = len(stmt) / 2
		}
		msg := near(stmt, from)
		got := RedactMessage(ErParseError, msg, stmt, lits)
		lit := string(stmt[lits[0].Start+1 : lits[0].End-1]) // as the statement shows it
		if len(lit) < 6 || strings.Contains(syntaxPrefix+before+"?"+after+"' at line 1...", lit) {
			return // too short to tell apart, or not only the argument's
		}
		if strings.Contains(got, lit) {
			t.Fatalf("statement %q\nmessage  %q\nredacted %q shows %q", stmt, msg, got, lit)
		}
	})
}
