package proto

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Range is the byte range [Start, End) of a statement.
type Range struct{ Start, End int }

// InterpolateLiterals is Interpolate that also reports where each
// argument's literal lies in the statement it appends (offsets from the
// statement's start, in order). It allocates the ranges; it is meant for
// error paths, which rebuild a statement to redact what the server quotes
// of it (see RedactMessage).
func InterpolateLiterals(dst []byte, query string, args []any, opts LiteralOptions) ([]byte, []Range, error) {
	lits := make([]Range, 0, len(args))
	dst, err := interpolate(dst, query, args, opts, &lits)
	if err != nil {
		return dst, nil, err
	}
	return dst, lits, nil
}

// ErParseError is the server's syntax error, whose message quotes the
// statement from the point where parsing failed ("near '...'").
const ErParseError uint16 = 1064

// minFragment is the length below which a piece of a message other than a
// syntax error that matches the statement, but does not run to its end,
// counts as coincidence.
const minFragment = 8

// RedactMessage returns msg, a server error message about stmt, with each
// fragment of stmt it quotes rewritten so that every literal of lits
// (sorted, as InterpolateLiterals returns them) in it reads as ?.
//
// A fragment starts after a quote in msg and is matched against stmt byte
// for byte, or as the server writes what it cannot show (? for a character
// outside its message charset, \XXXX for a control byte). It may start or
// end inside a literal; where it stops inside one, the rest of msg up to
// its last quote is dropped, unless it is the server's cut ("..." or the
// closing quote). A match counts from minFragment bytes on, or when it
// runs to the end of stmt. In a syntax error (code ErParseError) msg
// quotes nothing but the statement, so a shorter match counts too when it
// starts outside a literal. In other messages a match starting inside a
// literal does not count: that is a value the server quotes as data (1062
// "Duplicate entry 'x'", 1366 "Incorrect integer value: 'x'"), which the
// binary protocol shows the same way.
func RedactMessage(code uint16, msg string, stmt []byte, lits []Range) string {
	if len(lits) == 0 || len(stmt) == 0 {
		return msg
	}
	var out []byte
	last := 0 // msg[:last] is in out
	for i := strings.IndexByte(msg, '\''); i >= 0 && i+1 < len(msg); {
		k := i + 1
		p, m, n := longestMatch(msg[k:], stmt, lits)
		end := p + n
		long := n >= minFragment || end == len(stmt)
		ok := m > 0 && overlaps(lits, p, end)
		if code == ErParseError {
			// The message quotes nothing but the statement: a short
			// match counts too where it starts outside a literal (it
			// may stop where the server wrote a byte differently).
			ok = ok && (long || n > 1 && !strictlyInside(lits, p))
		} else {
			ok = ok && long && !strictlyInside(lits, p)
		}
		if !ok {
			j := strings.IndexByte(msg[k:], '\'')
			if j < 0 {
				break
			}
			i = k + j
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(msg))
		}
		out = append(out, msg[last:k]...)
		out = appendRedacted(out, msg[k:k+m], stmt[:end], p, lits)
		last = k + m
		if cutInside(lits, end) {
			// The fragment stops inside a literal: the rest of msg
			// may go on with it, unless it is the server's cut.
			rest := msg[last:]
			if !strings.HasPrefix(rest, "...") && !strings.HasPrefix(rest, "'") {
				q := strings.LastIndexByte(rest, '\'')
				if q < 0 {
					q = len(rest)
				}
				last += q
			}
		}
		j := strings.IndexByte(msg[last:], '\'')
		if j < 0 {
			break
		}
		i = last + j
	}
	if out == nil {
		return msg
	}
	return string(append(out, msg[last:]...))
}

// longestMatch finds where in stmt the longest match of a prefix of frag
// starts: stmt[p:p+n] matches frag[:m], m as large as can be (0 when
// nothing matches). Of matches as long it prefers one that runs to the end
// of stmt, as a syntax error's fragment does, then one that covers a
// literal.
func longestMatch(frag string, stmt []byte, lits []Range) (p, m, n int) {
	if frag == "" {
		return 0, 0, 0
	}
	rank := func(at, n int) int {
		r := 0
		if at+n == len(stmt) {
			r += 2
		}
		if overlaps(lits, at, at+n) {
			r++
		}
		return r
	}
	try := func(at int) {
		mm, nn := matchAt(frag, stmt, at)
		if mm > m || mm == m && mm > 0 && rank(at, nn) > rank(p, n) {
			p, m, n = at, mm, nn
		}
	}
	if c := frag[0]; c != '?' && c != '\\' {
		// The first byte matches itself: let IndexByte find candidates.
		for from := 0; from < len(stmt); {
			j := bytes.IndexByte(stmt[from:], c)
			if j < 0 {
				break
			}
			try(from + j)
			from += j + 1
		}
		return p, m, n
	}
	for at := range stmt {
		try(at)
	}
	return p, m, n
}

// matchAt returns how much of frag (m bytes) matches stmt from at (n
// bytes), unit by unit (see unit).
func matchAt(frag string, stmt []byte, at int) (m, n int) {
	j := at
	for m < len(frag) && j < len(stmt) {
		dm, dj := unit(frag, m, stmt, j)
		if dm == 0 {
			break
		}
		m, j = m+dm, j+dj
	}
	return m, j - at
}

// unit returns the sizes in frag and stmt of the unit of frag[m:] that
// matches stmt[j:], or 0, 0: a byte for the same byte, or what the server
// writes for a byte it cannot show: ? for a character outside its message
// character set (one invalid byte or one multibyte character) and \XXXX
// for a control byte.
func unit(frag string, m int, stmt []byte, j int) (dm, dj int) {
	c, f := stmt[j], frag[m]
	switch {
	case f == c:
		return 1, 1
	case f == '?' && c >= utf8.RuneSelf:
		_, size := utf8.DecodeRune(stmt[j:])
		return 1, size
	case f == '\\' && c < utf8.RuneSelf && m+5 <= len(frag) && hex4(frag[m+1:m+5]) == int(c):
		return 5, 1
	}
	return 0, 0
}

// hex4 decodes four hex digits, or returns -1.
func hex4(s string) int {
	v := 0
	for i := range 4 {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | int(c-'0')
		case c >= 'A' && c <= 'F':
			v = v<<4 | int(c-'A'+10)
		case c >= 'a' && c <= 'f':
			v = v<<4 | int(c-'a'+10)
		default:
			return -1
		}
	}
	return v
}

// appendRedacted appends frag, which matches stmt from p to its end, with
// the part of each literal in it replaced by one ?.
func appendRedacted(dst []byte, frag string, stmt []byte, p int, lits []Range) []byte {
	li, marked := 0, -1 // marked: the literal whose ? is written
	for m, j := 0, p; m < len(frag) && j < len(stmt); {
		dm, dj := unit(frag, m, stmt, j)
		if dm == 0 {
			break // not reached: frag matches stmt
		}
		for li < len(lits) && lits[li].End <= j {
			li++
		}
		switch {
		case li == len(lits) || j < lits[li].Start:
			dst = append(dst, frag[m:m+dm]...)
		case marked != li:
			dst = append(dst, '?')
			marked = li
		}
		m, j = m+dm, j+dj
	}
	return dst
}

// overlaps reports whether [start, end) overlaps a literal.
func overlaps(lits []Range, start, end int) bool {
	for _, l := range lits {
		if l.Start < end && start < l.End {
			return true
		}
	}
	return false
}

// strictlyInside reports whether offset i lies inside a literal, after its
// first byte.
func strictlyInside(lits []Range, i int) bool {
	for _, l := range lits {
		if l.Start < i && i < l.End {
			return true
		}
	}
	return false
}

// cutInside reports whether a fragment ending at end stops inside a
// literal.
func cutInside(lits []Range, end int) bool { return strictlyInside(lits, end) }
