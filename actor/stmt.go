package actor

import (
	"context"

	"github.com/amysql/amysql/proto"
)

// ErrStmtClosed is returned by a closed prepared statement, or one whose
// server-side handle was dropped by ResetSession.
var ErrStmtClosed = newSentinel("prepared statement is closed")

// Stmt is a server-side prepared statement on one connection. Its results
// use the binary protocol.
type Stmt struct {
	conn    *Conn
	id      uint32
	epoch   uint64
	query   string
	nparams int
	cols    []Column
	meta    *colMeta // the result metadata the server last sent
	// sentTypes are the parameter types the server has for this
	// statement; an execute with the same types leaves them out.
	sentTypes []byte
	closed    bool
	cached    bool // owned by the connection's statement cache
}

// Prepare prepares query on the server (COM_STMT_PREPARE).
func (c *Conn) Prepare(ctx context.Context, query string) (*Stmt, error) {
	var st *Stmt
	err := c.do(ctx, "prepare", func(*session) error {
		var err error
		st, err = c.prepareOnWire(query)
		return err
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// prepareOnWire runs COM_STMT_PREPARE; its caller holds the wire lock.
func (c *Conn) prepareOnWire(query string) (*Stmt, error) {
	if err := c.drainWire(); err != nil {
		return nil, err
	}
	s := c.sess
	if err := s.write(append(s.startCommand(proto.ComStmtPrepare), query...)); err != nil {
		return nil, err
	}
	return c.readPrepare(query)
}

// readPrepare reads the answer to COM_STMT_PREPARE of query.
func (c *Conn) readPrepare(query string) (*Stmt, error) {
	s := c.sess
	p, err := s.read()
	if err != nil {
		return nil, err
	}
	if p[0] == proto.HeaderErr {
		e, perr := proto.ParseErr(p)
		if perr != nil {
			return nil, s.fail(perr)
		}
		return nil, s.serverError(e)
	}
	ok, err := proto.ParseStmtPrepareOK(p)
	if err != nil {
		return nil, s.fail(err)
	}
	st := &Stmt{conn: c, query: query, id: ok.StmtID, nparams: int(ok.NumParams), epoch: c.stmtEpoch}
	if ok.NumParams > 0 {
		if err := c.skipDefinitions(int(ok.NumParams)); err != nil {
			return nil, err
		}
	}
	if ok.NumColumns > 0 {
		var res result
		if err := c.readColumns(&res, int(ok.NumColumns)); err != nil {
			return nil, err
		}
		st.cols, st.meta = res.cols, res.meta
	}
	return st, nil
}

// skipDefinitions reads n parameter definitions and their EOF.
func (c *Conn) skipDefinitions(n int) error {
	s := c.sess
	for i := 0; i < n; i++ {
		if _, err := s.read(); err != nil {
			return err
		}
	}
	return c.readDefinitionsEOF("parameter")
}

// NumParams returns the number of ? placeholders.
func (st *Stmt) NumParams() int { return st.nparams }

// Columns describes the result columns announced at prepare time.
func (st *Stmt) Columns() []Column { return st.cols }

// Query returns the statement's SQL.
func (st *Stmt) Query() string { return st.query }

// Execute runs the statement with args and returns the affected rows;
// rows of a result set are read and discarded.
func (st *Stmt) Execute(ctx context.Context, args ...any) (int64, error) {
	cur := st.conn.Cursor(TupleCursor)
	n, err := cur.ExecuteStmt(ctx, st, args...)
	if err != nil {
		return n, err
	}
	if cur.res.hasRows {
		return int64(cur.res.nrows), nil
	}
	return n, nil
}

// Open executes the statement and returns a cursor of the given kind
// positioned on its result.
func (st *Stmt) Open(ctx context.Context, kind CursorKind, args ...any) (*Cursor, error) {
	cur := st.conn.Cursor(kind)
	if _, err := cur.ExecuteStmt(ctx, st, args...); err != nil {
		return nil, err
	}
	return cur, nil
}

// Close releases the statement on the server (COM_STMT_CLOSE). It is
// idempotent.
func (st *Stmt) Close(ctx context.Context) error {
	if st.closed || st.cached {
		return nil
	}
	c := st.conn
	if c.revoked() {
		return markNotSent(ErrRevoked)
	}
	st.closed = true
	if c.Closed() {
		return nil
	}
	return c.do(ctx, "close statement", func(s *session) error {
		if st.epoch != c.stmtEpoch {
			return nil
		}
		// COM_STMT_CLOSE has no reply.
		return s.write(proto.AppendStmtClose(s.startPacket(), st.id))
	})
}

// Reset clears data sent for the statement and closes its server-side
// cursor (COM_STMT_RESET).
func (st *Stmt) Reset(ctx context.Context) error {
	if st.closed {
		return ErrStmtClosed
	}
	c := st.conn
	return c.do(ctx, "reset statement", func(s *session) error {
		if st.epoch != c.stmtEpoch {
			return ErrStmtClosed
		}
		st.sentTypes = nil
		if err := s.write(proto.AppendStmtReset(s.startPacket(), st.id)); err != nil {
			return err
		}
		_, err := s.readOK()
		return err
	})
}

// longDataThreshold is the argument size above which a string or []byte
// is streamed with COM_STMT_SEND_LONG_DATA instead of inside the execute
// packet.
const longDataThreshold = 1 << 20

// executeOnWire runs COM_STMT_EXECUTE and reads the first result into res;
// its caller holds the wire lock.
func (c *Conn) executeOnWire(st *Stmt, args []any, res *result) error {
	if st.epoch != c.stmtEpoch {
		return ErrStmtClosed
	}
	if err := c.drainWire(); err != nil {
		return err
	}
	s := c.sess
	var long []bool
	for i, a := range args {
		var data []byte
		switch v := a.(type) {
		case []byte:
			data = v
		case string:
			if len(v) > longDataThreshold {
				data = []byte(v)
			}
		}
		if len(data) <= longDataThreshold {
			continue
		}
		if long == nil {
			long = make([]bool, len(args))
		}
		long[i] = true
		chunk := min(longDataThreshold, c.cfg.MaxAllowedPacket-16)
		for off := 0; off < len(data); off += chunk {
			end := min(off+chunk, len(data))
			// COM_STMT_SEND_LONG_DATA has no reply.
			if err := s.write(proto.AppendStmtSendLongData(s.startPacket(), st.id, uint16(i), data[off:end])); err != nil {
				return err
			}
		}
	}
	pre := s.startPacket()
	b, err := proto.AppendStmtExecute(pre, st.id, args, long, c.literalOptions())
	if err != nil {
		s.pw.Start()
		if long != nil {
			c.resetStmt(st) // drop the long data already sent
		}
		return err
	}
	b = st.leaveOutKnownTypes(b, len(pre), len(args))
	if err := s.write(b); err != nil {
		st.sentTypes = nil
		return err
	}
	c.gen++
	res.gen = c.gen
	res.reset()
	res.binary = true
	if s.cacheMeta {
		res.known = st.meta
	}
	err = c.readResult(res)
	if err != nil {
		st.sentTypes = nil // the server may not have taken them
	}
	if res.hasRows && res.meta != nil {
		st.meta = res.meta // what the server will skip next time
	}
	return err
}

// leaveOutKnownTypes drops the parameter types from the execute packet b
// (its payload starting at off) when the server has them from the
// statement's previous execute, as libmariadb does; otherwise it records
// them as sent.
func (st *Stmt) leaveOutKnownTypes(b []byte, off, nargs int) []byte {
	if nargs == 0 {
		return b
	}
	types := proto.StmtExecuteTypes(b[off:], nargs)
	if st.sentTypes != nil && string(types) == string(st.sentTypes) {
		return b[:off+len(proto.OmitStmtExecuteTypes(b[off:], nargs))]
	}
	st.sentTypes = append(st.sentTypes[:0], types...)
	return b
}

// resetStmt sends COM_STMT_RESET and reads its reply.
func (c *Conn) resetStmt(st *Stmt) {
	st.sentTypes = nil
	s := c.sess
	if s.write(proto.AppendStmtReset(s.startPacket(), st.id)) == nil {
		_, _ = s.readOK()
	}
}

// ExecuteStmt runs a prepared statement on this cursor's connection with
// args; its result is read like Execute's, in the binary protocol.
func (cur *Cursor) ExecuteStmt(ctx context.Context, st *Stmt, args ...any) (int64, error) {
	if cur.closed {
		return -1, ErrCursorClosed
	}
	if st.closed {
		return -1, ErrStmtClosed
	}
	if st.conn.core != cur.conn.core {
		return -1, errorf("statement belongs to another connection")
	}
	if len(args) != st.nparams {
		return -1, errorf("statement has %d parameters, got %d arguments", st.nparams, len(args))
	}
	c := cur.conn
	req := cur.request()
	req.kind, req.args, req.stmt = reqStmt, args, st
	cur.executed = true
	cur.clearResult()
	err, abandoned := c.roundTrip(ctx, req)
	if abandoned {
		cur.abandon()
		return -1, err
	}
	req.args, req.stmt = nil, nil
	if err != nil {
		cur.err = wrapOp("execute statement", err)
		return -1, cur.err
	}
	cur.settle()
	return cur.rowCount, nil
}
