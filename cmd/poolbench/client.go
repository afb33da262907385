package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/pool"
)

// client is what a workload drives: amysql's pool, or go-sql-driver
// through database/sql, so the same workload measures both.
type client interface {
	// Query runs a statement and reads (and drops) all its rows.
	Query(ctx context.Context, prepared bool, q string, args ...any) (rows int, err error)
	// Stream reads a large result row by row without buffering it.
	Stream(ctx context.Context, q string, args ...any) (rows int, err error)
	Exec(ctx context.Context, q string, args ...any) (int64, error)
	ExecBatch(ctx context.Context, q string, rows [][]any) (int64, error)
	// Batch runs q once for each argument list and reads its rows: amysql
	// pipelines them (one round trip), database/sql runs one at a time.
	Batch(ctx context.Context, q string, args [][]any) error
	Tx(ctx context.Context, fn func(tx client) error) error
	Close()
}

// amysqlClient runs each operation on a connection acquired from the pool
// (reads from reader, when there is one: a Cluster's), and counts the
// operations each server ran.
type amysqlClient struct {
	p      *pool.Pool
	reader *pool.Pool // nil: p
	c      *pool.Conn // set inside a transaction
	nodes  *sync.Map  // host:port -> *atomic.Int64
}

func (a *amysqlClient) withConn(ctx context.Context, fn func(*pool.Conn) error) error {
	return a.on(ctx, a.p, fn)
}

// withReader runs a read on a connection from the reader.
func (a *amysqlClient) withReader(ctx context.Context, fn func(*pool.Conn) error) error {
	if a.reader != nil {
		return a.on(ctx, a.reader, fn)
	}
	return a.on(ctx, a.p, fn)
}

func (a *amysqlClient) on(ctx context.Context, p *pool.Pool, fn func(*pool.Conn) error) error {
	if a.c != nil {
		return fn(a.c)
	}
	c, err := p.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	err = fn(c)
	if err == nil {
		a.count(c)
	}
	return err
}

// count notes an operation that ran on c's server.
func (a *amysqlClient) count(c *pool.Conn) {
	if a.nodes == nil {
		return
	}
	node := net.JoinHostPort(c.Host(), strconv.Itoa(c.Port()))
	n, ok := a.nodes.Load(node)
	if !ok {
		n, _ = a.nodes.LoadOrStore(node, new(atomic.Int64))
	}
	n.(*atomic.Int64).Add(1)
}

// nodeCounts returns the operations counted per server so far.
func (a *amysqlClient) nodeCounts() map[string]int64 {
	out := map[string]int64{}
	if a.nodes != nil {
		a.nodes.Range(func(k, v any) bool { out[k.(string)] = v.(*atomic.Int64).Load(); return true })
	}
	return out
}

func (a *amysqlClient) Query(ctx context.Context, prepared bool, q string, args ...any) (int, error) {
	n := 0
	err := a.withReader(ctx, func(c *pool.Conn) error {
		cur := c.Cursor()
		defer cur.Close(ctx)
		cur.Binary = prepared
		if _, err := cur.Execute(ctx, q, args...); err != nil {
			return err
		}
		var raw sql.RawBytes
		for cur.Next(ctx) {
			n++
			_ = raw
		}
		return cur.Err()
	})
	return n, err
}

func (a *amysqlClient) Stream(ctx context.Context, q string, args ...any) (int, error) {
	n := 0
	err := a.withReader(ctx, func(c *pool.Conn) error {
		cur := c.Cursor(actor.SSCursor)
		if _, err := cur.Execute(ctx, q, args...); err != nil {
			return err
		}
		defer cur.Close(ctx)
		var id int64
		var s sql.RawBytes
		for cur.Next(ctx) {
			if err := cur.Scan(&id, &s); err != nil {
				return err
			}
			n++
		}
		return cur.Err()
	})
	return n, err
}

func (a *amysqlClient) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	var n int64
	err := a.withConn(ctx, func(c *pool.Conn) error {
		var err error
		n, err = c.Cursor().Execute(ctx, q, args...)
		return err
	})
	return n, err
}

func (a *amysqlClient) ExecBatch(ctx context.Context, q string, rows [][]any) (int64, error) {
	var n int64
	err := a.withConn(ctx, func(c *pool.Conn) error {
		var err error
		n, err = c.Cursor().ExecuteMany(ctx, q, rows)
		return err
	})
	return n, err
}

func (a *amysqlClient) Batch(ctx context.Context, q string, args [][]any) error {
	return a.withReader(ctx, func(c *pool.Conn) error {
		b := &actor.Batch{}
		for _, a := range args {
			b.Queue(q, a...)
		}
		br := c.SendBatch(ctx, b)
		var first error
		for range args {
			cur, err := br.Query()
			if err == nil {
				for cur.Next(ctx) {
				}
				err = cur.Err()
			}
			if err != nil && first == nil {
				first = err
			}
		}
		if err := br.Close(); err != nil && first == nil {
			first = err
		}
		return first
	})
}

func (a *amysqlClient) Tx(ctx context.Context, fn func(client) error) error {
	return a.p.InTx(ctx, func(c *pool.Conn) error {
		err := fn(&amysqlClient{p: a.p, c: c})
		if err == nil {
			a.count(c)
		}
		return err
	})
}

func (a *amysqlClient) Close() {}

// poolNow reads the pool for the time series.
func (a *amysqlClient) poolNow() poolNow {
	s := a.p.Stat()
	return poolNow{acquired: s.Acquired, idle: s.Idle, waiting: s.Waiting,
		waits: s.EmptyAcquireCount, waitTime: s.EmptyAcquireWaitTime}
}

// sqlClient drives go-sql-driver/mysql through database/sql, in its best
// mode for each workload: interpolateParams for text statements, and a
// *sql.Stmt kept per statement (database/sql prepares it once on each
// connection) for prepared ones, as a go-sql-driver user would.
type sqlClient struct {
	db    *sql.DB
	tx    *sql.Tx
	stmts *sync.Map // query -> *sql.Stmt, shared with the transactions' clients
}

// stmt returns the kept prepared statement for q.
func (s *sqlClient) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, q string) (*sql.Stmt, error)
}

func (s *sqlClient) q() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db
}

func (s *sqlClient) Query(ctx context.Context, prepared bool, q string, args ...any) (int, error) {
	var rows *sql.Rows
	var err error
	if prepared {
		var st *sql.Stmt
		if st, err = s.stmt(ctx, q); err != nil {
			return 0, err
		}
		if s.tx != nil {
			st = s.tx.StmtContext(ctx, st)
		}
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = s.q().QueryContext(ctx, q, args...)
	}
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

func (s *sqlClient) Stream(ctx context.Context, q string, args ...any) (int, error) {
	rows, err := s.q().QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	var id int64
	var c sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &c); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

func (s *sqlClient) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	r, err := s.q().ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// ExecBatch has no bulk API in database/sql: one statement per row.
func (s *sqlClient) ExecBatch(ctx context.Context, q string, rows [][]any) (int64, error) {
	var total int64
	for _, r := range rows {
		n, err := s.Exec(ctx, q, r...)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// Batch has no pipelining in database/sql: one statement after another.
func (s *sqlClient) Batch(ctx context.Context, q string, args [][]any) error {
	for _, a := range args {
		if _, err := s.Query(ctx, false, q, a...); err != nil {
			return err
		}
	}
	return nil
}

func (s *sqlClient) Tx(ctx context.Context, fn func(client) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&sqlClient{db: s.db, tx: tx, stmts: s.stmts}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *sqlClient) Close() {
	s.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	s.db.Close()
}

// poolNow reads database/sql's pool, which does not say how many callers
// wait for a connection (only how many have waited).
func (s *sqlClient) poolNow() poolNow {
	st := s.db.Stats()
	return poolNow{acquired: st.InUse, idle: st.Idle, waiting: -1, waits: st.WaitCount, waitTime: st.WaitDuration}
}

// openSQLClient opens go-sql-driver/mysql on the same server as cfg.
func openSQLClient(cfg actor.Config, conns int) (*sqlClient, error) {
	addr := fmt.Sprintf("tcp(%s:%d)", cfg.Host, cfg.Port)
	if cfg.UnixSocket != "" {
		addr = "unix(" + cfg.UnixSocket + ")"
	}
	cred := cfg.User
	if cfg.Password != "" {
		cred += ":" + cfg.Password
	}
	db, err := sql.Open("mysql", cred+"@"+addr+"/"+cfg.DB+"?interpolateParams=true&parseTime=true")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	return &sqlClient{db: db, stmts: &sync.Map{}}, nil
}
