package metrics

import (
	"context"
	"errors"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/pool"
	"github.com/amysql/amysql/proto"
)

// ErrorClass names the class of an error, for labels: canceled, timeout,
// bad_conn (the connection broke or was closed), connect (a new connection
// could not be opened), server (the server's own error), client (anything
// else, such as an argument that cannot be sent).
func ErrorClass(err error) string {
	var se *proto.Error
	var ae *actor.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case actor.IsBadConn(err):
		return "bad_conn"
	case errors.As(err, &ae) && ae.Op == "connect":
		return "connect"
	case errors.As(err, &se):
		return "server"
	}
	return "client"
}

// ServerErrorCode names the server error err carries, for labels:
// deadlock (1213), lock_wait_timeout (1205), duplicate_key (1062, 1586) or
// other; "" when err carries no server error.
func ServerErrorCode(err error) string {
	var se *proto.Error
	if !errors.As(err, &se) {
		return ""
	}
	switch se.Code {
	case 1213:
		return "deadlock"
	case 1205:
		return "lock_wait_timeout"
	case 1062, 1586:
		return "duplicate_key"
	}
	return "other"
}

// acquireResult names the outcome of an Acquire that failed with err:
// exhausted, connect (no connection could be opened), canceled or timeout
// (the caller's ctx), error (anything else, such as a closed pool).
func acquireResult(err error) string {
	var ae *actor.Error
	switch {
	case errors.Is(err, pool.ErrExhausted):
		return "exhausted"
	case errors.As(err, &ae) && ae.Op == "connect":
		return "connect"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "error"
}
