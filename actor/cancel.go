package actor

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/amysql/amysql/proto"
)

// cancelState tracks the cancellation of one command: a KILL QUERY sent
// over a side connection, and a backstop that closes the connection when
// the command does not finish within CancelTimeout afterwards.
type cancelState struct {
	c       *Conn
	fired   chan struct{} // closed when fire has finished
	fireFn  func()        // fire, made once
	killErr error         // the KILL QUERY's failure, set before fired closes

	mu       sync.Mutex
	finished bool
	timer    *time.Timer
	deadline bool // a past deadline was set on the socket
}

// armCancel returns a cancel state for the next command.
func (c *Conn) armCancel() *cancelState {
	if cs := c.cancel; cs != nil {
		c.cancel = nil
		return cs
	}
	cs := &cancelState{c: c, fired: make(chan struct{})}
	cs.fireFn = cs.fire
	return cs
}

// killer watches the ctx of the command the actor runs from its mailbox:
// when it ends, the command's cancelState fires.
type killer struct {
	ctxWatch
	current *cancelState // set by the actor before each watch
}

func newKiller() *killer {
	k := &killer{}
	k.init(k.kill)
	return k
}

// kill runs with the mutex held when the watched command's ctx ends; the
// KILL QUERY itself runs after, without it.
func (k *killer) kill() func() { return k.current.fireFn }

// fire runs when the command's ctx ends while the command is in flight.
func (cs *cancelState) fire() {
	defer close(cs.fired)
	c := cs.c
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.CancelTimeout)
	defer cancel()
	if err := killQuery(ctx, &c.cfg, c.peer, c.threadID); err != nil {
		// The server cannot be told: give up on the connection.
		cs.killErr = err
		cs.interrupt()
		return
	}
	cs.mu.Lock()
	if !cs.finished {
		cs.timer = time.AfterFunc(c.cfg.CancelTimeout, cs.interrupt)
	}
	cs.mu.Unlock()
}

// interrupt makes blocked socket I/O fail, which breaks the connection.
func (cs *cancelState) interrupt() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if !cs.finished {
		cs.deadline = true
		_ = cs.c.nc.SetDeadline(time.Unix(1, 0))
	}
}

// disarmCancel waits for a fired cancellation to finish and stops its
// backstop. Its caller holds the wire lock and the command has completed.
func (c *Conn) disarmCancel(cs *cancelState) {
	<-cs.fired
	cs.mu.Lock()
	cs.finished = true
	if cs.timer != nil {
		cs.timer.Stop()
	}
	if cs.deadline && c.sess.broken == nil {
		// The command completed before the deadline bit; the stream is
		// in sync, so the socket stays usable.
		_ = c.nc.SetDeadline(time.Time{})
	}
	cs.mu.Unlock()
}

// observeCancel reports a fired cancellation after disarmCancel, once the
// session's fate is known. The caller holds the wire.
func (c *Conn) observeCancel(cs *cancelState) {
	if o := c.cancelObs; o != nil {
		o.ObserveCancel(CancelEvent{KillErr: cs.killErr, Dropped: c.sess.broken != nil})
	}
}

// killQuery runs KILL QUERY for threadID over a new, short-lived session
// to ep: the address the connection's own socket reached, never whatever
// its host name resolves to now, or another host of a list.
func killQuery(ctx context.Context, cfg *Config, ep endpoint, threadID uint32) error {
	side := *cfg
	side.InitCommand, side.SQLMode, side.Autocommit, side.DB, side.TimeZone = "", "", nil, "", ""
	side.TrackGTIDs, side.Target = false, TargetAny
	side.ReadTimeout, side.WriteTimeout, side.Compress = 0, 0, false
	s, err := dialSession(ctx, &side, ep, nil)
	if err != nil {
		return err
	}
	defer s.nc.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = s.nc.SetDeadline(dl)
	}
	_, err = s.simpleQuery("KILL QUERY " + strconv.FormatUint(uint64(threadID), 10))
	if err != nil {
		if se, ok := err.(*proto.Error); ok && se.Code == 1094 { // unknown thread: already gone
			err = nil
		}
	}
	_ = s.write(s.startCommand(proto.ComQuit))
	return err
}
