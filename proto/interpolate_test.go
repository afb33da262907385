package proto

import (
	"database/sql/driver"
	"errors"
	"strings"
	"testing"
)

type driverValue = driver.Value

type interpolateCase struct {
	name string
	q    string
	args []any
	nobs bool
	want string
}

func runInterpolateCases(t *testing.T, tests []interpolateCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Interpolate(nil, tt.q, tt.args, LiteralOptions{NoBackslashEscapes: tt.nobs})
			if err != nil || string(got) != tt.want {
				t.Errorf("Interpolate(%q) = %q, %v; want %q", tt.q, got, err, tt.want)
			}
			if n := CountPlaceholders(tt.q, tt.nobs); n != len(tt.args) {
				t.Errorf("CountPlaceholders = %d, want %d", n, len(tt.args))
			}
		})
	}
}

func TestInterpolateReplacesPlaceholdersInOrder(t *testing.T) {
	runInterpolateCases(t, []interpolateCase{
		{"two", "SELECT ?, ?", []any{1, "a"}, false, "SELECT 1, 'a'"},
		{"adjacent", "SELECT ??", []any{1, 2}, false, "SELECT 12"},
		{"first and last byte", "?+?", []any{1, 2}, false, "1+2"},
		{"after a closed string", "SELECT 'x', ?", []any{nil}, false, "SELECT 'x', NULL"},
		{"string argument holding ?", "SELECT ?, ?", []any{"?", 2}, false, "SELECT '?', 2"},
		{"string argument holding a quote", "SELECT ?, ?", []any{"'", "b"}, true, "SELECT '''', 'b'"},
		{"in list", "WHERE id IN ?", []any{[]int64{1, 2, 3}}, false, "WHERE id IN (1,2,3)"},
		{"in list of strings", "WHERE s IN ? AND t = ?", []any{[]string{"a", "b"}, 1}, false, "WHERE s IN ('a','b') AND t = 1"},
		{"negative after minus", "SELECT 1-?", []any{-1}, false, "SELECT 1--1"},
		{"no placeholders", "SELECT 1", nil, false, "SELECT 1"},
	})
}

func TestInterpolateSkipsPlaceholdersInStringsIdentifiersAndComments(t *testing.T) {
	runInterpolateCases(t, []interpolateCase{
		{"single quoted", "SELECT '?', ?", []any{1}, false, "SELECT '?', 1"},
		{"double quoted", `SELECT "?", ?`, []any{1}, false, `SELECT "?", 1`},
		{"backticks", "SELECT `a?b`, ?", []any{1}, false, "SELECT `a?b`, 1"},
		{"doubled quote", "SELECT 'it''s ?', ?", []any{1}, false, "SELECT 'it''s ?', 1"},
		{"doubled backtick", "SELECT `a``?`, ?", []any{1}, false, "SELECT `a``?`, 1"},
		{"other quotes inside a string", `SELECT '"?` + "`" + `', ?`, []any{1}, false, `SELECT '"?` + "`" + `', 1`},
		{"empty strings", "SELECT '', ?, ''", []any{1}, false, "SELECT '', 1, ''"},
		{"hash comment", "SELECT ? # ?", []any{1}, false, "SELECT 1 # ?"},
		{"hash comment ends at newline", "SELECT # ?\n?", []any{1}, false, "SELECT # ?\n1"},
		{"line comment ends at NUL", "SELECT # ?\x00?", []any{1}, false, "SELECT # ?\x001"},
		{"quote inside line comment", "SELECT ? -- it's\n, ?", []any{1, 2}, false, "SELECT 1 -- it's\n, 2"},
		{"block comment", "SELECT /* ? */ ?", []any{1}, false, "SELECT /* ? */ 1"},
		{"block comment over lines", "SELECT /* ?\n ' */ ?", []any{1}, false, "SELECT /* ?\n ' */ 1"},
		{"block comment needs its own star", "SELECT /*/ ? */ ?", []any{1}, false, "SELECT /*/ ? */ 1"},
		{"versioned comment", "SELECT /*!50000 ? */ ?", []any{1}, false, "SELECT /*!50000 ? */ 1"},
		{"MariaDB versioned comment", "SELECT /*M!100100 ? */ ?", []any{1}, false, "SELECT /*M!100100 ? */ 1"},
		{"optimizer hint", "SELECT /*+ ? */ ?", []any{1}, false, "SELECT /*+ ? */ 1"},
		{"division", "SELECT ?/?", []any{1, 2}, false, "SELECT 1/2"},
	})
}

func TestInterpolateDashDashCommentNeedsSpaceOrControl(t *testing.T) {
	runInterpolateCases(t, []interpolateCase{
		{"space", "SELECT ? -- ?", []any{1}, false, "SELECT 1 -- ?"},
		{"tab", "SELECT ? --\t?", []any{1}, false, "SELECT 1 --\t?"},
		{"newline", "SELECT ? --\n?", []any{1, 2}, false, "SELECT 1 --\n2"},
		{"control byte", "SELECT ? --\x01?", []any{1}, false, "SELECT 1 --\x01?"},
		{"DEL", "SELECT ? --\x7f?", []any{1}, false, "SELECT 1 --\x7f?"},
		{"end of query", "SELECT ?--", []any{1}, false, "SELECT 1--"},
		{"arithmetic", "SELECT 1--?", []any{2}, false, "SELECT 1--2"},
		{"three dashes", "SELECT 1---?", []any{2}, false, "SELECT 1---2"},
		{"dash dash letter", "SELECT ?--x, ?", []any{1, 2}, false, "SELECT 1--x, 2"},
		{"single dash", "SELECT -? - ?", []any{1, 2}, false, "SELECT -1 - 2"},
	})
}

func TestInterpolateBackslashEscapesDependOnMode(t *testing.T) {
	runInterpolateCases(t, []interpolateCase{
		{"escaped quote", `SELECT 'a\'?', ?`, []any{1}, false, `SELECT 'a\'?', 1`},
		{"escaped double quote", `SELECT "a\"?", ?`, []any{1}, false, `SELECT "a\"?", 1`},
		{"escaped backslash closes", `SELECT 'a\\', ?`, []any{1}, false, `SELECT 'a\\', 1`},
		{"NO_BACKSLASH_ESCAPES closes at the second quote", `SELECT 'a\', ?`, []any{1}, true, `SELECT 'a\', 1`},
		{"NO_BACKSLASH_ESCAPES double quote", `SELECT "a\", ?`, []any{1}, true, `SELECT "a\", 1`},
		{"backslash in backticks never escapes", "SELECT `a\\`, ?", []any{1}, false, "SELECT `a\\`, 1"},
		{"arguments follow the mode", "SELECT ?", []any{`\'`}, true, `SELECT '\'''`},
		{"arguments follow the mode too", "SELECT ?", []any{`\'`}, false, `SELECT '\\\''`},
	})
}

func TestCountPlaceholdersStopsAtUnterminatedQuotesAndComments(t *testing.T) {
	tests := []struct {
		q    string
		nobs bool
		want int
	}{
		{"", false, 0},
		{"?", false, 1},
		{"? '?", false, 1},
		{`? "?`, false, 1},
		{"? `?", false, 1},
		{`? 'a\' ?`, false, 1},
		{`? 'a\' ?`, true, 2},
		{`? 'a\' ? '`, true, 2},
		{`? 'a\' ? ' ?`, false, 2},
		{"? /* ?", false, 1},
		{"? /* ? *", false, 1},
		{"? # ?", false, 1},
		{"? -- ?", false, 1},
	}
	for _, tt := range tests {
		if got := CountPlaceholders(tt.q, tt.nobs); got != tt.want {
			t.Errorf("CountPlaceholders(%q, %v) = %d, want %d", tt.q, tt.nobs, got, tt.want)
		}
	}
}

func TestInterpolateArgumentCountMismatch(t *testing.T) {
	tests := []struct {
		q    string
		args []any
		msg  string
	}{
		{"SELECT ?, ?", []any{1}, "2 placeholders, 1 arguments"},
		{"SELECT ?", []any{1, 2}, "1 placeholders, 2 arguments"},
		{"SELECT ?", nil, "1 placeholders, 0 arguments"},
		{"SELECT '?'", []any{1}, "0 placeholders, 1 arguments"},
		{"SELECT 1 /* ?", []any{1}, "0 placeholders, 1 arguments"},
	}
	for _, tt := range tests {
		got, err := Interpolate([]byte("x"), tt.q, tt.args, LiteralOptions{})
		if !errors.Is(err, ErrArgCount) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%q with %d args: %v, want ErrArgCount with %q", tt.q, len(tt.args), err, tt.msg)
		}
		if string(got) != "x" {
			t.Errorf("%q: dst became %q, want it unchanged", tt.q, got)
		}
	}
}

// A query written for aiomysql (%s, %(name)s) gets a count mismatch that
// says amysql's placeholder is ?, and matches ErrPercentPlaceholder; a %
// inside a string or comment, or a modulo, does not trigger the hint.
func TestInterpolateHintsAtPercentPlaceholders(t *testing.T) {
	tests := []struct {
		q    string
		args []any
		hint string // "" = no hint expected
	}{
		{"SELECT * FROM t WHERE id = %s", []any{1}, "%s"},
		{"INSERT INTO t VALUES (%s, %s)", []any{1, 2}, "%s"},
		{"SELECT * FROM t WHERE id = %(id)s", []any{1}, "%(id)s"},
		{"SELECT ?, %s", []any{1, 2}, "%s"},
		{"SELECT '%s'", []any{1}, ""},
		{"SELECT 1 -- %s\n", []any{1}, ""},
		{"SELECT 7 % 3", []any{1}, ""},
		{"SELECT '100%%'", []any{1}, ""},
	}
	for _, tt := range tests {
		_, err := Interpolate(nil, tt.q, tt.args, LiteralOptions{})
		if !errors.Is(err, ErrArgCount) {
			t.Fatalf("%q: %v, want ErrArgCount", tt.q, err)
		}
		hinted := errors.Is(err, ErrPercentPlaceholder)
		switch {
		case tt.hint == "" && hinted:
			t.Errorf("%q: %v: a hint where there is no %%s placeholder", tt.q, err)
		case tt.hint != "" && (!hinted || !strings.Contains(err.Error(), tt.hint) || !strings.Contains(err.Error(), "?")):
			t.Errorf("%q: %v: want ErrPercentPlaceholder naming %s and ?", tt.q, err, tt.hint)
		}
	}
	err := ArgCountError("INSERT INTO t VALUES (%s)", 0, 1, false)
	if !errors.Is(err, ErrArgCount) || !errors.Is(err, ErrPercentPlaceholder) {
		t.Errorf("ArgCountError = %v, want ErrArgCount and ErrPercentPlaceholder", err)
	}
}

func TestInterpolateNamesTheArgumentWithoutALiteral(t *testing.T) {
	got, err := Interpolate([]byte("x"), "SELECT ?, ?", []any{1, map[string]int{}}, LiteralOptions{})
	if !errors.Is(err, ErrUnsupportedArg) || !strings.Contains(err.Error(), "argument 2") {
		t.Errorf("error %v, want ErrUnsupportedArg for argument 2", err)
	}
	if string(got) != "x" {
		t.Errorf("dst became %q, want it unchanged", got)
	}
}

func TestInterpolateDoesNotAllocate(t *testing.T) {
	dst := make([]byte, 0, 256)
	args := []any{int64(42), "name", []int64{1, 2, 3}}
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = Interpolate(dst[:0], "SELECT c FROM sbtest1 WHERE id = ? AND k = ? AND pad IN ? -- ?", args, LiteralOptions{})
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}
