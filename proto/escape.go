package proto

import (
	"errors"
	"strings"
)

// AppendQuotedString appends s as a single-quoted SQL string literal. With
// noBackslash (the server's NO_BACKSLASH_ESCAPES mode) only ' is doubled;
// otherwise NUL, \n, \r, \, ', " and \x1a are backslash-escaped, as
// mysql_real_escape_string does. The result is only safe to send in a
// character set that UnsafeForInterpolation accepts.
func AppendQuotedString(dst []byte, s string, noBackslash bool) []byte {
	dst = append(dst, '\'')
	return append(appendEscaped(dst, s, noBackslash), '\'')
}

// AppendQuotedBytes appends b as a binary string literal, _binary'...',
// escaped as AppendQuotedString does.
func AppendQuotedBytes(dst []byte, b []byte, noBackslash bool) []byte {
	dst = append(dst, "_binary'"...)
	return append(appendEscaped(dst, b, noBackslash), '\'')
}

// backslashEscapes maps each byte that must be escaped to the letter that
// follows the backslash; 0 means the byte is written as it is.
var backslashEscapes = [256]byte{
	0:    '0',
	'\n': 'n',
	'\r': 'r',
	'\\': '\\',
	'\'': '\'',
	'"':  '"',
	0x1a: 'Z',
}

// appendEscaped appends the body of a string literal holding s, copying
// runs of bytes that need no escape at once.
func appendEscaped[T string | []byte](dst []byte, s T, noBackslash bool) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if noBackslash {
			if c != '\'' {
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\'', '\'')
		} else {
			e := backslashEscapes[c]
			if e == 0 {
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', e)
		}
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// appendEscapedByte appends one byte of a string literal's body.
func appendEscapedByte(dst []byte, c byte, noBackslash bool) []byte {
	switch {
	case noBackslash && c == '\'':
		return append(dst, '\'', '\'')
	case !noBackslash && backslashEscapes[c] != 0:
		return append(dst, '\\', backslashEscapes[c])
	}
	return append(dst, c)
}

// ErrBadIdentifier reports an identifier that cannot be quoted.
var ErrBadIdentifier = errors.New("proto: identifier is empty or contains NUL")

// AppendQuotedIdentifier appends name quoted with backticks, doubling any
// backtick inside it. It returns ErrBadIdentifier, and dst unchanged, if
// name is empty or contains NUL.
func AppendQuotedIdentifier(dst []byte, name string) ([]byte, error) {
	if name == "" || strings.IndexByte(name, 0) >= 0 {
		return dst, ErrBadIdentifier
	}
	dst = append(dst, '`')
	for {
		i := strings.IndexByte(name, '`')
		if i < 0 {
			break
		}
		dst = append(dst, name[:i+1]...)
		dst = append(dst, '`')
		name = name[i+1:]
	}
	dst = append(dst, name...)
	return append(dst, '`'), nil
}
