package proto

import (
	"database/sql/driver"
	"errors"
	"strings"
	"testing"
)

type driverValue = driver.Value

func TestInterpolate(t *testing.T) {
	tests := []struct {
		name string
		q    string
		args []any
		nobs bool
		want string
	}{
		{"plain", "SELECT ?, ?", []any{1, "a"}, false, "SELECT 1, 'a'"},
		{"no args", "SELECT '?'", nil, false, "SELECT '?'"},
		{"in list", "WHERE id IN ?", []any{[]int64{1, 2, 3}}, false, "WHERE id IN (1,2,3)"},
		{"single quoted", "SELECT '?', ?", []any{1}, false, "SELECT '?', 1"},
		{"double quoted", `SELECT "?", ?`, []any{1}, false, `SELECT "?", 1`},
		{"backticks", "SELECT `a?b`, ?", []any{1}, false, "SELECT `a?b`, 1"},
		{"doubled quote", "SELECT 'it''s ?', ?", []any{1}, false, "SELECT 'it''s ?', 1"},
		{"escaped quote", `SELECT 'a\'?', ?`, []any{1}, false, `SELECT 'a\'?', 1`},
		{"escaped quote nobs", `SELECT 'a\', ?`, []any{1}, true, `SELECT 'a\', 1`},
		{"dash comment", "SELECT ? -- ?\n, ?", []any{1, 2}, false, "SELECT 1 -- ?\n, 2"},
		{"dash arithmetic", "SELECT 1--?", []any{2}, false, "SELECT 1--2"},
		{"hash comment", "SELECT ? # ?", []any{1}, false, "SELECT 1 # ?"},
		{"block comment", "SELECT /* ? */ ?", []any{1}, false, "SELECT /* ? */ 1"},
		{"versioned comment", "SELECT /*!50000 ? */ ?", []any{1}, false, "SELECT /*!50000 ? */ 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Interpolate(nil, tt.q, tt.args, LiteralOptions{NoBackslashEscapes: tt.nobs})
			if err != nil || string(got) != tt.want {
				t.Errorf("Interpolate = %q, %v; want %q", got, err, tt.want)
			}
			if n := CountPlaceholders(tt.q, tt.nobs); len(tt.args) > 0 && n != len(tt.args) {
				t.Errorf("CountPlaceholders = %d, want %d", n, len(tt.args))
			}
		})
	}
}

func TestInterpolateArgumentCountMismatch(t *testing.T) {
	for _, tt := range []struct {
		q    string
		args []any
	}{
		{"SELECT ?, ?", []any{1}},
		{"SELECT ?", []any{1, 2}},
		{"SELECT '?'", []any{1}},
	} {
		if _, err := Interpolate(nil, tt.q, tt.args, LiteralOptions{}); !errors.Is(err, ErrArgCount) {
			t.Errorf("%q with %d args: %v, want ErrArgCount", tt.q, len(tt.args), err)
		}
	}
}

func TestInterpolateDoesNotAllocate(t *testing.T) {
	dst := make([]byte, 0, 256)
	args := []any{int64(42), "name"}
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = Interpolate(dst[:0], "SELECT c FROM sbtest1 WHERE id = ? AND k = ?", args, LiteralOptions{})
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}

// FuzzInterpolate checks that an arbitrary string argument always reads
// back as itself and that placeholders are counted consistently.
func FuzzInterpolate(f *testing.F) {
	f.Add("SELECT ?", "x", false)
	f.Add("SELECT '?' -- ?\n, ?", `\'`, true)
	f.Add("/* ? */ ? # ?", "\x00'\"\\", false)
	f.Fuzz(func(t *testing.T, q, s string, nobs bool) {
		opts := LiteralOptions{NoBackslashEscapes: nobs}
		n := CountPlaceholders(q, nobs)
		if n > 100 {
			return
		}
		args := make([]any, n)
		for i := range args {
			args[i] = s
		}
		if _, err := Interpolate(nil, q, args, opts); err != nil {
			t.Fatalf("Interpolate with %d args for %d placeholders: %v", n, n, err)
		}
		out, err := Interpolate(nil, "SELECT ?", []any{s}, opts)
		if err != nil {
			t.Fatal(err)
		}
		lit := []byte(strings.TrimPrefix(string(out), "SELECT "))
		if got := unquote(t, lit, nobs); string(got) != s {
			t.Fatalf("%q read back as %q", s, got)
		}
		// The literal's closing quote is the last byte: nothing in s can
		// end the string early, so no placeholder appears after it.
		if CountPlaceholders(string(out)+" ?", nobs) != 1 {
			t.Fatalf("literal of %q does not close where it should: %s", s, out)
		}
	})
}
