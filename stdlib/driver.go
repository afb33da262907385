// Package stdlib is a database/sql driver for amysql, registered as
// "amysql":
//
//	db, err := sql.Open("amysql", "user:pass@tcp(127.0.0.1:3306)/app")
//
// or, from a Config, sql.OpenDB(stdlib.NewConnector(cfg, stdlib.Options{})).
// Queries with arguments are interpolated on the client and sent as one
// COM_QUERY by default; the DSN parameter binary_protocol=true
// (Options.BinaryProtocol) runs them as cached server-side prepared
// statements instead. Context
// cancellation stops the statement on the server (KILL QUERY), as in the
// native API.
//
// Connections come from database/sql's own pool, or, with NewPoolConnector,
// are borrowed from an amysql pool.Pool so its health checks, dirty-release
// rules and Prometheus metrics apply (see docs/database-sql.md).
package stdlib

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/pool"
)

func init() { sql.Register("amysql", &Driver{}) }

// Driver is the database/sql driver.
type Driver struct{}

// Open opens one connection from a DSN; database/sql prefers OpenConnector.
func (d *Driver) Open(dsn string) (driver.Conn, error) {
	c, err := d.OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

// OpenConnector parses dsn (see actor.ParseDSN) with the driver's own
// parameters (see ParseDSN).
func (d *Driver) OpenConnector(dsn string) (driver.Connector, error) {
	cfg, opts, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return NewConnector(cfg, opts), nil
}

// Options are the driver's settings beyond the connection's.
type Options struct {
	// BinaryProtocol runs statements with arguments as server-side
	// prepared statements (cached per connection) instead of client-side
	// interpolation.
	BinaryProtocol bool
	// ResetSession resets the session (COM_RESET_CONNECTION) each time
	// database/sql reuses a connection, so no session state leaks.
	ResetSession bool
	// TemporalAsText returns DATE, DATETIME and TIMESTAMP values as their
	// text ([]byte "2006-01-02 15:04:05"), as go-sql-driver does without
	// parseTime; by default they are time.Time in the connection's Loc.
	TemporalAsText bool
	// TimeAsDuration returns TIME values as time.Duration (int64
	// nanoseconds), so they scan into time.Duration and integers; by
	// default they are their text ([]byte "-01:30:05"), which scans into
	// strings.
	TimeAsDuration bool
	// ColumnsWithAlias names result columns table.column, with the table's
	// alias (go-sql-driver's columnsWithAlias).
	ColumnsWithAlias bool
	// PeekIdle checks a connection database/sql reuses after more than
	// this (default 1ms) since it last handed it out, with a
	// non-consuming peek at its socket: one the server closed meanwhile
	// (wait_timeout, KILL, restart) gives driver.ErrBadConn before
	// anything is sent, and database/sql takes another. A connection
	// reused sooner skips the system call; negative peeks every time.
	PeekIdle time.Duration
}

// DefaultPeekIdle is Options.PeekIdle's default.
const DefaultPeekIdle = time.Millisecond

// params returns the driver's DSN parameters, bound to o.
func (o *Options) params() []actor.Param {
	// binary_protocol and go-sql-driver's interpolateParams say the same
	// thing with opposite signs: only one may be given.
	chosen := ""
	protoParam := func(name string, binaryWhenTrue bool) func(string) error {
		return func(v string) error {
			if chosen != "" {
				return fmt.Errorf("%s and %s both choose the protocol", chosen, name)
			}
			chosen = name
			b, err := actor.ParseBool(v)
			o.BinaryProtocol = b == binaryWhenTrue
			return err
		}
	}
	return []actor.Param{
		actor.NewParam("binary_protocol", protoParam("binary_protocol", true),
			func() (string, bool) { return "true", o.BinaryProtocol }),
		actor.NewParam("interpolateParams", protoParam("interpolateParams", false), nil),
		actor.BoolParam("reset_session", &o.ResetSession),
		actor.BoolParam("time_as_duration", &o.TimeAsDuration),
		actor.BoolParam("columns_with_alias", &o.ColumnsWithAlias, "columnsWithAlias"),
		actor.DurationRangeParam("peek_idle", &o.PeekIdle, math.MinInt64, math.MaxInt64),
		actor.NewParam("parse_time",
			func(v string) error {
				b, err := actor.ParseBool(v)
				o.TemporalAsText = !b
				return err
			},
			func() (string, bool) { return "false", o.TemporalAsText },
			"parseTime"),
	}
}

// ParseDSN splits a DSN into the connection configuration and the
// driver's options: binary_protocol (or go-sql-driver's
// interpolateParams, its opposite), reset_session, parse_time
// (parseTime; false gives dates as text), time_as_duration,
// columns_with_alias (columnsWithAlias) and peek_idle.
func ParseDSN(dsn string) (actor.Config, Options, error) {
	var opts Options
	cfg, err := actor.ParseDSNWith(dsn, opts.params()...)
	return cfg, opts, err
}

// FormatDSN returns the DSN of cfg and opts; ParseDSN of it gives them
// back.
func FormatDSN(cfg actor.Config, opts Options) string { return cfg.FormatDSNWith(opts.params()...) }

// Connector opens driver connections from a configuration or a pool.
type Connector struct {
	cfg  actor.Config
	opts Options
	pool *pool.Pool
}

// NewConnector returns a connector that dials a new connection for each
// connection database/sql opens.
func NewConnector(cfg actor.Config, opts Options) *Connector {
	if cfg.SpinWait > 0 && cfg.SpinGroup == nil {
		cfg.SpinGroup = new(actor.SpinGroup) // the connector's connections spin one at a time
	}
	return &Connector{cfg: cfg, opts: opts}
}

// NewPoolConnector returns a connector whose connections are borrowed from
// p and given back when database/sql closes them. Pair it with
// db.SetMaxIdleConns(0) so idle connections return to p, where its health
// checks and lifetimes apply.
func NewPoolConnector(p *pool.Pool, opts Options) *Connector {
	return &Connector{cfg: p.Config().Conn, opts: opts, pool: p}
}

// Connect implements driver.Connector.
func (c *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	if c.pool != nil {
		pc, err := c.pool.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		return newConn(pc.Conn, pc, c.opts), nil
	}
	ac, err := actor.Connect(ctx, c.cfg)
	if err != nil {
		return nil, err
	}
	return newConn(ac, nil, c.opts), nil
}

// Driver implements driver.Connector.
func (c *Connector) Driver() driver.Driver { return &Driver{} }
