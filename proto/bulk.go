package proto

import "strings"

// BulkInsert is an INSERT or REPLACE statement split around its single
// VALUES row, so the row can be repeated for many argument lists.
type BulkInsert struct {
	Prefix string // "INSERT ... VALUES "
	Row    string // "(?, ?, NOW())"
	Tail   string // "", " AS new ON DUPLICATE KEY UPDATE ..."
	Params int    // placeholders in Row
}

// ParseBulkInsert recognises "INSERT|REPLACE ... VALUE[S] (row) [AS alias
// [(cols)]] [ON DUPLICATE KEY UPDATE ...] [;]" with exactly one row and
// every placeholder inside that row. ok is false for anything else, which
// must then run statement by statement.
func ParseBulkInsert(q string, noBackslash bool) (b BulkInsert, ok bool) {
	t := strings.TrimSpace(q)
	t = strings.TrimSuffix(t, ";")
	t = strings.TrimRight(t, " \t\r\n")
	upper := strings.ToUpper(t)
	if !strings.HasPrefix(upper, "INSERT") && !strings.HasPrefix(upper, "REPLACE") {
		return b, false
	}
	// Find the top-level VALUES/VALUE keyword followed by '('.
	rowStart := -1
	depth := 0
	scanTopLevel(t, noBackslash, func(i int) bool {
		switch t[i] {
		case '(':
			depth++
		case ')':
			depth--
		default:
			if depth == 0 && rowStart < 0 && isWordAt(upper, i, "VALUE") {
				j := i + len("VALUE")
				if j < len(upper) && upper[j] == 'S' {
					j++
				}
				if j < len(t) && isIdent(t[j]) {
					return true
				}
				for j < len(t) && isSpace(t[j]) {
					j++
				}
				if j < len(t) && t[j] == '(' {
					rowStart = j
					return false
				}
			}
		}
		return true
	})
	if rowStart < 0 {
		return b, false
	}
	// Find the ')' closing the row.
	rowEnd := -1
	depth = 0
	scanTopLevel(t[rowStart:], noBackslash, func(i int) bool {
		switch t[rowStart+i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				rowEnd = rowStart + i + 1
				return false
			}
		}
		return true
	})
	if rowEnd < 0 {
		return b, false
	}
	tail := t[rowEnd:]
	trimmed := strings.TrimSpace(tail)
	tu := strings.ToUpper(trimmed)
	if trimmed != "" && !strings.HasPrefix(tu, "AS") && !strings.HasPrefix(tu, "ON") {
		return b, false // a second row, or something we do not understand
	}
	b = BulkInsert{Prefix: t[:rowStart], Row: t[rowStart:rowEnd], Tail: tail}
	b.Params = CountPlaceholders(b.Row, noBackslash)
	if b.Params == 0 || CountPlaceholders(b.Prefix, noBackslash)+CountPlaceholders(b.Tail, noBackslash) > 0 {
		return BulkInsert{}, false
	}
	return b, true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isIdent(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// isWordAt reports whether upper has the keyword w at i as a whole word
// start (the caller checks the end).
func isWordAt(upper string, i int, w string) bool {
	return strings.HasPrefix(upper[i:], w) && (i == 0 || !isIdent(upper[i-1]))
}

// scanTopLevel calls fn with the offset of every byte outside quoted
// strings, identifiers and comments, until fn returns false.
func scanTopLevel(q string, noBackslash bool, fn func(int) bool) {
	for i := 0; i < len(q); i++ {
		switch c := q[i]; c {
		case '\'', '"', '`':
			j := i + 1
			for ; j < len(q); j++ {
				if q[j] == '\\' && c != '`' && !noBackslash {
					j++
					continue
				}
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c {
						j++
						continue
					}
					break
				}
			}
			i = j
			continue
		case '#':
			i = skipLine(q, i)
			continue
		case '-':
			if i+1 < len(q) && q[i+1] == '-' && (i+2 == len(q) || q[i+2] <= ' ') {
				i = skipLine(q, i)
				continue
			}
		case '/':
			if i+1 < len(q) && q[i+1] == '*' {
				end := indexFrom(q, "*/", i+2)
				if end < 0 {
					return
				}
				i = end + 1
				continue
			}
		}
		if !fn(i) {
			return
		}
	}
}
