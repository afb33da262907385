package actor

import (
	"container/list"
	"context"

	"github.com/amysql/amysql/proto"
)

// stmtCache is a connection's LRU cache of prepared statements, keyed by
// SQL text. It belongs to whoever holds the connection's wire lock.
type stmtCache struct {
	size  int
	order *list.List // front = most recently used; values are *Stmt
	bySQL map[string]*list.Element
}

func newStmtCache(size int) *stmtCache {
	return &stmtCache{size: size, order: list.New(), bySQL: make(map[string]*list.Element, size)}
}

// lookupStmt returns the cached statement for query, nil when there is
// none.
func (c *Conn) lookupStmt(query string) *Stmt {
	sc := c.stmts
	if e, ok := sc.bySQL[query]; ok {
		st := e.Value.(*Stmt)
		if st.epoch == c.stmtEpoch {
			sc.order.MoveToFront(e)
			return st
		}
		sc.order.Remove(e)
		delete(sc.bySQL, query)
	}
	return nil
}

// cachedStmt returns the cached statement for query, preparing (and
// evicting the least recently used statement) when needed.
func (c *Conn) cachedStmt(query string) (*Stmt, error) {
	if st := c.lookupStmt(query); st != nil {
		return st, nil
	}
	st, err := c.prepareOnWire(query)
	if err != nil {
		return nil, err
	}
	return st, c.cacheStmt(st)
}

// cacheStmt adds a statement just prepared to the cache, closing the least
// recently used one when the cache is full.
func (c *Conn) cacheStmt(st *Stmt) error {
	sc := c.stmts
	st.cached = true
	sc.bySQL[st.query] = sc.order.PushFront(st)
	for sc.order.Len() > sc.size {
		old := sc.order.Remove(sc.order.Back()).(*Stmt)
		delete(sc.bySQL, old.query)
		old.closed = true
		s := c.sess
		// COM_STMT_CLOSE has no reply.
		if err := s.write(proto.AppendStmtClose(s.startPacket(), old.id)); err != nil {
			return err
		}
	}
	return nil
}

// clear forgets every cached statement (the server dropped them).
func (sc *stmtCache) clear() {
	sc.order.Init()
	clear(sc.bySQL)
}

// StmtCacheLen returns how many prepared statements the connection caches.
func (c *Conn) StmtCacheLen(ctx context.Context) (int, error) {
	n := 0
	err := c.do(ctx, "statement cache", func(*session) error {
		if c.stmts != nil {
			n = c.stmts.order.Len()
		}
		return nil
	})
	return n, err
}

// executeCached runs query as a cached prepared statement with args. A
// statement not in the cache is prepared and executed in one round trip
// where the server allows it (MariaDB's statement id -1).
func (c *Conn) executeCached(query string, args []any, res *result) error {
	st := c.lookupStmt(query)
	if st == nil && c.pipelinesPrepare(args) {
		return c.prepareExecute(query, args, res)
	}
	if st == nil {
		var err error
		if st, err = c.cachedStmt(query); err != nil {
			return err
		}
	}
	if len(args) != st.nparams {
		return &Error{Op: "execute", Err: proto.ErrArgCount}
	}
	return c.executeOnWire(st, args, res)
}

// lastPrepared is the statement id that means "the statement this
// connection prepared last" (MariaDB 10.2 and later).
const lastPrepared = 0xFFFFFFFF

// pipelinesPrepare reports whether a statement can be prepared and
// executed in one round trip: on MariaDB with bulk operations (as
// Connector/J gates it), pipelining on, and no argument streamed as long
// data.
func (c *Conn) pipelinesPrepare(args []any) bool {
	if !c.sess.bulkOps || !c.pipelines() {
		return false
	}
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			if len(v) > longDataThreshold {
				return false
			}
		case string:
			if len(v) > longDataThreshold {
				return false
			}
		}
	}
	return true
}

// prepareExecute writes COM_STMT_PREPARE and a COM_STMT_EXECUTE of the
// statement it prepares (id -1) in one write, then reads both answers: the
// statement goes into the cache, its first result into res. When the
// prepare fails the execute fails too (the server has no statement), and
// the prepare's error is returned.
func (c *Conn) prepareExecute(query string, args []any, res *result) error {
	if err := c.drainWire(); err != nil {
		return err
	}
	s := c.sess
	buf := append(s.startPacket()[:0], 0, 0, 0, 0, proto.ComStmtPrepare)
	buf = append(buf, query...)
	if n := len(buf) - 4; n > c.cfg.MaxAllowedPacket {
		return markNotSent(errorf("%w: a statement of %d bytes, limit %d", ErrPacketTooLarge, n, c.cfg.MaxAllowedPacket))
	}
	buf = proto.FramePayload(buf, 0, 0)
	exec := len(buf)
	buf = append(buf, 0, 0, 0, 0)
	buf, err := proto.AppendStmtExecute(buf, lastPrepared, args, nil, c.literalOptions())
	if err != nil {
		return markNotSent(err)
	}
	types := append([]byte(nil), proto.StmtExecuteTypes(buf[exec+4:], len(args))...)
	buf = proto.FramePayload(buf, exec, 0)
	if err := s.writeFramed(buf); err != nil {
		return err
	}
	s.pr.SetSeq(1)
	st, perr := c.readPrepare(query)
	if s.broken != nil {
		return perr
	}
	if perr == nil {
		st.sentTypes = types
		if err := c.cacheStmt(st); err != nil {
			return err
		}
	}
	s.pr.SetSeq(1)
	c.gen++
	res.gen = c.gen
	res.reset()
	res.binary = true
	if s.cacheMeta && perr == nil {
		res.known = st.meta // the prepare's answer carried the definitions
	}
	err = c.readResult(res)
	switch {
	case s.broken != nil:
		return err
	case perr != nil:
		return perr // the execute's own error only says the statement is unknown
	case len(args) != st.nparams:
		return &Error{Op: "execute", Err: proto.ErrArgCount}
	}
	if err != nil {
		st.sentTypes = nil
	}
	if res.hasRows && res.meta != nil {
		st.meta = res.meta
	}
	return err
}
