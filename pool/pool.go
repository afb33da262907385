// Package pool is a connection pool of actor connections built on
// github.com/jackc/puddle/v2, with aiomysql's semantics (minsize, maxsize,
// pool_recycle, clear, close, terminate, wait_closed) and pgxpool's health
// handling (lifetimes with jitter, idle timeouts, a background health check,
// ping on acquire after idleness, statistics).
//
// A released connection is never handed to the next caller dirty: an open
// transaction is rolled back, an unread result drained, a broken
// connection destroyed and replaced.
package pool

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/jackc/puddle/v2"
)

// ErrClosed is returned by Acquire on a closed pool.
var ErrClosed = errors.New("amysql/pool: pool is closed")

// ErrReleased is returned by every command on a pooled connection after
// its Release: the connection may already belong to another caller, and
// nothing was sent to it.
var ErrReleased = actor.ErrRevoked

// ErrExhausted is returned by an Acquire that AcquireTimeout ended while
// every connection (MaxSize of them) was in use. Such an error also
// matches context.DeadlineExceeded and actor.ErrNotSent; an Acquire ended
// by the caller's own ctx returns that ctx's error instead.
var ErrExhausted = errors.New("amysql/pool: pool exhausted")

// connRes is what puddle holds for each connection.
type connRes struct {
	conn       *actor.Conn // the owner's handle: only the pool uses it
	expires    time.Time   // zero: no lifetime limit
	destroying bool        // counted in Pool.destroying until closed
	handles    []handle    // preallocated, handed out one per acquire, never reused
}

// handle is the memory of one acquisition: the caller's Conn and the
// actor handle lent to it.
type handle struct {
	conn Conn
	lent actor.Conn
}

// Pool is a pool of connections. Its methods are safe for concurrent use.
type Pool struct {
	cfg   Config
	p     *puddle.Pool[*connRes]
	route *routed // set on a Cluster's Writer and Reader, which have no p

	closeOnce sync.Once
	closed    atomic.Bool
	quit      chan struct{} // closed by Close
	done      chan struct{} // closed when Close has finished
	bg        sync.WaitGroup
	releases  sync.WaitGroup // release clean-ups in flight

	mu   sync.Mutex
	live map[*actor.Conn]struct{} // every open connection, for Terminate

	newConns      atomic.Int64
	destroyed     [numReasons]atomic.Int64
	pingFailures  atomic.Int64
	acquireErrors atomic.Int64
	connectErrors atomic.Int64
	waiting       atomic.Int64 // callers in puddle's Acquire
	exhausted     atomic.Int64 // acquires that failed with ErrExhausted
	failovers     atomic.Int64 // acquires that waited for a server of the target role
	inUse         atomic.Int64 // connections handed out and not released
	acqObs        AcquireObserver
	// destroying counts connections handed to puddle for destruction
	// whose close has not finished; puddle still counts them.
	destroying atomic.Int64
}

// New creates a pool and opens MinSize connections; it fails if they
// cannot be opened.
func New(cfg Config) (*Pool, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if src, ok := cfg.Observer.(ConnObserverSource); ok && (cfg.Conn.Observer == nil || sameObserver(cfg.Conn.Observer, cfg.Observer)) {
		if cfg.Conn.Observer = src.ConnObserver(cfg.Name); cfg.Conn.Observer == nil {
			return nil, fmt.Errorf("%w: the Observer serves no pool named %q", ErrConfig, cfg.Name)
		}
	}
	p := &Pool{cfg: cfg, quit: make(chan struct{}), done: make(chan struct{}), live: map[*actor.Conn]struct{}{}}
	p.acqObs, _ = cfg.Observer.(AcquireObserver)
	max := int32(cfg.MaxSize)
	if cfg.MaxSize == Unlimited {
		max = math.MaxInt32
	}
	p.p, err = puddle.NewPool(&puddle.Config[*connRes]{
		Constructor: p.construct,
		Destructor:  p.destruct,
		MaxSize:     max,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.connectBound())
	defer cancel()
	for i := 0; i < cfg.MinSize; i++ {
		if err := p.p.CreateResource(ctx); err != nil {
			p.p.Close()
			return nil, fmt.Errorf("amysql/pool: opening %d initial connections: %w", cfg.MinSize, err)
		}
	}
	p.bg.Add(1)
	go p.healthLoop()
	return p, nil
}

// connectBound is how long opening one connection may take: a
// ConnectTimeout for each host it may try.
func (p *Pool) connectBound() time.Duration {
	return p.connectTimeout() * time.Duration(max(1, len(p.cfg.Conn.Hosts)))
}

func (p *Pool) connectTimeout() time.Duration {
	if t := p.cfg.Conn.ConnectTimeout; t > 0 {
		return t
	}
	return 10 * time.Second
}

// connectError is a failure to open a connection, which Acquire returns
// with the retry semantics of its cause.
type connectError struct{ err error }

func (e *connectError) Error() string { return e.err.Error() }
func (e *connectError) Unwrap() error { return e.err }

// construct opens a connection. Puddle does not cancel construction with
// the acquiring ctx, so it has its own timeout.
func (p *Pool) construct(ctx context.Context) (*connRes, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.connectBound())
	defer cancel()
	c, err := actor.Connect(ctx, p.cfg.Conn)
	if err != nil {
		return nil, &connectError{err}
	}
	if p.cfg.AfterConnect != nil {
		if err := p.cfg.AfterConnect(ctx, c); err != nil {
			c.Close()
			return nil, &connectError{fmt.Errorf("AfterConnect: %w", err)}
		}
	}
	cr := &connRes{conn: c}
	p.mu.Lock()
	p.live[c] = struct{}{}
	p.mu.Unlock()
	if lt := p.cfg.MaxConnLifetime; lt > 0 {
		if j := p.cfg.MaxConnLifetimeJitter; j > 0 {
			lt += rand.N(j)
		}
		cr.expires = time.Now().Add(lt)
	}
	p.newConns.Add(1)
	if o := p.cfg.Observer; o != nil {
		o.ConnCreated(p.cfg.Name)
	}
	return cr, nil
}

// destruct closes a connection: gracefully (COM_QUIT) when it is healthy.
func (p *Pool) destruct(cr *connRes) {
	if cr.destroying {
		defer p.destroying.Add(-1)
	}
	p.mu.Lock()
	delete(p.live, cr.conn)
	p.mu.Unlock()
	if p.cfg.BeforeClose != nil {
		p.cfg.BeforeClose(cr.conn)
	}
	if cr.conn.Closed() {
		cr.conn.Close()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = cr.conn.EnsureClosed(ctx)
}

// destroy removes a connection from the pool, counting why.
func (p *Pool) destroy(res *puddle.Resource[*connRes], why reason) {
	p.destroyed[why].Add(1)
	res.Value().destroying = true
	p.destroying.Add(1)
	if o := p.cfg.Observer; o != nil {
		o.ConnDestroyed(p.cfg.Name, why.String())
	}
	res.Destroy()
}

// Conn is a pooled connection: every actor.Conn method is available on it.
// Release returns it to the pool; after that every command on it, and on
// the cursors and statements made through it, fails with ErrReleased and
// never reaches the connection, which may belong to someone else by then.
type Conn struct {
	*actor.Conn
	p        *Pool
	res      *puddle.Resource[*connRes]
	released atomic.Bool
}

// Acquire returns a healthy connection, waiting for one while the pool is
// at MaxSize. It honours ctx and AcquireTimeout: when AcquireTimeout ends
// the wait with every connection in use the error is ErrExhausted. A
// failure to open a connection is returned with that failure's retry
// semantics (actor.SafeToRetry); every other failure sent nothing.
func (p *Pool) Acquire(ctx context.Context) (*Conn, error) {
	if p.route != nil {
		return p.route.acquire(ctx)
	}
	o := p.acqObs
	if o == nil {
		return p.acquire(ctx)
	}
	start := time.Now()
	c, err := p.acquire(ctx)
	o.ObserveAcquire(p.cfg.Name, AcquireEvent{Wait: time.Since(start), Err: err})
	return c, err
}

// errAcquireTimeout is the cause of an acquire ctx that AcquireTimeout ended.
var errAcquireTimeout = errors.New("amysql/pool: AcquireTimeout")

func (p *Pool) acquire(ctx context.Context) (*Conn, error) {
	if p.closed.Load() {
		return nil, fmt.Errorf("%w (%w)", ErrClosed, actor.ErrNotSent)
	}
	if t := p.cfg.AcquireTimeout; t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, t, errAcquireTimeout)
		defer cancel()
	}
	var failover failoverWait
	for {
		p.waiting.Add(1)
		res, err := p.p.Acquire(ctx)
		p.waiting.Add(-1)
		if err != nil {
			if p.awaitFailover(ctx, &failover, err) {
				continue
			}
			p.acquireErrors.Add(1)
			return nil, p.acquireError(ctx, err)
		}
		cr := res.Value()
		if why, ok := p.usable(ctx, res); !ok {
			p.destroy(res, why)
			if err := ctx.Err(); err != nil {
				p.acquireErrors.Add(1)
				return nil, p.acquireError(ctx, err)
			}
			continue
		}
		if p.cfg.BeforeAcquire != nil && !p.cfg.BeforeAcquire(ctx, cr.conn) {
			p.destroy(res, reasonHook)
			continue
		}
		p.inUse.Add(1)
		return cr.handle(p, res), nil
	}
}

// acquireError says why an acquire under ctx failed with err.
func (p *Pool) acquireError(ctx context.Context, err error) error {
	var ce *connectError
	switch {
	case errors.Is(err, puddle.ErrClosedPool):
		return fmt.Errorf("%w (%w)", ErrClosed, actor.ErrNotSent)
	case errors.As(err, &ce):
		return fmt.Errorf("amysql/pool: acquire: %w", ce.err)
	case context.Cause(ctx) == errAcquireTimeout:
		ps := p.p.Stat()
		inUse := int(ps.AcquiredResources())
		if p.cfg.MaxSize != Unlimited && inUse >= p.cfg.MaxSize {
			p.exhausted.Add(1)
			return &exhaustedError{size: p.cfg.MaxSize, wait: p.cfg.AcquireTimeout}
		}
		return fmt.Errorf("amysql/pool: acquire: AcquireTimeout %v reached with %d connections in use and %d being opened: %w (%w)",
			p.cfg.AcquireTimeout, inUse, ps.ConstructingResources(), err, actor.ErrNotSent)
	}
	return fmt.Errorf("amysql/pool: acquire: %w (%w)", err, actor.ErrNotSent)
}

// exhaustedError is an acquire that AcquireTimeout ended while every
// connection was in use.
type exhaustedError struct {
	size int
	wait time.Duration
}

func (e *exhaustedError) Error() string {
	return fmt.Sprintf("amysql/pool: acquire: pool exhausted: waited the %v AcquireTimeout with all %d connections in use (%v)",
		e.wait, e.size, actor.ErrNotSent)
}

func (e *exhaustedError) Unwrap() []error {
	return []error{ErrExhausted, context.DeadlineExceeded, actor.ErrNotSent}
}

// usable checks an idle connection before handing it out.
func (p *Pool) usable(ctx context.Context, res *puddle.Resource[*connRes]) (reason, bool) {
	cr := res.Value()
	c := cr.conn
	if c.Closed() {
		return reasonBroken, false
	}
	if !cr.expires.IsZero() && time.Now().After(cr.expires) {
		return reasonLifetime, false
	}
	idle := res.IdleDuration()
	if (p.cfg.PeekIdle < 0 || idle > p.cfg.PeekIdle) && !c.Alive() {
		return reasonBroken, false
	}
	if p.cfg.Recycle > 0 && idle > p.cfg.Recycle {
		return reasonRecycle, false
	}
	if p.cfg.PingIdle > 0 && idle > p.cfg.PingIdle {
		// The server may have closed it meanwhile (wait_timeout, KILL,
		// restart, error 4031); nothing of the caller's was sent yet.
		pctx, cancel := context.WithTimeout(ctx, p.connectTimeout())
		err := c.Ping(pctx)
		cancel()
		if err != nil {
			p.pingFailures.Add(1)
			return reasonPing, false
		}
	}
	return 0, true
}

// handle returns a fresh handle for one acquisition. Handles come from a
// per-connection batch, so acquiring allocates only once per batch.
func (cr *connRes) handle(p *Pool, res *puddle.Resource[*connRes]) *Conn {
	if len(cr.handles) == 0 {
		cr.handles = make([]handle, 32)
	}
	h := &cr.handles[0]
	cr.handles = cr.handles[1:]
	h.conn.Conn, h.conn.p, h.conn.res = cr.conn.Lend(&h.lent), p, res
	return &h.conn
}

// Release returns the connection to the pool; it is idempotent. A
// connection that is broken is destroyed; one with an open transaction,
// an unread result or (with ResetOnRelease) session state is cleaned
// before it is reused, and destroyed if cleaning fails.
func (c *Conn) Release() {
	if c.released.Swap(true) {
		return
	}
	p, res := c.p, c.res
	conn := res.Value().conn
	conn.Reclaim() // c stops working here
	p.inUse.Add(-1)
	switch {
	case conn.Closed():
		p.destroy(res, reasonBroken)
		return
	case p.closed.Load():
		p.destroy(res, reasonClosed)
		return
	}
	if !conn.Busy() && !conn.InTransaction() && !conn.HasPendingResult() && !p.cfg.ResetOnRelease {
		p.finishRelease(res)
		return
	}
	p.releases.Add(1)
	go func() {
		defer p.releases.Done()
		ctx, cancel := context.WithTimeout(context.Background(), p.cfg.ReleaseTimeout)
		defer cancel()
		if err := clean(ctx, conn, p.cfg.ResetOnRelease); err != nil {
			p.destroy(res, reasonDirty)
			return
		}
		p.finishRelease(res)
	}()
}

// clean makes a released connection fit for the next user.
func clean(ctx context.Context, c *actor.Conn, reset bool) error {
	if c.Busy() {
		// A command whose caller gave up is still resynchronising: wait
		// for it, so its outcome (clean, or a broken connection) is known
		// before anyone else gets the connection.
		if err := c.Sync(ctx); err != nil {
			return err
		}
	}
	if c.Closed() {
		return actor.ErrBadConn
	}
	if c.HasPendingResult() {
		if err := c.DiscardResults(ctx); err != nil {
			return err
		}
	}
	if reset {
		return c.ResetSession(ctx)
	}
	if c.InTransaction() {
		if err := c.Rollback(ctx); err != nil {
			return err
		}
		if c.InTransaction() {
			return errors.New("amysql/pool: transaction still open after rollback")
		}
	}
	return nil
}

func (p *Pool) finishRelease(res *puddle.Resource[*connRes]) {
	cr := res.Value()
	if p.cfg.AfterRelease != nil && !p.cfg.AfterRelease(cr.conn) {
		p.destroy(res, reasonHook)
		return
	}
	if !cr.expires.IsZero() && time.Now().After(cr.expires) {
		p.destroy(res, reasonLifetime)
		return
	}
	res.Release()
}

// Size returns the number of connections: idle, in use and being opened.
func (p *Pool) Size() int {
	if p.route != nil {
		return p.Stat().Total
	}
	return p.total(p.p.Stat())
}

// total is puddle's total less the connections being closed.
func (p *Pool) total(ps *puddle.Stat) int {
	return int(ps.TotalResources()) - int(p.destroying.Load())
}

// FreeSize returns the number of idle connections.
func (p *Pool) FreeSize() int {
	if p.route != nil {
		return p.Stat().Idle
	}
	return int(p.p.Stat().IdleResources())
}

// MinSize returns the configured minimum.
func (p *Pool) MinSize() int { return p.cfg.MinSize }

// MaxSize returns the configured maximum (Unlimited for none).
func (p *Pool) MaxSize() int { return p.cfg.MaxSize }

// Name returns the pool's name.
func (p *Pool) Name() string { return p.cfg.Name }

// Config returns the pool's configuration with defaults applied.
func (p *Pool) Config() Config { return p.cfg }

// Clear closes every idle connection; connections in use are closed when
// they are released. New connections are opened on demand.
func (p *Pool) Clear(ctx context.Context) error {
	if p.route != nil {
		for _, m := range p.route.members() {
			m.Clear(ctx)
		}
		return ctx.Err()
	}
	for _, res := range p.p.AcquireAllIdle() {
		p.destroy(res, reasonCleared)
	}
	return ctx.Err()
}

// Close stops the pool: Acquire fails from now on, idle connections are
// closed gracefully (COM_QUIT) and connections in use are closed when
// released. It returns at once; WaitClosed waits for the end.
//
// On a Cluster's Writer or Reader it does nothing: close the Cluster.
func (p *Pool) Close() {
	if p.route != nil {
		return
	}
	p.closeOnce.Do(func() {
		p.closed.Store(true)
		close(p.quit)
		for _, res := range p.p.AcquireAllIdle() {
			p.destroy(res, reasonClosed)
		}
		go func() {
			p.bg.Wait()
			p.releases.Wait()
			p.p.Close() // waits for acquired connections to come back
			// Connections handed to Destroy are closed on goroutines
			// puddle's Close does not wait for; each gives up within a
			// second, so this ends.
			for p.p.Stat().TotalResources() > 0 || p.destroying.Load() > 0 {
				time.Sleep(2 * time.Millisecond)
			}
			close(p.done)
		}()
	})
}

// each calls fn for every open connection.
func (p *Pool) each(fn func(*actor.Conn)) {
	if p.route != nil {
		return
	}
	p.mu.Lock()
	conns := make([]*actor.Conn, 0, len(p.live))
	for c := range p.live {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		fn(c)
	}
}

// Terminate is Close that also closes the connections in use at once.
func (p *Pool) Terminate() {
	if p.route != nil {
		return
	}
	p.Close()
	// puddle offers no way to reach acquired resources; the pool tracks
	// them through their actor connections instead.
	p.each(func(c *actor.Conn) { c.Close() })
}

// WaitClosed waits until Close has finished: every connection returned
// and closed, and the background goroutines stopped.
func (p *Pool) WaitClosed(ctx context.Context) error {
	if p.route != nil {
		return nil
	}
	if !p.closed.Load() {
		return errors.New("amysql/pool: WaitClosed before Close")
	}
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
