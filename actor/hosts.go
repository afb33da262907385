package actor

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/amysql/amysql/proto"
)

// HostOrder says in which order Config.Hosts are tried.
type HostOrder uint8

// Host orders.
const (
	HostsInOrder HostOrder = iota // as listed (failover order)
	HostsRandom                   // shuffled for each connection (spreads load)
)

func (o HostOrder) String() string {
	if o == HostsRandom {
		return "random"
	}
	return "sequential"
}

// DefaultDenyPeriod is how long a failed host is tried last when
// Config.DenyPeriod is zero.
const DefaultDenyPeriod = 30 * time.Second

// A DenyList remembers the hosts that failed a connection attempt —
// refused it, timed out, or had the wrong role — so that the connections
// sharing it try them after the others for Config.DenyPeriod. It is safe
// for concurrent use; pool.New gives each pool one.
type DenyList struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func (d *DenyList) deny(addr string, until time.Time) {
	d.mu.Lock()
	if d.until == nil {
		d.until = map[string]time.Time{}
	}
	d.until[addr] = until
	d.mu.Unlock()
}

func (d *DenyList) allow(addr string) {
	d.mu.Lock()
	delete(d.until, addr)
	d.mu.Unlock()
}

// denied reports whether addr is denied at now.
func (d *DenyList) denied(addr string, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	until, ok := d.until[addr]
	if ok && !now.Before(until) {
		delete(d.until, addr)
		return false
	}
	return ok
}

// Denied lists the hosts denied now.
func (d *DenyList) Denied() []string {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for addr, until := range d.until {
		if now.Before(until) {
			out = append(out, addr)
		}
	}
	return out
}

// HostError is one host's failure in a ConnectError.
type HostError struct {
	Host string // host:port as configured
	Err  error
}

// ConnectError reports that no host of Config.Hosts could be used, with
// each host's own cause, in the order they were tried. errors.Is and
// errors.As see every cause; SafeToRetry is true when every cause was a
// transport failure or a wrong role, which a failover may mend.
type ConnectError struct {
	Hosts []HostError
}

func (e *ConnectError) Error() string {
	var b strings.Builder
	b.WriteString("no host could be used: ")
	for i, h := range e.Hosts {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(h.Host + ": " + bareText(h.Err))
	}
	return b.String()
}

func (e *ConnectError) Unwrap() []error {
	errs := make([]error, len(e.Hosts), len(e.Hosts)+1)
	for i, h := range e.Hosts {
		errs[i] = h.Err
	}
	if e.retryable() {
		errs = append(errs, ErrNotSent)
	}
	return errs
}

func (e *ConnectError) retryable() bool {
	for _, h := range e.Hosts {
		if !transportFailure(h.Err) && !errors.Is(h.Err, ErrWrongRole) {
			return false
		}
	}
	return len(e.Hosts) > 0
}

// endpoints lists the servers to try, in order: Hosts (or Host and Port,
// or UnixSocket) in HostOrder, hosts the deny list holds last.
func (c *Config) endpoints() ([]endpoint, error) {
	if len(c.Hosts) == 0 {
		return []endpoint{c.endpoint()}, nil
	}
	eps := make([]endpoint, 0, len(c.Hosts))
	for _, h := range c.Hosts {
		host, port, err := splitHostPort(h)
		if err != nil {
			return nil, err
		}
		if port == 0 {
			port = c.Port
		}
		eps = append(eps, endpoint{network: "tcp", address: net.JoinHostPort(host, strconv.Itoa(port)), host: host, port: port})
	}
	if c.HostOrder == HostsRandom {
		rand.Shuffle(len(eps), func(i, j int) { eps[i], eps[j] = eps[j], eps[i] })
	}
	if d := c.DenyList; d != nil {
		now := time.Now()
		ok := eps[:0:0]
		var denied []endpoint
		for _, ep := range eps {
			if d.denied(ep.address, now) {
				denied = append(denied, ep)
			} else {
				ok = append(ok, ep)
			}
		}
		eps = append(ok, denied...)
	}
	return eps, nil
}

// dialAny opens a session to the first endpoint that answers and has the
// target role; each gets ConnectTimeout of its own within ctx. A primary
// found while a replica is preferred is kept until a replica answers.
func dialAny(ctx context.Context, cfg *Config) (*session, error) {
	eps, err := cfg.endpoints()
	if err != nil {
		return nil, err
	}
	var fails []HostError
	var fallback *session
	for _, ep := range eps {
		preferred := true
		hctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
		s, err := dialSession(hctx, cfg, ep, func(s *session) error {
			var err error
			preferred, err = s.checkRole(cfg.Target)
			return err
		})
		cancel()
		if err == nil && preferred {
			if fallback != nil {
				fallback.nc.Close()
			}
			cfg.noteHost(ep, nil)
			return s, nil
		}
		if err == nil { // a primary while replicas are preferred
			if fallback == nil {
				fallback = s
			} else {
				s.nc.Close()
			}
			continue
		}
		cfg.noteHost(ep, err)
		fails = append(fails, HostError{Host: ep.address, Err: err})
		if len(eps) == 1 {
			return nil, err
		}
		if ctx.Err() != nil || refusedForGood(err) {
			break
		}
	}
	if fallback != nil {
		return fallback, nil
	}
	return nil, &ConnectError{Hosts: fails}
}

// noteHost records a connection attempt's outcome in the deny list.
func (c *Config) noteHost(ep endpoint, err error) {
	d := c.DenyList
	if d == nil || len(c.Hosts) == 0 {
		return
	}
	switch {
	case err == nil:
		d.allow(ep.address)
	case transportFailure(err) || errors.Is(err, ErrWrongRole):
		d.deny(ep.address, time.Now().Add(c.denyPeriod()))
	}
}

func (c *Config) denyPeriod() time.Duration {
	if c.DenyPeriod > 0 {
		return c.DenyPeriod
	}
	return DefaultDenyPeriod
}

// refusedForGood reports a failure no other host will mend: the
// credentials or the database are refused (as pgx stops on them).
func refusedForGood(err error) bool {
	var se *proto.Error
	if errors.As(err, &se) {
		switch se.Code {
		case 1045, 1044, 1049: // access denied, to the database; unknown database
			return true
		}
	}
	return errors.Is(err, ErrAuth)
}
