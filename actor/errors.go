package actor

import (
	"errors"
	"fmt"

	"github.com/amysql/amysql/proto"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrConnClosed is returned by every command on a closed connection.
	ErrConnClosed = errors.New("amysql: connection is closed")
	// ErrBadConn means the connection broke (I/O or protocol failure, or
	// a cancellation it could not recover from) and was closed. Whether
	// the failed statement ran on the server is unknown.
	ErrBadConn = errors.New("amysql: bad connection")
	// ErrPacketTooLarge reports a payload above max_allowed_packet.
	ErrPacketTooLarge = proto.ErrPacketTooLarge
	// ErrCursorClosed is returned by a closed cursor.
	ErrCursorClosed = errors.New("amysql: cursor is closed")
	// ErrNoResult is returned when fetching from a cursor that has no
	// result set (nothing executed, or a statement without rows).
	ErrNoResult = errors.New("amysql: no result set to fetch from")
	// ErrResultDiscarded means an unbuffered or multi-set result was
	// drained because another command ran on the connection first.
	ErrResultDiscarded = errors.New("amysql: result was discarded by a later command on the connection")
	// ErrLocalInfileDenied is returned when the server asks for a local
	// file the configuration does not allow.
	ErrLocalInfileDenied = errors.New("amysql: LOAD DATA LOCAL INFILE request refused")
	// ErrAuth reports an authentication exchange the client refused or did
	// not understand (the server's own refusals are *proto.Error 1045).
	ErrAuth = errors.New("amysql: authentication failed")
	// ErrTLSRequired means TLS was required but the server does not offer it.
	ErrTLSRequired = errors.New("amysql: TLS required but not offered by the server")
	// ErrTLS reports a failed TLS set-up or handshake, including a server
	// certificate that fails verification.
	ErrTLS = errors.New("amysql: TLS")
	// ErrUnsafeCharset refuses client-side interpolation on a connection
	// whose character set (big5, cp932, gb2312, gbk, sjis, gb18030) can
	// hide a backslash or quote byte inside a multibyte character, which
	// would let a crafted string escape its quotes. Use a cursor with
	// Binary set (server-side prepared statements) or a safe charset.
	ErrUnsafeCharset = errors.New("amysql: client-side interpolation refused: the connection charset can hide quotes inside multibyte characters")
	// ErrResultTooLarge reports a buffered result above MaxBufferedBytes.
	ErrResultTooLarge = errors.New("amysql: result larger than MaxBufferedBytes; use an unbuffered cursor")
	// ErrUnsupported reports a configured feature this client does not
	// implement.
	ErrUnsupported = errors.New("amysql: unsupported")
	// ErrDictRows is returned by the tuple-row methods (FetchOne,
	// FetchMany, FetchAll) of a DictCursor or SSDictCursor, whose rows
	// are maps: use FetchOneDict, FetchManyDict or FetchAllDict, or Next
	// and Scan.
	ErrDictRows = errors.New("amysql: a dict cursor's rows are maps: use FetchOneDict, FetchManyDict or FetchAllDict")
	// ErrScroll reports a scroll outside the result or backwards on an
	// unbuffered cursor.
	ErrScroll = errors.New("amysql: scroll out of range")
)

// Error is what a connection returns for a failure that is not the server's
// own error packet: it names the operation and wraps the cause (ErrBadConn
// plus the I/O or protocol error, ctx.Err(), ...).
type Error struct {
	Op  string // "connect", "query", "fetch", ...
	Err error
}

func (e *Error) Error() string { return "amysql: " + e.Op + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// badConn wraps an I/O or protocol failure that broke the connection.
type badConn struct{ cause error }

func (b *badConn) Error() string {
	return fmt.Sprintf("bad connection: %v", b.cause)
}

func (b *badConn) Unwrap() []error { return []error{ErrBadConn, b.cause} }

// IsBadConn reports whether err means the connection is unusable.
func IsBadConn(err error) bool { return errors.Is(err, ErrBadConn) || errors.Is(err, ErrConnClosed) }
