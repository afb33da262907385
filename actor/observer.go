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
	return c.do(ctx, "discard results", func(s *session) error { return c.drainWire() })
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
