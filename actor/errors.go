package actor

import (
	"errors"
	"fmt"

	"github.com/amysql/amysql/proto"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrConnClosed is returned by every command on a closed connection.
	ErrConnClosed = newSentinel("connection is closed")
	// ErrBadConn means the connection broke (I/O or protocol failure, or
	// a cancellation it could not recover from) and was closed. Whether
	// the failed statement ran on the server is unknown.
	ErrBadConn = newSentinel("bad connection")
	// ErrPacketTooLarge reports a payload above max_allowed_packet.
	ErrPacketTooLarge = proto.ErrPacketTooLarge
	// ErrCursorClosed is returned by a closed cursor.
	ErrCursorClosed = newSentinel("cursor is closed")
	// ErrNoResult is returned when fetching from a cursor that has no
	// result set (nothing executed, or a statement without rows).
	ErrNoResult = newSentinel("no result set to fetch from")
	// ErrResultDiscarded means an unbuffered or multi-set result was
	// drained because another command ran on the connection first.
	ErrResultDiscarded = newSentinel("result was discarded by a later command on the connection")
	// ErrLocalInfileDenied is returned when the server asks for a local
	// file the configuration does not allow.
	ErrLocalInfileDenied = newSentinel("LOAD DATA LOCAL INFILE request refused")
	// ErrAuth reports an authentication exchange the client refused or did
	// not understand (the server's own refusals are *proto.Error 1045).
	ErrAuth = newSentinel("authentication failed")
	// ErrTLSRequired means TLS was required but the server does not offer it.
	ErrTLSRequired = newSentinel("TLS required but not offered by the server")
	// ErrTLS reports a failed TLS set-up or handshake, including a server
	// certificate that fails verification.
	ErrTLS = newSentinel("TLS")
	// ErrUnsafeCharset refuses client-side interpolation on a connection
	// whose character set (big5, cp932, gb2312, gbk, sjis, gb18030) can
	// hide a backslash or quote byte inside a multibyte character, which
	// would let a crafted string escape its quotes. Use a cursor with
	// Binary set (server-side prepared statements) or a safe charset.
	ErrUnsafeCharset = newSentinel("client-side interpolation refused: the connection charset can hide quotes inside multibyte characters")
	// ErrResultTooLarge reports a buffered result above MaxBufferedBytes.
	ErrResultTooLarge = newSentinel("result larger than MaxBufferedBytes; use an unbuffered cursor")
	// ErrUnsupported reports a configured feature this client does not
	// implement.
	ErrUnsupported = newSentinel("unsupported")
	// ErrDictRows is returned by the tuple-row methods (FetchOne,
	// FetchMany, FetchAll) of a DictCursor or SSDictCursor, whose rows
	// are maps: use FetchOneDict, FetchManyDict or FetchAllDict, or Next
	// and Scan.
	ErrDictRows = newSentinel("a dict cursor's rows are maps: use FetchOneDict, FetchManyDict or FetchAllDict")
	// ErrScroll reports a scroll outside the result or backwards on an
	// unbuffered cursor.
	ErrScroll = newSentinel("scroll out of range")
)

// Error is what a connection returns for a failure that is not the server's
// own error packet: it names the operation and wraps the cause (ErrBadConn
// plus the I/O or protocol error, ctx.Err(), ...).
type Error struct {
	Op  string // "connect", "query", "fetch", ...
	Err error
}

func (e *Error) Error() string { return prefix + e.bare() }

func (e *Error) bare() string { return e.Op + ": " + bareText(e.Err) }

func (e *Error) Unwrap() error { return e.Err }

// badConn wraps an I/O or protocol failure that broke the connection.
type badConn struct{ cause error }

func (b *badConn) Error() string { return prefix + b.bare() }

func (b *badConn) bare() string { return bareText(ErrBadConn) + ": " + bareText(b.cause) }

func (b *badConn) Unwrap() []error { return []error{ErrBadConn, b.cause} }

// IsBadConn reports whether err means the connection is unusable.
func IsBadConn(err error) bool { return errors.Is(err, ErrBadConn) || errors.Is(err, ErrConnClosed) }

// prefix starts the text of every error of this package, once.
const prefix = "amysql: "

// ownError is an error of this package: its text starts with prefix, and
// bare is that text without it. An error of this package wrapping one
// prints the bare text, so the prefix appears once however deep the
// wrapping goes.
type ownError interface {
	error
	bare() string
}

// bareText is the text of err as a cause: bare for the package's own
// errors, Error for any other.
func bareText(err error) string {
	if o, ok := err.(ownError); ok {
		return o.bare()
	}
	return err.Error()
}

// sentinel is a sentinel error of this package.
type sentinel struct{ text string } // prefix included

func newSentinel(msg string) error { return &sentinel{text: prefix + msg} }

func (e *sentinel) Error() string { return e.text }

func (e *sentinel) bare() string { return e.text[len(prefix):] }

// errorf is fmt.Errorf for the package's own errors: the result's text
// starts with prefix, and an own error among a prints as its bare text
// (%w still wraps it).
func errorf(format string, a ...any) error {
	args := a
	for i, v := range a {
		if o, ok := v.(ownError); ok {
			if &args[0] == &a[0] {
				args = append([]any(nil), a...)
			}
			args[i] = asCause{o}
		}
	}
	return &formatted{fmt.Errorf(format, args...)}
}

// formatted is an error made by errorf.
type formatted struct{ err error }

func (e *formatted) Error() string { return prefix + e.err.Error() }

func (e *formatted) bare() string { return e.err.Error() }

func (e *formatted) Unwrap() error { return e.err }

// asCause prints an own error without the prefix, inside errorf's text.
type asCause struct{ err ownError }

func (c asCause) Error() string { return c.err.bare() }

func (c asCause) Unwrap() error { return c.err }
