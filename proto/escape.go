package proto

import "errors"

// AppendQuotedString appends s as a single-quoted SQL string literal. With
// noBackslash (the server's NO_BACKSLASH_ESCAPES mode) only ' is doubled;
// otherwise NUL, \n, \r, \, ', " and \x1a are backslash-escaped.
func AppendQuotedString(dst []byte, s string, noBackslash bool) []byte {
	dst = append(dst, '\'')
	if noBackslash {
		for i := 0; i < len(s); i++ {
			if s[i] == '\'' {
				dst = append(dst, '\'')
			}
			dst = append(dst, s[i])
		}
		return append(dst, '\'')
	}
	for i := 0; i < len(s); i++ {
		dst = appendEscapedByte(dst, s[i])
	}
	return append(dst, '\'')
}

// AppendQuotedBytes appends b as a binary string literal, _binary'...',
// escaped as AppendQuotedString does.
func AppendQuotedBytes(dst []byte, b []byte, noBackslash bool) []byte {
	dst = append(dst, "_binary'"...)
	if noBackslash {
		for _, c := range b {
			if c == '\'' {
				dst = append(dst, '\'')
			}
			dst = append(dst, c)
		}
		return append(dst, '\'')
	}
	for _, c := range b {
		dst = appendEscapedByte(dst, c)
	}
	return append(dst, '\'')
}

func appendEscapedByte(dst []byte, c byte) []byte {
	switch c {
	case 0:
		return append(dst, '\\', '0')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\\':
		return append(dst, '\\', '\\')
	case '\'':
		return append(dst, '\\', '\'')
	case '"':
		return append(dst, '\\', '"')
	case 0x1a:
		return append(dst, '\\', 'Z')
	}
	return append(dst, c)
}

// ErrBadIdentifier reports an identifier that cannot be quoted.
var ErrBadIdentifier = errors.New("proto: identifier is empty or contains NUL")

// AppendQuotedIdentifier appends name quoted with backticks, doubling any
// backtick inside it.
func AppendQuotedIdentifier(dst []byte, name string) ([]byte, error) {
	if name == "" {
		return dst, ErrBadIdentifier
	}
	dst = append(dst, '`')
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case 0:
			return dst, ErrBadIdentifier
		case '`':
			dst = append(dst, '`')
		}
		dst = append(dst, name[i])
	}
	return append(dst, '`'), nil
}
