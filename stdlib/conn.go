package stdlib

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/pool"
	"github.com/amysql/amysql/proto"
)

// Conn is the driver connection; database/sql's Conn.Raw hands it out, and
// AmysqlConn reaches the amysql connection underneath.
type Conn struct {
	ac     *actor.Conn
	pc     *pool.Conn // non-nil when borrowed from a pool
	opts   Options
	format actor.DriverFormat // how rows hand temporal values over
	cur    *actor.Cursor      // reused for statements without rows
	// spare is a closed rows object and its streaming cursor, given back
	// when it closed, so the next query reuses both and their buffers.
	spare *rows
	// args holds the arguments of the statement being sent; dropped after
	// a failure, which may have left them to the connection's actor.
	args []any
	// handedOut is when database/sql last took the connection (or when it
	// was opened); the connection has been idle at most since then.
	handedOut time.Time
}

var (
	_ driver.Conn               = (*Conn)(nil)
	_ driver.ConnBeginTx        = (*Conn)(nil)
	_ driver.ConnPrepareContext = (*Conn)(nil)
	_ driver.ExecerContext      = (*Conn)(nil)
	_ driver.QueryerContext     = (*Conn)(nil)
	_ driver.Pinger             = (*Conn)(nil)
	_ driver.SessionResetter    = (*Conn)(nil)
	_ driver.Validator          = (*Conn)(nil)
	_ driver.NamedValueChecker  = (*Conn)(nil)
)

func newConn(ac *actor.Conn, pc *pool.Conn, opts Options) *Conn {
	if opts.PeekIdle == 0 {
		opts.PeekIdle = DefaultPeekIdle
	}
	c := &Conn{ac: ac, pc: pc, opts: opts, handedOut: time.Now(),
		format: actor.DriverFormat{TemporalAsText: opts.TemporalAsText, TimeAsDuration: opts.TimeAsDuration}}
	c.cur = ac.Cursor(actor.TupleCursor)
	c.cur.Binary = opts.BinaryProtocol
	return c
}

// AmysqlConn returns the amysql connection, for features database/sql
// cannot express (streaming cursors, CallProc, ExecuteMany, ...).
func (c *Conn) AmysqlConn() *actor.Conn { return c.ac }

// checkUsable maps a call on a connection that was already unusable, so
// nothing was sent, to driver.ErrBadConn: database/sql then retries on
// another connection without risking running a statement twice.
func (c *Conn) checkUsable() error {
	if c.ac.Closed() {
		return driver.ErrBadConn
	}
	return nil
}

// Prepare implements driver.Conn.
func (c *Conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext prepares a server-side statement.
func (c *Conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.checkUsable(); err != nil {
		return nil, err
	}
	st, err := c.ac.Prepare(ctx, query)
	if err != nil {
		return nil, c.mapErr(err)
	}
	return &Stmt{c: c, st: st}, nil
}

// Close returns a borrowed connection to its pool, or closes it.
func (c *Conn) Close() error {
	if c.pc != nil {
		c.pc.Release()
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return c.ac.EnsureClosed(ctx)
}

// Begin implements driver.Conn.
func (c *Conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx starts a transaction with the isolation level and read-only mode
// of opts. A transaction with neither sends its BEGIN in the write of its
// first statement (actor.Conn.BeginWithNext), so it costs no round trip
// of its own; the socket is peeked at first, so that a connection the
// server closed or reset gives driver.ErrBadConn here, where database/sql
// can still take another, and not in the transaction's first statement.
func (c *Conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.checkUsable(); err != nil {
		return nil, err
	}
	if sql.IsolationLevel(opts.Isolation) == sql.LevelDefault && !opts.ReadOnly {
		if !c.ac.Alive() {
			return nil, driver.ErrBadConn
		}
		if err := c.ac.BeginWithNext(ctx); err != nil {
			return nil, c.mapErr(err)
		}
		return &tx{c: c}, nil
	}
	if lvl := sql.IsolationLevel(opts.Isolation); lvl != sql.LevelDefault {
		var name string
		switch lvl {
		case sql.LevelReadUncommitted:
			name = "READ UNCOMMITTED"
		case sql.LevelReadCommitted:
			name = "READ COMMITTED"
		case sql.LevelRepeatableRead:
			name = "REPEATABLE READ"
		case sql.LevelSerializable:
			name = "SERIALIZABLE"
		default:
			return nil, fmt.Errorf("amysql/stdlib: isolation level %v is not supported", lvl)
		}
		if _, err := c.cur.Execute(ctx, "SET TRANSACTION ISOLATION LEVEL "+name); err != nil {
			return nil, c.mapErr(err)
		}
	}
	q := "START TRANSACTION"
	if opts.ReadOnly {
		q += " READ ONLY"
	}
	if _, err := c.cur.Execute(ctx, q); err != nil {
		return nil, c.mapErr(err)
	}
	return &tx{c: c}, nil
}

type tx struct{ c *Conn }

func (t *tx) Commit() error   { return t.c.ac.Commit(context.Background()) }
func (t *tx) Rollback() error { return t.c.ac.Rollback(context.Background()) }

// values returns the arguments as the cursor takes them, in c.args; done
// must be called once the statement was run.
func (c *Conn) values(args []driver.NamedValue) ([]any, error) {
	if len(args) == 0 {
		return nil, nil
	}
	out := c.args[:0]
	for _, a := range args {
		if a.Name != "" {
			return nil, fmt.Errorf("amysql/stdlib: named parameter %q: only ? placeholders are supported", a.Name)
		}
		out = append(out, a.Value)
	}
	c.args = out
	return out, nil
}

// done forgets the arguments of the statement just run. After a failure
// the buffer is not reused: a command abandoned when its ctx ended
// belongs to the connection's actor, which may still read them.
func (c *Conn) done(err error) {
	if err != nil {
		c.args = nil
		return
	}
	clear(c.args)
}

// ExecContext runs a statement without rows.
func (c *Conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.checkUsable(); err != nil {
		return nil, err
	}
	vals, err := c.values(args)
	if err != nil {
		return nil, err
	}
	n, err := c.cur.Execute(ctx, query, vals...)
	c.done(err)
	if err != nil {
		return nil, c.mapErr(err)
	}
	return result{affected: n, insertID: int64(c.cur.LastRowID())}, nil
}

type result struct{ affected, insertID int64 }

func (r result) LastInsertId() (int64, error) { return r.insertID, nil }
func (r result) RowsAffected() (int64, error) { return r.affected, nil }

// QueryContext runs a statement and returns its rows, read from the
// socket as database/sql asks for them.
func (c *Conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.checkUsable(); err != nil {
		return nil, err
	}
	vals, err := c.values(args)
	if err != nil {
		return nil, err
	}
	r := c.takeRows()
	_, err = r.cur.Execute(ctx, query, vals...)
	c.done(err)
	if err != nil {
		c.spare = r
		return nil, c.mapErr(err)
	}
	r.start(ctx)
	return r, nil
}

// takeRows returns the spare rows object, or a new one while the spare is
// in use by open rows.
func (c *Conn) takeRows() *rows {
	r := c.spare
	c.spare = nil
	if r == nil || r.cur.Closed() {
		cur := c.ac.Cursor(actor.SSCursor)
		cur.Binary = c.opts.BinaryProtocol
		r = &rows{conn: c, cur: cur}
	}
	return r
}

// readOnlyRefusal is a read-only server's refusal of a statement under
// RejectReadOnly: the statement did not run and the connection is closed,
// so database/sql may retry it on another connection, as go-sql-driver's
// rejectReadOnly does.
type readOnlyRefusal struct{ err error }

func (e *readOnlyRefusal) Error() string   { return e.err.Error() }
func (e *readOnlyRefusal) Unwrap() []error { return []error{e.err, driver.ErrBadConn} }

// notSent is a broken connection's failure to send a command: nothing
// reached the server, so it is driver.ErrBadConn and database/sql runs the
// command again on another connection.
type notSent struct{ err error }

func (e *notSent) Error() string   { return e.err.Error() }
func (e *notSent) Unwrap() []error { return []error{e.err, driver.ErrBadConn} }

// mapErr turns a statement's error into what database/sql expects.
func (c *Conn) mapErr(err error) error {
	if errors.Is(err, actor.ErrNotSent) && actor.IsBadConn(err) {
		return &notSent{err: err}
	}
	var se *proto.Error
	if c.ac.Config().RejectReadOnly && errors.As(err, &se) {
		switch se.Code {
		case proto.ErOptionPreventsStatement, proto.ErCantExecuteInReadOnlyTx, proto.ErReadOnlyMode:
			return &readOnlyRefusal{err: err}
		}
	}
	return err
}

// Ping checks the connection.
func (c *Conn) Ping(ctx context.Context) error {
	if err := c.checkUsable(); err != nil {
		return err
	}
	if err := c.ac.Ping(ctx); err != nil {
		return c.mapErr(err)
	}
	return nil
}

// ResetSession runs before database/sql reuses the connection: a broken
// connection is reported (a closed one always, one the server closed when
// it had been idle for more than Options.PeekIdle), unread results are
// drained, and with Options.ResetSession the session state is reset.
func (c *Conn) ResetSession(ctx context.Context) error {
	if c.ac.Closed() || c.peekDue() && !c.ac.Alive() {
		return driver.ErrBadConn
	}
	if c.ac.HasPendingResult() {
		if err := c.ac.DiscardResults(ctx); err != nil {
			return driver.ErrBadConn
		}
	}
	if c.opts.ResetSession {
		if err := c.ac.ResetSession(ctx); err != nil {
			return driver.ErrBadConn
		}
	}
	return nil
}

// peekDue reports whether the socket must be peeked at before this reuse:
// when more than PeekIdle passed since database/sql last took the
// connection, it may have been idle that long.
func (c *Conn) peekDue() bool {
	now := time.Now()
	idle := now.Sub(c.handedOut)
	c.handedOut = now
	return c.opts.PeekIdle < 0 || idle > c.opts.PeekIdle
}

// IsValid reports whether the connection may go back to database/sql's
// pool.
func (c *Conn) IsValid() bool { return !c.ac.Closed() }

// CheckNamedValue accepts every Go value amysql can send: the basic
// types, time.Duration, json.RawMessage, actor.Decimal, driver.Valuer,
// pointers to those, and slices (expanded to (a,b,c) for IN ?).
func (c *Conn) CheckNamedValue(nv *driver.NamedValue) error {
	return checkValue(nv.Value, 0)
}

func checkValue(v any, depth int) error {
	if v == nil || depth > 8 {
		return nil
	}
	switch v.(type) {
	case driver.Valuer:
		return nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map, reflect.Chan, reflect.Func, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return &unsupportedArgError{typ: rv.Type()}
	case reflect.Struct:
		if _, ok := v.(time.Time); ok {
			return nil
		}
		if _, ok := v.(actor.Decimal); ok {
			return nil
		}
		return &unsupportedArgError{typ: rv.Type()}
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return checkValue(rv.Elem().Interface(), depth+1)
	}
	return nil
}

// unsupportedArgError refuses an argument of a type amysql cannot send; it
// matches proto.ErrUnsupportedArg, as the native API's refusal does.
type unsupportedArgError struct{ typ reflect.Type }

func (e *unsupportedArgError) Error() string {
	return "amysql/stdlib: unsupported argument type " + e.typ.String()
}

func (e *unsupportedArgError) Unwrap() error { return proto.ErrUnsupportedArg }
