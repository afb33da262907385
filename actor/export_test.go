package actor

import "context"

// RoundTripNoIO runs a command that does no I/O, through the mailbox
// (viaMailbox) or the direct path, for the hop benchmarks.
func RoundTripNoIO(ctx context.Context, c *Conn, viaMailbox bool) error {
	req := c.reqs.Get().(*request)
	req.kind, req.fn, req.ctx = reqFunc, noIO, ctx
	var err error
	if viaMailbox {
		c.inflight.Add(1)
		err, _ = c.viaMailbox(ctx, req)
	} else {
		err, _ = c.roundTrip(ctx, req)
	}
	*req = request{done: req.done}
	c.reqs.Put(req)
	return err
}

func noIO(*session) error { return nil }

// KeepsRegistration reports whether c's interrupter holds a context
// registration between commands.
func KeepsRegistration(c *Conn) bool { return c.sess.intr.kept() }

// kept reports whether w keeps a registration between commands.
func (w *ctxWatch) kept() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.reg != nil
}

// KeepsKillRegistration reports whether c's actor holds a context
// registration for KILL QUERY between mailbox commands.
func KeepsKillRegistration(c *Conn) bool { return c.killer.kept() }

// KeepAfter is how many commands in a row must share a ctx before its
// registration is kept.
const KeepAfter = keepAfter

// InFlight is how many commands c has taken and not yet answered.
func InFlight(c *Conn) int { return int(c.inflight.Load()) }
