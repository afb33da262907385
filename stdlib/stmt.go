package stdlib

import (
	"context"
	"database/sql/driver"
	"github.com/amysql/amysql/actor"
)

// Stmt is a server-side prepared statement.
type Stmt struct {
	c  *Conn
	st *actor.Stmt
}

var (
	_ driver.StmtExecContext  = (*Stmt)(nil)
	_ driver.StmtQueryContext = (*Stmt)(nil)
)

// Close releases the statement on the server.
func (s *Stmt) Close() error { return s.st.Close(context.Background()) }

// NumInput returns the number of placeholders.
func (s *Stmt) NumInput() int { return s.st.NumParams() }

// Exec implements driver.Stmt.
func (s *Stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

// Query implements driver.Stmt.
func (s *Stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return out
}

// ExecContext runs the statement without rows.
func (s *Stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := s.c.checkUsable(); err != nil {
		return nil, err
	}
	vals, err := s.c.values(args)
	if err != nil {
		return nil, err
	}
	cur := s.c.cur
	n, err := cur.ExecuteStmt(ctx, s.st, vals...)
	s.c.done(err)
	if err != nil {
		return nil, s.c.mapErr(err)
	}
	return result{affected: n, insertID: int64(cur.LastRowID())}, nil
}

// QueryContext runs the statement and returns its rows.
func (s *Stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.c.checkUsable(); err != nil {
		return nil, err
	}
	vals, err := s.c.values(args)
	if err != nil {
		return nil, err
	}
	r := s.c.takeRows()
	_, err = r.cur.ExecuteStmt(ctx, s.st, vals...)
	s.c.done(err)
	if err != nil {
		s.c.spare = r
		return nil, s.c.mapErr(err)
	}
	r.start(ctx)
	return r, nil
}
