package proto

import (
	"errors"
	"fmt"
	"strings"
)

// ErrArgCount reports a query whose placeholders and arguments differ in
// number.
var ErrArgCount = errors.New("proto: placeholder and argument counts differ")

// ErrPercentPlaceholder accompanies ErrArgCount when the query has
// aiomysql's %s or %(name)s placeholders: amysql's placeholder is ?.
var ErrPercentPlaceholder = errors.New("proto: %s and %(name)s are aiomysql's placeholders; amysql's is ?")

// ArgCountError returns the error for query, which has placeholders ?
// placeholders and was given args arguments: it wraps ErrArgCount, and
// ErrPercentPlaceholder too when %s-style placeholders appear outside
// strings and comments.
func ArgCountError(query string, placeholders, args int, noBackslash bool) error {
	return &argCountError{placeholders: placeholders, args: args, percent: percentPlaceholder(query, noBackslash)}
}

type argCountError struct {
	placeholders, args int
	percent            string // the first %s-style placeholder, if any
}

func (e *argCountError) Error() string {
	msg := fmt.Sprintf("%v: %d placeholders, %d arguments", ErrArgCount, e.placeholders, e.args)
	if e.percent != "" {
		msg += "; the query has " + e.percent + ", aiomysql's placeholder: amysql's is ?"
	}
	return msg
}

func (e *argCountError) Unwrap() []error {
	if e.percent != "" {
		return []error{ErrArgCount, ErrPercentPlaceholder}
	}
	return []error{ErrArgCount}
}

// percentPlaceholder returns the first %s or %(name)s of q outside strings
// and comments, or "".
func percentPlaceholder(q string, noBackslash bool) string {
	found := ""
	scanTopLevel(q, noBackslash, func(i int) bool {
		if q[i] != '%' || i+1 == len(q) {
			return true
		}
		switch q[i+1] {
		case 's':
			found = "%s"
		case '(':
			if j := strings.IndexByte(q[i:], ')'); j > 0 && i+j+1 < len(q) && q[i+j+1] == 's' {
				found = q[i : i+j+2]
			}
		}
		return found == ""
	})
	return found
}

// Interpolate appends query to dst with each ? placeholder replaced by the
// literal of the matching argument (see AppendLiteral).
//
// A ? is not a placeholder inside a quoted string ('…' or "…"), a quoted
// identifier (`…`) or a comment: # or -- to the end of the line (-- only
// when followed by a space, a control character or the end, as the server
// reads it, so 1--1 stays arithmetic) and /* … */. Versioned comments
// (/*! … */, /*M! … */) count as comments too, although the server runs
// them, so they never take arguments. Inside strings a backslash escapes
// the next byte unless opts.NoBackslashEscapes is set. After an unterminated
// string, identifier or comment no placeholder is recognised; the server
// rejects such a statement anyway.
//
// It returns an error wrapping ErrArgCount when the numbers of placeholders
// and arguments differ, or the argument's error when one has no literal.
// On error dst is returned with its original length.
func Interpolate(dst []byte, query string, args []any, opts LiteralOptions) ([]byte, error) {
	return interpolate(dst, query, args, opts, nil)
}

// interpolate is Interpolate; with lits non-nil it appends the range of
// each literal, relative to the statement's start, to *lits.
func interpolate(dst []byte, query string, args []any, opts LiteralOptions, lits *[]Range) ([]byte, error) {
	start := len(dst)
	last := 0
	for argi := 0; ; argi++ {
		pos := nextPlaceholder(query, last, opts.NoBackslashEscapes)
		if pos < 0 || argi == len(args) {
			if pos >= 0 || argi < len(args) {
				n := CountPlaceholders(query, opts.NoBackslashEscapes)
				return dst[:start], ArgCountError(query, n, len(args), opts.NoBackslashEscapes)
			}
			break
		}
		dst = append(dst, query[last:pos]...)
		lit := len(dst)
		var err error
		if dst, err = appendLiteral(dst, args[argi], opts, 0); err != nil {
			return dst[:start], fmt.Errorf("argument %d: %w", argi+1, err)
		}
		if lits != nil {
			*lits = append(*lits, Range{lit - start, len(dst) - start})
		}
		last = pos + 1
	}
	return append(dst, query[last:]...), nil
}

// CountPlaceholders returns the number of ? placeholders in query, by the
// rules Interpolate uses.
func CountPlaceholders(query string, noBackslash bool) int {
	n := 0
	for i := nextPlaceholder(query, 0, noBackslash); i >= 0; i = nextPlaceholder(query, i+1, noBackslash) {
		n++
	}
	return n
}

// nextPlaceholder returns the offset of the first placeholder in q at or
// after i, which must not be inside a string or comment, or -1.
func nextPlaceholder(q string, i int, noBackslash bool) int {
	for ; i < len(q); i++ {
		switch c := q[i]; c {
		case '?':
			return i
		case '\'', '"', '`':
			if i = closingQuote(q, i, noBackslash || c == '`'); i < 0 {
				return -1
			}
		case '#':
			i = lineCommentEnd(q, i)
		case '-':
			if i+1 < len(q) && q[i+1] == '-' && (i+2 == len(q) || q[i+2] <= ' ' || q[i+2] == 0x7f) {
				i = lineCommentEnd(q, i)
			}
		case '/':
			if i+1 < len(q) && q[i+1] == '*' {
				end := strings.Index(q[i+2:], "*/")
				if end < 0 {
					return -1
				}
				i += 2 + end + 1
			}
		}
	}
	return -1
}

// closingQuote returns the offset of the quote closing the string or
// identifier that opens at q[i], or -1. A doubled quote stands for one;
// unless noBackslash, a backslash escapes the next byte.
func closingQuote(q string, i int, noBackslash bool) int {
	quote := q[i]
	for j := i + 1; j < len(q); j++ {
		switch q[j] {
		case '\\':
			if !noBackslash {
				j++
			}
		case quote:
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j
		}
	}
	return -1
}

// lineCommentEnd returns the offset of the newline, or NUL, that ends the
// comment starting at q[i], or len(q).
func lineCommentEnd(q string, i int) int {
	for ; i < len(q); i++ {
		if q[i] == '\n' || q[i] == 0 {
			return i
		}
	}
	return len(q)
}

// skipLine returns the offset of the newline ending the line at q[i], or
// len(q).
func skipLine(q string, i int) int {
	if j := strings.IndexByte(q[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(q)
}

// indexFrom returns the offset of the first sub in s at or after from, or
// -1.
func indexFrom(s, sub string, from int) int {
	if from > len(s) {
		return -1
	}
	if j := strings.Index(s[from:], sub); j >= 0 {
		return from + j
	}
	return -1
}
