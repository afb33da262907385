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

// cachedStmt returns the cached statement for query, preparing (and evicting the
// least recently used statement) when needed.
func (c *Conn) cachedStmt(query string) (*Stmt, error) {
	sc := c.stmts
	if e, ok := sc.bySQL[query]; ok {
		st := e.Value.(*Stmt)
		if st.epoch == c.stmtEpoch {
			sc.order.MoveToFront(e)
			return st, nil
		}
		sc.order.Remove(e)
		delete(sc.bySQL, query)
	}
	st, err := c.prepareOnWire(query)
	if err != nil {
		return nil, err
	}
	st.cached = true
	sc.bySQL[query] = sc.order.PushFront(st)
	for sc.order.Len() > sc.size {
		old := sc.order.Remove(sc.order.Back()).(*Stmt)
		delete(sc.bySQL, old.query)
		old.closed = true
		s := c.sess
		// COM_STMT_CLOSE has no reply.
		if err := s.write(proto.AppendStmtClose(s.startPacket(), old.id)); err != nil {
			return nil, err
		}
	}
	return st, nil
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

// executeCached runs query as a cached prepared statement with args.
func (c *Conn) executeCached(query string, args []any, res *result) error {
	st, err := c.cachedStmt(query)
	if err != nil {
		return err
	}
	if len(args) != st.nparams {
		return &Error{Op: "execute", Err: proto.ErrArgCount}
	}
	return c.executeOnWire(st, args, res)
}
