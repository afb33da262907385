package actor

import (
	"context"
	"time"
)

// Observer receives connection events; metrics packages implement it so the
// connection itself depends on no metrics library.
type Observer interface {
	ObserveCommand(ev CommandEvent)
}

// ConnectObserver is an optional interface of an Observer: Connect checks
// for it and reports every connection attempt, whether it succeeded or not.
type ConnectObserver interface {
	ObserveConnect(ev ConnectEvent)
}

// ConnectEvent describes one Connect: dial, TLS, authentication and
// session set-up.
type ConnectEvent struct {
	Duration time.Duration
	Err      error // nil when the connection was opened
}

// CancelObserver is an optional interface of an Observer, checked once by
// Connect: it is told about every command that was still running on the
// server when its ctx ended, and was stopped with KILL QUERY.
type CancelObserver interface {
	ObserveCancel(ev CancelEvent)
}

// CancelEvent describes the cancellation of a running command, reported
// once the command has ended and the connection's fate is known.
type CancelEvent struct {
	// KillErr is the failure of the KILL QUERY side connection; nil when
	// the server was told to stop the statement.
	KillErr error
	// Dropped reports that the connection was closed: the KILL QUERY
	// failed, or the command had not ended CancelTimeout after it (the
	// resynchronisation timed out).
	Dropped bool
}

// CommandEvent describes one command a connection ran.
type CommandEvent struct {
	// Kind is the command's kind: "query", "fetch", "next_result",
	// "command" (ping, init db, transaction control, ...), "quit" or
	// "other" (prepared statements and internal helpers).
	Kind          string
	Duration      time.Duration
	Err           error
	BytesSent     int64
	BytesReceived int64
}

// HasPendingResult reports whether a result is still unread on the wire
// (an unbuffered cursor not read to its end, or further result sets).
func (c *Conn) HasPendingResult() bool { return c.pending.Load() }

// DiscardResults reads and drops whatever earlier statements left unread
// on the wire, so the connection can be handed on clean.
func (c *Conn) DiscardResults(ctx context.Context) error {
	return c.do(ctx, "discard results", func(s *session) error {
		s.pendingBegin = false // a transaction begun with a command that never came
		return c.drainWire()
	})
}

// Alive reports, without a round trip, whether an idle connection's socket
// is still open and silent. A server that closed the session (wait_timeout,
// KILL, shutdown, MySQL's error 4031) makes it false. It reports true while
// a command is in flight and on platforms where it cannot look. Calls must
// not overlap.
func (c *Conn) Alive() bool {
	if c.closed.Load() {
		return false
	}
	if c.busy.Load() || c.prober == nil {
		return true
	}
	return c.prober.probe()
}

// Busy reports whether a command is still running, such as one whose
// caller gave up (its ctx ended) while the connection resynchronises.
// Handing the connection to someone else before that finishes would queue
// their command behind it.
func (c *Conn) Busy() bool { return c.inflight.Load() > 0 }

// Sync waits until every command sent before it has finished.
func (c *Conn) Sync(ctx context.Context) error {
	return c.do(ctx, "sync", func(*session) error { return nil })
}
