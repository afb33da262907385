package pool

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/amysql/amysql/actor"
)

// Unlimited as MaxSize removes the bound on the number of connections
// (aiomysql's maxsize=0).
const Unlimited = -1

// Defaults for the zero Config fields.
const (
	DefaultMinSize           = 1
	DefaultMaxSize           = 10
	DefaultHealthCheckPeriod = time.Minute
	DefaultPingIdle          = time.Second
	DefaultPeekIdle          = time.Millisecond
	DefaultReleaseTimeout    = 5 * time.Second
	DefaultFailoverWait      = 30 * time.Second
)

// Config configures a pool.
type Config struct {
	// Conn configures each connection.
	Conn actor.Config
	// Name labels the pool's metrics (default "default").
	Name string

	// MinSize connections are opened by New and kept by the health check
	// (ParseConfig defaults it to 1, as aiomysql's minsize).
	MinSize int
	// MaxSize bounds the connections (default 10; Unlimited for no bound).
	MaxSize int

	// Recycle closes, on acquire, a connection unused for longer than this
	// (aiomysql's pool_recycle); 0 disables it.
	Recycle time.Duration
	// MaxConnLifetime closes connections older than this, each with up to
	// MaxConnLifetimeJitter added so they do not all expire together.
	MaxConnLifetime       time.Duration
	MaxConnLifetimeJitter time.Duration
	// MaxConnIdleTime closes connections idle for longer than this in the
	// background health check (which never goes below MinSize).
	MaxConnIdleTime time.Duration
	// HealthCheckPeriod is how often idle connections are checked and
	// MinSize restored (default 1m).
	HealthCheckPeriod time.Duration
	// AcquireTimeout bounds Acquire in addition to its ctx; 0 = none.
	AcquireTimeout time.Duration
	// FailoverWait is how long Acquire keeps trying to open a connection
	// while no host of Conn.Hosts answers with the Conn.Target role (a
	// failover in progress), within its ctx and AcquireTimeout (default
	// DefaultFailoverWait; negative: fail at once). It applies to pools
	// with a Target other than TargetAny, or several hosts.
	FailoverWait time.Duration
	// TxRetries is how many times InTx runs its function again after the
	// transaction failed with a deadlock or a Galera certification
	// conflict (1213, SQLSTATE 40001), which rolled it back (default 0).
	TxRetries int
	// PingIdle pings a connection on acquire when it has been idle longer
	// than this (default 1s); negative disables the ping.
	PingIdle time.Duration
	// PeekIdle checks, on acquire, a connection idle longer than this
	// (default 1ms) with a non-consuming peek at its socket, which sees a
	// connection the server closed without a round trip. One whose last
	// command ended more recently is handed out without the system call;
	// negative peeks every time.
	PeekIdle time.Duration
	// ResetOnRelease resets the session (COM_RESET_CONNECTION) of every
	// released connection, so no session state reaches the next user.
	ResetOnRelease bool
	// ReleaseTimeout bounds the clean-up of a dirty connection on release
	// (rollback, draining, reset); past it the connection is destroyed.
	ReleaseTimeout time.Duration

	// AfterConnect runs on every new connection; an error discards it.
	AfterConnect func(ctx context.Context, c *actor.Conn) error
	// BeforeAcquire runs before a connection is handed out; false
	// destroys it and another is tried.
	BeforeAcquire func(ctx context.Context, c *actor.Conn) bool
	// AfterRelease runs when a connection comes back; false destroys it.
	AfterRelease func(c *actor.Conn) bool
	// BeforeClose runs before a connection is closed by the pool.
	BeforeClose func(c *actor.Conn)

	// Observer receives pool events (for metrics); it must not block.
	Observer Observer
}

// ErrConfig reports an invalid pool configuration.
var ErrConfig = errors.New("amysql/pool: invalid configuration")

func (c Config) withDefaults() (Config, error) {
	if c.Name == "" {
		c.Name = "default"
	}
	if c.MinSize < 0 {
		return c, fmt.Errorf("%w: MinSize %d is negative", ErrConfig, c.MinSize)
	}
	switch {
	case c.MaxSize == 0:
		c.MaxSize = DefaultMaxSize
	case c.MaxSize < 0 && c.MaxSize != Unlimited:
		return c, fmt.Errorf("%w: MaxSize %d (use a positive size or Unlimited)", ErrConfig, c.MaxSize)
	}
	if c.MaxSize != Unlimited && c.MinSize > c.MaxSize {
		return c, fmt.Errorf("%w: MinSize %d is above MaxSize %d", ErrConfig, c.MinSize, c.MaxSize)
	}
	for name, d := range map[string]time.Duration{
		"Recycle": c.Recycle, "MaxConnLifetime": c.MaxConnLifetime, "MaxConnLifetimeJitter": c.MaxConnLifetimeJitter,
		"MaxConnIdleTime": c.MaxConnIdleTime, "HealthCheckPeriod": c.HealthCheckPeriod, "AcquireTimeout": c.AcquireTimeout,
		"ReleaseTimeout": c.ReleaseTimeout,
	} {
		if d < 0 {
			return c, fmt.Errorf("%w: %s %v is negative", ErrConfig, name, d)
		}
	}
	if c.HealthCheckPeriod == 0 {
		c.HealthCheckPeriod = DefaultHealthCheckPeriod
	}
	if c.PingIdle == 0 {
		c.PingIdle = DefaultPingIdle
	}
	if c.PeekIdle == 0 {
		c.PeekIdle = DefaultPeekIdle
	}
	if c.Conn.SpinWait > 0 && c.Conn.SpinGroup == nil {
		c.Conn.SpinGroup = new(actor.SpinGroup) // the pool's connections spin one at a time
	}
	if c.ReleaseTimeout == 0 {
		c.ReleaseTimeout = DefaultReleaseTimeout
	}
	if c.FailoverWait == 0 {
		c.FailoverWait = DefaultFailoverWait
	}
	if c.TxRetries < 0 {
		return c, fmt.Errorf("%w: TxRetries %d is negative", ErrConfig, c.TxRetries)
	}
	if len(c.Conn.Hosts) > 0 && c.Conn.DenyList == nil {
		c.Conn.DenyList = new(actor.DenyList) // the pool's connections learn from each other's failures
	}
	return c, nil
}

// dsnParams returns the pool's DSN parameters, bound to c.
func (c *Config) dsnParams() []actor.Param {
	return []actor.Param{
		actor.NewParam("minsize",
			func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return fmt.Errorf("bad minsize %q (want 0 or more)", v)
				}
				c.MinSize = n
				return nil
			},
			func() (string, bool) { return strconv.Itoa(c.MinSize), c.MinSize != DefaultMinSize }),
		actor.NewParam("maxsize",
			func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return fmt.Errorf("bad maxsize %q (want 0 for unlimited, or more)", v)
				}
				if n == 0 {
					n = Unlimited // as aiomysql's maxsize=0
				}
				c.MaxSize = n
				return nil
			},
			func() (string, bool) {
				if c.MaxSize == Unlimited {
					return "0", true
				}
				return strconv.Itoa(c.MaxSize), c.MaxSize != 0
			}),
		actor.DurationParam("pool_recycle", &c.Recycle),
		actor.DurationParam("max_conn_lifetime", &c.MaxConnLifetime),
		actor.DurationParam("max_conn_lifetime_jitter", &c.MaxConnLifetimeJitter),
		actor.DurationParam("max_conn_idle_time", &c.MaxConnIdleTime),
		actor.DurationParam("health_check_period", &c.HealthCheckPeriod),
		actor.DurationParam("acquire_timeout", &c.AcquireTimeout),
		actor.DurationParam("release_timeout", &c.ReleaseTimeout),
		actor.DurationRangeParam("ping_idle", &c.PingIdle, math.MinInt64, math.MaxInt64),
		actor.DurationRangeParam("peek_idle", &c.PeekIdle, math.MinInt64, math.MaxInt64),
		actor.DurationRangeParam("failover_wait", &c.FailoverWait, math.MinInt64, math.MaxInt64),
		actor.IntParam("tx_retries", &c.TxRetries, 0, 100),
		actor.BoolParam("reset_on_release", &c.ResetOnRelease),
		actor.StringParam("pool_name", &c.Name),
	}
}

// ParseConfig parses a connection DSN (see actor.ParseDSN) carrying pool
// parameters too: minsize (default 1), maxsize (0 = unlimited),
// pool_recycle, max_conn_lifetime, max_conn_lifetime_jitter,
// max_conn_idle_time, health_check_period, acquire_timeout,
// release_timeout, ping_idle, peek_idle, reset_on_release and pool_name.
// Values follow the connection parameters' syntax: durations in Go syntax
// ("30s") or plain seconds, booleans true/false.
func ParseConfig(dsn string) (Config, error) {
	cfg := Config{MinSize: DefaultMinSize}
	conn, err := actor.ParseDSNWith(dsn, cfg.dsnParams()...)
	if err != nil {
		return cfg, err
	}
	cfg.Conn = conn
	if _, err := cfg.withDefaults(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// FormatDSN returns the DSN of the pool's connection and pool settings;
// ParseConfig of it gives back the same settings (the fields without a
// DSN form, such as hooks and observers, are left out).
func (c Config) FormatDSN() string { return c.Conn.FormatDSNWith(c.dsnParams()...) }
