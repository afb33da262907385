package proto

import (
	"errors"
	"fmt"
)

// ErrArgCount reports a query whose placeholders and arguments differ in
// number.
var ErrArgCount = errors.New("proto: placeholder and argument counts differ")

// Interpolate appends query to dst with each ? placeholder replaced by the
// literal of the matching argument. Placeholders inside quoted strings
// ('…', "…"), quoted identifiers (`…`) and comments (-- , #, /* … */,
// including versioned /*! … */ comments) are left alone. Inside strings a
// backslash escapes the next byte unless opts.NoBackslashEscapes is set.
// After an unterminated string or comment no more placeholders are found;
// the server rejects such a statement anyway.
func Interpolate(dst []byte, query string, args []any, opts LiteralOptions) ([]byte, error) {
	argi := 0
	last := 0
	var err error
	scanPlaceholders(query, opts.NoBackslashEscapes, func(pos int) bool {
		if argi >= len(args) {
			argi++
			return false
		}
		dst = append(dst, query[last:pos]...)
		if dst, err = appendLiteral(dst, args[argi], opts, 0); err != nil {
			err = fmt.Errorf("argument %d: %w", argi+1, err)
			return false
		}
		argi++
		last = pos + 1
		return true
	})
	if err != nil {
		return dst, err
	}
	if argi != len(args) {
		n := CountPlaceholders(query, opts.NoBackslashEscapes)
		return dst, fmt.Errorf("%w: %d placeholders, %d arguments", ErrArgCount, n, len(args))
	}
	return append(dst, query[last:]...), nil
}

// CountPlaceholders returns the number of ? placeholders in query.
func CountPlaceholders(query string, noBackslash bool) int {
	n := 0
	scanPlaceholders(query, noBackslash, func(int) bool { n++; return true })
	return n
}

// scanPlaceholders calls fn with the offset of each placeholder until fn
// returns false.
func scanPlaceholders(q string, noBackslash bool, fn func(int) bool) {
	for i := 0; i < len(q); i++ {
		switch c := q[i]; c {
		case '?':
			if !fn(i) {
				return
			}
		case '\'', '"', '`':
			j := i + 1
			for ; j < len(q); j++ {
				if q[j] == '\\' && c != '`' && !noBackslash {
					j++
					continue
				}
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // doubled quote
						j++
						continue
					}
					break
				}
			}
			if j >= len(q) {
				return
			}
			i = j
		case '#':
			i = skipLine(q, i)
		case '-':
			if i+1 < len(q) && q[i+1] == '-' && (i+2 == len(q) || q[i+2] <= ' ') {
				i = skipLine(q, i)
			}
		case '/':
			if i+1 < len(q) && q[i+1] == '*' {
				end := indexFrom(q, "*/", i+2)
				if end < 0 {
					return
				}
				i = end + 1
			}
		}
	}
}

func skipLine(q string, i int) int {
	for ; i < len(q); i++ {
		if q[i] == '\n' {
			return i
		}
	}
	return len(q)
}

func indexFrom(s, sub string, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
