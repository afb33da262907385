package pool

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
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
	return c, nil
}

// poolParams are the DSN parameters ParseConfig takes for the pool; the
// rest of the DSN configures the connections.
var poolParams = map[string]func(*Config, string) error{
	"minsize":                  intParam(func(c *Config) *int { return &c.MinSize }),
	"maxsize":                  maxSizeParam,
	"pool_recycle":             durParam(func(c *Config) *time.Duration { return &c.Recycle }),
	"max_conn_lifetime":        durParam(func(c *Config) *time.Duration { return &c.MaxConnLifetime }),
	"max_conn_lifetime_jitter": durParam(func(c *Config) *time.Duration { return &c.MaxConnLifetimeJitter }),
	"max_conn_idle_time":       durParam(func(c *Config) *time.Duration { return &c.MaxConnIdleTime }),
	"health_check_period":      durParam(func(c *Config) *time.Duration { return &c.HealthCheckPeriod }),
	"acquire_timeout":          durParam(func(c *Config) *time.Duration { return &c.AcquireTimeout }),
	"ping_idle":                durParam(func(c *Config) *time.Duration { return &c.PingIdle }),
	"peek_idle":                durParam(func(c *Config) *time.Duration { return &c.PeekIdle }),
	"reset_on_release": func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		c.ResetOnRelease = b
		return err
	},
	"pool_name": func(c *Config, v string) error { c.Name = v; return nil },
}

func intParam(f func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return err
		}
		*f(c) = n
		return nil
	}
}

// maxSizeParam reads maxsize; 0 means unlimited, as in aiomysql.
func maxSizeParam(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return err
	}
	if n == 0 {
		n = Unlimited
	}
	c.MaxSize = n
	return nil
}

func durParam(f func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			// Plain numbers are seconds, as aiomysql's pool_recycle.
			secs, ferr := strconv.ParseFloat(v, 64)
			if ferr != nil {
				return err
			}
			d = time.Duration(secs * float64(time.Second))
		}
		*f(c) = d
		return nil
	}
}

// ParseConfig parses a connection DSN (see actor.ParseDSN) carrying pool
// parameters too: minsize, maxsize (0 = unlimited), pool_recycle,
// max_conn_lifetime, max_conn_lifetime_jitter, max_conn_idle_time,
// health_check_period, acquire_timeout, ping_idle, reset_on_release and
// pool_name. Durations take Go syntax ("30s") or plain seconds.
func ParseConfig(dsn string) (Config, error) {
	cfg := Config{MinSize: DefaultMinSize}
	base, query, _ := strings.Cut(dsn, "?")
	var rest []string
	if query != "" {
		for _, kv := range strings.Split(query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			set, ok := poolParams[k]
			if !ok {
				rest = append(rest, kv)
				continue
			}
			val, err := url.QueryUnescape(v)
			if err == nil {
				err = set(&cfg, val)
			}
			if err != nil {
				return cfg, fmt.Errorf("%w: %s=%q: %v", ErrConfig, k, v, err)
			}
		}
	}
	if len(rest) > 0 {
		base += "?" + strings.Join(rest, "&")
	}
	conn, err := actor.ParseDSN(base)
	if err != nil {
		return cfg, err
	}
	cfg.Conn = conn
	if _, err := cfg.withDefaults(); err != nil {
		return cfg, err
	}
	return cfg, nil
}
