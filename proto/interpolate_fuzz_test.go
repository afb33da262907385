package proto

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzInterpolate runs Interpolate on random queries with a random string
// argument for every placeholder. It must not panic; it must replace
// exactly CountPlaceholders placeholders and refuse one argument more or
// less; no placeholder may survive in its output unless the query puts a
// quote right after one (where the literal runs on into the query's own
// string); and "SELECT ?" must carry any string through to the server's
// reading of it unchanged, in both backslash modes.
func FuzzInterpolate(f *testing.F) {
	f.Add("SELECT ?", "x", false)
	f.Add("SELECT '?' -- ?\n, ?", `\'`, true)
	f.Add("/* ? */ ? # ?", "\x00'\"\\", false)
	f.Add(`SELECT 'a\', ?, '?`, `\`, true)
	f.Add(`SELECT 'a\', ?, '?`, `\`, false)
	f.Add("SELECT `?``?`, \"?\"\"\", ?", "\x1a\r\n", false)
	f.Add("1--?--\x7f?\n?#?\x00?", "--", false)
	f.Add("/*/?*/?/*!?*/?", "*/", false)
	f.Add("?'?'", "'", false)
	f.Add("SELECT ?", "\xbf'\xbf\\", false)
	f.Add("SELECT ?", "😀\u00a0", true)
	f.Fuzz(func(t *testing.T, q, s string, nobs bool) {
		opts := LiteralOptions{NoBackslashEscapes: nobs}
		n := CountPlaceholders(q, nobs)
		if n > 1000 {
			return
		}
		args := make([]any, n+1)
		for i := range args {
			args[i] = s
		}
		out, err := Interpolate(nil, q, args[:n], opts)
		if err != nil {
			t.Fatalf("Interpolate with %d arguments for %d placeholders: %v", n, n, err)
		}
		lit := AppendQuotedString(nil, s, nobs)
		if want := len(q) + n*(len(lit)-1); len(out) != want {
			t.Fatalf("output is %d bytes, want %d for %d replacements: %q", len(out), want, n, out)
		}
		if _, err := Interpolate(nil, q, args, opts); !errors.Is(err, ErrArgCount) {
			t.Fatalf("%d arguments for %d placeholders: %v, want ErrArgCount", n+1, n, err)
		}
		if n > 0 {
			if _, err := Interpolate(nil, q, args[:n-1], opts); !errors.Is(err, ErrArgCount) {
				t.Fatalf("%d arguments for %d placeholders: %v, want ErrArgCount", n-1, n, err)
			}
		}
		if !strings.Contains(q, "?'") {
			if left := CountPlaceholders(string(out), nobs); left != 0 {
				t.Fatalf("%d placeholders survive in %q", left, out)
			}
		}

		sel, err := Interpolate(nil, "SELECT ?", []any{s}, opts)
		if err != nil {
			t.Fatal(err)
		}
		got, used, err := readString(sel[len("SELECT "):], nobs)
		if err != nil || string(got) != s || len("SELECT ")+used != len(sel) {
			t.Fatalf("%q: the server reads %q as %q (%d bytes, %v)", s, sel, got, used, err)
		}
	})
}

// FuzzQuotedString checks the quoting functions on random bytes: each
// string literal reads back as the input and ends at its last byte, so a
// placeholder after it is still found; and each identifier reads back as
// the input, or the input is refused.
func FuzzQuotedString(f *testing.F) {
	f.Add([]byte("plain"), false)
	f.Add([]byte("\x00\n\r\\'\"\x1a"), false)
	f.Add([]byte("\x00\n\r\\'\"\x1a"), true)
	f.Add([]byte(`\'`), true)
	f.Add([]byte(`'\`), false)
	f.Add([]byte("`?`"), false)
	f.Add([]byte("\xbf\x5c\x27"), false)
	f.Add([]byte("😀"), true)
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, b []byte, nobs bool) {
		s := string(b)
		lits := [][]byte{AppendQuotedString(nil, s, nobs), AppendQuotedBytes(nil, b, nobs)}
		for _, lit := range lits {
			got, used, err := readString(append(lit, " ?"...), nobs)
			if err != nil || !bytes.Equal(got, b) || used != len(lit) {
				t.Fatalf("%q: %q reads as %q (%d of %d bytes, %v)", b, lit, got, used, len(lit), err)
			}
			if n := CountPlaceholders("? "+string(lit)+" ?", nobs); n != 2 {
				t.Fatalf("%q: %d placeholders around %q, want 2", b, n, lit)
			}
		}
		opts := LiteralOptions{NoBackslashEscapes: nobs}
		if l, err := AppendLiteral(nil, s, opts); err != nil || !bytes.Equal(l, lits[0]) {
			t.Fatalf("AppendLiteral(string) = %q, %v; want %q", l, err, lits[0])
		}
		if l, err := AppendLiteral(nil, b, opts); err != nil || b != nil && !bytes.Equal(l, lits[1]) {
			t.Fatalf("AppendLiteral([]byte) = %q, %v; want %q", l, err, lits[1])
		}

		id, err := AppendQuotedIdentifier(nil, s)
		if s == "" || strings.IndexByte(s, 0) >= 0 {
			if !errors.Is(err, ErrBadIdentifier) {
				t.Fatalf("%q: %v, want ErrBadIdentifier", s, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if got, ok := readIdentifier(id); !ok || got != s {
			t.Fatalf("%q quoted as %q reads as %q (%v)", s, id, got, ok)
		}
		if n := CountPlaceholders("? "+string(id)+" ?", nobs); n != 2 {
			t.Fatalf("%q: %d placeholders around %q, want 2", s, n, id)
		}
	})
}

// readIdentifier decodes id, which must be exactly one backtick-quoted
// identifier: a doubled backtick stands for one, and nothing else is
// special.
func readIdentifier(id []byte) (string, bool) {
	if len(id) < 2 || id[0] != '`' || id[len(id)-1] != '`' {
		return "", false
	}
	var out []byte
	body := id[1 : len(id)-1]
	for i := 0; i < len(body); i++ {
		if body[i] == '`' {
			if i+1 == len(body) || body[i+1] != '`' {
				return "", false
			}
			i++
		}
		out = append(out, body[i])
	}
	return string(out), true
}
