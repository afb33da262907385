package actor

import (
	"context"
	"errors"
	"io"
	"net"
	"os"

	"github.com/amysql/amysql/proto"
)

// ErrNotSent marks an error that happened before any byte of the statement
// reached the server: a closed or broken connection, a context that ended
// before the command was sent, an argument that cannot be rendered, a
// statement above the client's max_allowed_packet.
var ErrNotSent = newSentinel("nothing was sent to the server")

// notSent wraps an error with ErrNotSent.
type notSent struct{ err error }

func (e *notSent) Error() string   { return e.err.Error() }
func (e *notSent) bare() string    { return bareText(e.err) }
func (e *notSent) Unwrap() []error { return []error{e.err, ErrNotSent} }

func markNotSent(err error) error {
	if err == nil || errors.Is(err, ErrNotSent) {
		return err
	}
	return &notSent{err: err}
}

// SafeToRetry reports whether err proves the statement did not run, so
// running it again (on another connection) cannot apply it twice: nothing
// was sent (ErrNotSent), or the server rolled the transaction back for a
// deadlock or a Galera certification conflict (1213, SQLSTATE 40001), in
// which case the whole transaction must run again. Any other failure — a
// timeout, a lost connection mid-command, another server error — may have
// happened after the server ran it.
func SafeToRetry(err error) bool { return errors.Is(err, ErrNotSent) || rolledBack(err) }

// rolledBack reports a server error that rolled the transaction back.
func rolledBack(err error) bool {
	var se *proto.Error
	return errors.As(err, &se) && (se.Code == proto.ErLockDeadlock || se.SQLState == "40001")
}

// transportFailure reports whether a failed connection attempt failed in
// transport — the dial, a reset or timeout during the handshake — rather
// than being refused by the server, the authentication or TLS exchange, or
// the configuration: only the former may succeed when tried again.
func transportFailure(err error) bool {
	var ne net.Error
	switch {
	case isServerError(err), errors.Is(err, ErrAuth), errors.Is(err, ErrTLS),
		errors.Is(err, ErrTLSRequired), errors.Is(err, ErrUnsupported):
		return false
	case errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.Is(err, os.ErrDeadlineExceeded):
		return true
	}
	return false
}
