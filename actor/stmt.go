package actor

import (
	"context"
	"errors"
	"fmt"

	"github.com/amysql/amysql/proto"
)

// ErrStmtClosed is returned by a closed prepared statement, or one whose
// server-side handle was dropped by ResetSession.
var ErrStmtClosed = errors.New("amysql: prepared statement is closed")

// Stmt is a server-side prepared statement on one connection. Its results
// use the binary protocol.
type Stmt struct {
	conn    *Conn
	id      uint32
	epoch   uint64
	query   string
	nparams int
	cols    []Column
	closed  bool
}

// Prepare prepares query on the server (COM_STMT_PREPARE).
func (c *Conn) Prepare(ctx context.Context, query string) (*Stmt, error) {
	st := &Stmt{conn: c, query: query}
	err := c.do(ctx, "prepare", func(s *session) error {
		if err := s.write(append(s.startCommand(proto.ComStmtPrepare), query...)); err != nil {
			return err
		}
		p, err := s.read()
		if err != nil {
			return err
		}
		if p[0] == proto.HeaderErr {
			e, perr := proto.ParseErr(p)
			if perr != nil {
				return s.fail(perr)
			}
			return s.serverError(e)
		}
		ok, err := proto.ParseStmtPrepareOK(p)
		if err != nil {
			return s.fail(err)
		}
		st.id, st.nparams, st.epoch = ok.StmtID, int(ok.NumParams), c.stmtEpoch
		if ok.NumParams > 0 {
			if err := c.skipDefinitions(int(ok.NumParams)); err != nil {
				return err
			}
		}
		if ok.NumColumns > 0 {
			var res result
			if err := c.readColumns(&res, int(ok.NumColumns)); err != nil {
				return err
			}
			st.cols = res.cols
		}
		return nil
	})
	if err != nil {
		return nil, err
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
	if s.caps&proto.ClientDeprecateEOF == 0 {
		p, err := s.read()
		if err != nil {
			return err
		}
		if !proto.IsEOF(p) {
			return s.fail(fmt.Errorf("%w: expected EOF after parameter definitions", proto.ErrMalformedPacket))
		}
	}
	return nil
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
	if st.closed {
		return nil
	}
	st.closed = true
	c := st.conn
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
		if err := s.write(proto.AppendStmtReset(s.startPacket(), st.id)); err != nil {
			return err
		}
		_, err := s.readOK()
		return err
	})
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
	if st.conn != cur.conn {
		return -1, errors.New("amysql: statement belongs to another connection")
	}
	if len(args) != st.nparams {
		return -1, fmt.Errorf("amysql: statement has %d parameters, got %d arguments", st.nparams, len(args))
	}
	c := cur.conn
	req := cur.request()
	req.kind, req.args = reqFunc, args
	res := cur.res
	req.fn = func(s *session) error {
		if st.epoch != c.stmtEpoch {
			return ErrStmtClosed
		}
		b, err := proto.AppendStmtExecute(s.startPacket(), st.id, args, nil, c.literalOptions())
		if err != nil {
			s.pw.Start()
			return err
		}
		if err := s.write(b); err != nil {
			return err
		}
		c.gen++
		res.gen = c.gen
		res.reset()
		res.binary = true
		err = c.readResult(res)
		return err
	}
	cur.executed = true
	cur.clearResult()
	err, abandoned := c.roundTrip(ctx, req)
	if abandoned {
		cur.abandon()
		return -1, err
	}
	req.args, req.fn = nil, nil
	if err != nil {
		cur.err = wrapOp("execute statement", err)
		return -1, cur.err
	}
	cur.settle()
	return cur.rowCount, nil
}
