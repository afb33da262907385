package pool

import (
	"context"
	"errors"
	"fmt"

	"github.com/amysql/amysql/actor"
)

// ErrNoRows is returned by QueryRow when the statement returned no row.
var ErrNoRows = errors.New("amysql/pool: no rows in result set")

// run executes query on a pooled connection, in a buffered cursor of the
// row shape the helper returns (dict or tuple) and of the buffering of
// Conn.CursorClass, and hands the cursor, on its result, to fn; the
// connection is released afterwards.
//
// A statement that failed without reaching the server (its connection
// had died: actor.ErrNotSent) runs again on another connection, as a
// failover leaves the pool's connections dead one by one.
func (p *Pool) run(ctx context.Context, dict bool, query string, args []any, fn func(*actor.Cursor) error) error {
	for attempt := 1; ; attempt++ {
		err, acquired := p.runOnce(ctx, dict, query, args, fn)
		if err == nil || !acquired || attempt == maxNotSentRetries+1 ||
			!errors.Is(err, actor.ErrNotSent) || ctx.Err() != nil {
			return err
		}
	}
}

// maxNotSentRetries bounds how often a one-shot helper runs a statement
// again after it could not be sent.
const maxNotSentRetries = 3

// runOnce is one attempt of run; acquired reports whether it got as far
// as a connection.
func (p *Pool) runOnce(ctx context.Context, dict bool, query string, args []any, fn func(*actor.Cursor) error) (err error, acquired bool) {
	c, err := p.Acquire(ctx)
	if err != nil {
		return err, false
	}
	defer c.Release()
	kind := actor.TupleCursor
	switch unbuffered := p.cfg.Conn.CursorClass.Unbuffered(); {
	case dict && unbuffered:
		kind = actor.SSDictCursor
	case dict:
		kind = actor.DictCursor
	case unbuffered:
		kind = actor.SSCursor
	}
	cur := c.Cursor(kind)
	if _, err := cur.Execute(ctx, query, args...); err != nil {
		return err, true
	}
	return fn(cur), true
}

// Execute runs one statement on a pooled connection and returns its row
// count (see actor.Cursor.Execute).
func (p *Pool) Execute(ctx context.Context, query string, args ...any) (int64, error) {
	n := int64(-1)
	err := p.run(ctx, false, query, args, func(cur *actor.Cursor) error {
		n = cur.RowCount()
		return nil
	})
	return n, err
}

// QueryRow runs query and returns its first row; ErrNoRows when there is
// none. Further rows are discarded.
func (p *Pool) QueryRow(ctx context.Context, query string, args ...any) ([]any, error) {
	var row []any
	err := p.run(ctx, false, query, args, func(cur *actor.Cursor) error {
		var err error
		if row, err = cur.FetchOne(ctx); err == nil && row == nil {
			err = ErrNoRows
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return row, nil
}

// QueryRowScan runs query and scans its first row into dest; ErrNoRows
// when there is none.
func (p *Pool) QueryRowScan(ctx context.Context, query string, args []any, dest ...any) error {
	return p.run(ctx, false, query, args, func(cur *actor.Cursor) error {
		if !cur.Next(ctx) {
			if err := cur.Err(); err != nil {
				return err
			}
			return ErrNoRows
		}
		return cur.Scan(dest...)
	})
}

// FetchAll runs query and returns all its rows.
func (p *Pool) FetchAll(ctx context.Context, query string, args ...any) ([][]any, error) {
	var rows [][]any
	err := p.run(ctx, false, query, args, func(cur *actor.Cursor) error {
		var err error
		rows, err = cur.FetchAll(ctx)
		return err
	})
	return rows, err
}

// QueryRowDict is QueryRow with the row as a map from column name to
// value (aiomysql's DictCursor fetchone).
func (p *Pool) QueryRowDict(ctx context.Context, query string, args ...any) (map[string]any, error) {
	var row map[string]any
	err := p.run(ctx, true, query, args, func(cur *actor.Cursor) error {
		var err error
		if row, err = cur.FetchOneDict(ctx); err == nil && row == nil {
			err = ErrNoRows
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return row, nil
}

// FetchAllDict is FetchAll with map rows (aiomysql's DictCursor fetchall).
func (p *Pool) FetchAllDict(ctx context.Context, query string, args ...any) ([]map[string]any, error) {
	var rows []map[string]any
	err := p.run(ctx, true, query, args, func(cur *actor.Cursor) error {
		var err error
		rows, err = cur.FetchAllDict(ctx)
		return err
	})
	return rows, err
}

// InTx runs fn in a transaction on a pooled connection: it commits when fn
// returns nil and rolls back when fn returns an error or panics (the panic
// then continues).
//
// A transaction the server rolled back because of a deadlock or a Galera
// certification conflict (1213, SQLSTATE 40001) runs again, fn included,
// up to Config.TxRetries times; so does one whose BEGIN could not be sent.
func (p *Pool) InTx(ctx context.Context, fn func(*Conn) error) error {
	for attempt := 0; ; attempt++ {
		err := p.inTxOnce(ctx, fn)
		if err == nil || attempt >= p.cfg.TxRetries || !actor.SafeToRetry(err) || ctx.Err() != nil {
			return err
		}
	}
}

func (p *Pool) inTxOnce(ctx context.Context, fn func(*Conn) error) (err error) {
	c, err := p.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	if err := c.BeginWithNext(ctx); err != nil { // BEGIN rides with fn's first command
		return err
	}
	committed := false
	defer func() {
		if committed || ctx.Err() != nil {
			// With ctx over, the caller is not kept waiting: Release sees
			// the open transaction and rolls it back (or destroys the
			// connection) in the background.
			return
		}
		if rerr := c.Rollback(ctx); rerr != nil && err != nil {
			err = fmt.Errorf("%w (rollback also failed: %v)", err, rerr)
		}
	}()
	if err := fn(c); err != nil {
		return err
	}
	if err := c.Commit(ctx); err != nil {
		return err
	}
	committed = true
	return nil
}

// SendBatch sends b on a pooled connection (see actor.Conn.SendBatch);
// Close on the results releases the connection.
func (p *Pool) SendBatch(ctx context.Context, b *actor.Batch) *actor.BatchResults {
	c, err := p.Acquire(ctx)
	if err != nil {
		return actor.BatchFailed(err)
	}
	br := c.SendBatch(ctx, b)
	br.AfterClose(c.Release)
	return br
}
