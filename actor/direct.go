package actor

import (
	"context"
	"errors"
	"os"

	"github.com/amysql/amysql/proto"
)

// Direct execution.
//
// The socket belongs to whoever holds the connection's wire lock. The
// actor goroutine takes it for each request from its mailbox. A caller
// whose connection is idle — nothing in flight, nothing queued — takes it
// itself and runs its command on its own goroutine: no mailbox hop and no
// reply hand-off, which are two goroutine wake-ups per command and, on a
// loaded machine, most of the client's scheduling cost. Commands still run
// one at a time and in the order they arrive, because a caller only goes
// direct when no earlier command is pending, and everything else queues
// behind the lock.
//
// A caller whose ctx ends mid-command must get control back at once, as it
// does from the mailbox. Its blocked read is interrupted with a past
// deadline; the packet layer keeps the bytes it had, and the session knows
// what the next packet of the response is (a response header or a row),
// so a short-lived goroutine takes over the wire lock, tells the server to
// stop (KILL QUERY, with the CancelTimeout backstop) and reads the rest of
// the response away. Only when the interruption lands where the rest of
// the response cannot be told apart (inside column definitions, a LOCAL
// INFILE exchange, a prepare, a split 16 MiB packet or a write) is the
// connection given up instead.

// phase says what the next packet read belongs to, so an interrupted
// response can be skipped. Each read is declared just before it happens
// and the declaration is consumed by the read: an undeclared read is
// phaseOther, which cannot be resumed.
type phase uint8

const (
	phaseOther  phase = iota
	phaseHeader       // the first packet of a response: OK, ERR, LOCAL INFILE or column count
	phaseRows         // a row of a result set, or the packet ending its rows
)

// interruption checks whether a failed read was stopped by an
// interruption at a point the response can be resumed from. If so the
// session halts at phase ph until resync.
func (s *session) interruption(err error, ph phase) bool {
	if s.intr == nil || !s.intr.fired.Load() || ph == phaseOther ||
		!errors.Is(err, os.ErrDeadlineExceeded) || !s.pr.Resumable() {
		return false
	}
	s.halted = ph
	return true
}

// directOK reports whether req may run on its caller's goroutine. Quit
// goes through the mailbox, as does everything on a compressed
// connection, whose reader cannot resume a read cut short.
func (c *Conn) directOK(req *request) bool {
	return req.kind != reqQuit && c.sess.comp == nil
}

// tryDirect runs req on the caller's goroutine when the connection is idle.
// ran is false when it was not, and req must go through the mailbox; the
// in-flight count then already includes req.
func (c *Conn) tryDirect(ctx context.Context, req *request) (ran, abandoned bool, err error) {
	if c.inflight.Add(1) != 1 || !c.directOK(req) || !c.wire.TryLock() {
		return false, false, nil
	}
	s := c.sess
	c.busy.Store(true)
	done := ctx.Done()
	watched := done != nil && ctx.Err() == nil
	if watched {
		s.intr.watch(ctx)
	}
	c.perform(req, false)
	fired := false
	if watched {
		fired = s.intr.unwatch(done)
	}
	if s.halted != phaseOther {
		// Interrupted at a resumable point: a resync goroutine inherits
		// the wire lock and the in-flight count.
		go c.resync(s.halted)
		return true, true, ctx.Err()
	}
	if fired {
		if s.broken == nil {
			s.intr.clear()
		}
		if req.err == nil || errors.Is(req.err, errInterrupted) || IsBadConn(req.err) {
			req.err = ctx.Err()
		}
	}
	c.finish()
	c.busy.Store(false)
	c.wire.Unlock()
	c.inflight.Add(-1)
	return true, false, req.err
}

// resync finishes a direct command whose caller left: it stops the
// statement on the server, reads the rest of its response away and hands
// the connection back. It holds the wire lock from the interrupted caller.
func (c *Conn) resync(ph phase) {
	s := c.sess
	s.halted = phaseOther
	s.intr.clear()
	cs := c.armCancel()
	go cs.fire()
	err := c.skipResponse(ph)
	c.disarmCancel(cs)
	if err != nil && s.broken == nil {
		s.fail(err)
	}
	c.observeCancel(cs)
	c.setWire(false, false)
	c.finish()
	c.busy.Store(false)
	c.wire.Unlock()
	c.inflight.Add(-1)
}

// finish publishes the session's state after a command and shuts the
// connection down if the session broke. The caller holds the wire.
func (c *Conn) finish() {
	s := c.sess
	c.publish(s.status)
	if s.gtidNew {
		s.gtidNew = false
		g := string(s.lastGTID)
		c.lastGTID.Store(&g)
	}
	c.pending.Store(c.wireRows || c.wireMore || c.batch != nil || s.pendingBegin)
	if s.broken != nil {
		e := error(s.broken)
		c.broken.Store(&e)
		c.shut() // stops the actor goroutine too
	}
}

// skipResponse reads and drops the rest of a response, starting with a
// packet of phase ph, without decoding rows.
func (c *Conn) skipResponse(ph phase) error {
	s := c.sess
	for {
		p, err := s.read()
		if err != nil {
			return err
		}
		if ph == phaseRows {
			switch {
			case p[0] == proto.HeaderErr:
				return nil
			case proto.IsEOF(p):
				ok, err := s.parseEnd(p)
				if err != nil {
					return s.fail(err)
				}
				s.status = ok.Status
				if ok.Status&proto.StatusMoreResultsExists == 0 {
					return nil
				}
				ph = phaseHeader
			}
			continue
		}
		switch p[0] {
		case proto.HeaderOK:
			ok, err := s.parseOK(p)
			if err != nil {
				return s.fail(err)
			}
			s.status = ok.Status
			if ok.Status&proto.StatusMoreResultsExists == 0 {
				return nil
			}
		case proto.HeaderErr:
			return nil
		case proto.HeaderLocalInfile:
			// Refuse the file: an empty packet, answered by OK or ERR.
			if err := s.write(s.pw.Start()); err != nil {
				return err
			}
		default:
			n, defs, err := s.columnCount(p)
			if err != nil {
				return err
			}
			if !defs {
				n = 0
			}
			if s.caps&proto.ClientDeprecateEOF == 0 {
				n++
			}
			for ; n > 0; n-- {
				if _, err := s.read(); err != nil {
					return err
				}
			}
			ph = phaseRows
		}
	}
}
