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
	"strconv"
	"strings"

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
// parameters binary_protocol and reset_session.
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
}

// ParseDSN splits a DSN into the connection configuration and the
// driver's options.
func ParseDSN(dsn string) (actor.Config, Options, error) {
	var opts Options
	base, query, _ := strings.Cut(dsn, "?")
	var rest []string
	for _, kv := range strings.Split(query, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		var dst *bool
		switch k {
		case "binary_protocol":
			dst = &opts.BinaryProtocol
		case "reset_session":
			dst = &opts.ResetSession
		default:
			rest = append(rest, kv)
			continue
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return actor.Config{}, opts, fmt.Errorf("%w: %s=%q", actor.ErrDSN, k, v)
		}
		*dst = b
	}
	if len(rest) > 0 {
		base += "?" + strings.Join(rest, "&")
	}
	cfg, err := actor.ParseDSN(base)
	return cfg, opts, err
}

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
