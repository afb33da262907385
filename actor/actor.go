package actor

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amysql/amysql/proto"
)

type reqKind uint8

const (
	reqQuery   reqKind = iota // COM_QUERY, first result read into res
	reqFetch                  // more rows of an unbuffered result
	reqNextSet                // the next result set of a multi-result
	reqCommand                // a command answered by OK (ping, init db, reset)
	reqQuit                   // COM_QUIT, then stop
	reqFunc                   // run fn on the session (internal helpers)
	reqCached                 // sql as a cached prepared statement
	reqBatch                  // fn on the session, reading a batch left on the wire
	reqStmt                   // execute stmt with args
)

// request is one command in the mailbox. The actor fills the result fields
// and signals done; the sender owns the request again after that, unless
// it gave up waiting, in which case the request is abandoned to the actor.
type request struct {
	kind  reqKind
	ctx   context.Context
	cmd   byte
	sql   string
	args  []any
	bulk  *bulkBatch // reqQuery: a statement ExecuteMany built, sent in place of sql
	res   *result
	limit int // fetch: at most this many rows; 0 = no row limit
	fn    func(*session) error
	stmt  *Stmt // reqStmt: the statement to execute

	done chan struct{}
	err  error
	ok   proto.OK
}

func (k reqKind) String() string {
	switch k {
	case reqQuery, reqCached:
		return "query"
	case reqFetch:
		return "fetch"
	case reqNextSet:
		return "next_result"
	case reqBatch:
		return "batch"
	case reqCommand:
		return "command"
	case reqQuit:
		return "quit"
	}
	return "other"
}

// newRequest returns an empty request; its reply channel is made when it
// first goes through the mailbox, as a direct command needs none.
func newRequest() *request { return &request{} }

// Conn is a handle to a connection's actor. Its methods may be called from
// any goroutine; commands run one at a time in the order they arrive.
//
// Connect returns the connection's owning handle. Lend makes further
// handles for one holder at a time (a pool hands those out); a lent handle
// stops working when its lease ends, so a holder that kept it can never
// reach the connection once it belongs to someone else.
type Conn struct {
	*core
	lease uint64 // 0: the owner's handle; else the lease it was lent under
}

// core is the connection itself, shared by all its handles.
type core struct {
	cfg     Config
	mailbox chan *request
	done    chan struct{} // closed when the actor has stopped
	nc      net.Conn
	raw     net.Conn // the socket under any TLS layer
	prober  *prober  // liveness probe of the socket under any TLS layer
	log     *slog.Logger
	// cancelObs is cfg.Observer when it also observes cancellations.
	cancelObs CancelObserver

	closeOnce sync.Once
	closed    atomic.Bool
	broken    atomic.Pointer[error]

	// Session facts published by the actor for lock-free reads.
	status   atomic.Uint32
	insertID atomic.Uint64
	affected atomic.Uint64
	warnings atomic.Uint32
	db       atomic.Pointer[string]
	pending  atomic.Bool  // a result is unread on the wire
	busy     atomic.Bool  // a command is being served
	inflight atomic.Int32 // commands sent and not yet answered
	maxPkt   atomic.Int64 // the server's max_allowed_packet, once read
	lastGTID atomic.Pointer[string]

	threadID      uint32
	ep            endpoint // the server connected to
	peer          endpoint // the same, at the address the socket reached (for KILL QUERY)
	serverVersion string
	charset       string
	collation     string
	tls           bool
	compressed    bool
	cachesMeta    bool
	tlsState      *tls.ConnectionState

	reqs sync.Pool // *request for Conn-level commands

	// leases counts the handles lent; the latest is the only live one
	// (see Lend).
	leases atomic.Uint64

	// Row buffers of a closed cursor, for the next one (see recycle).
	spareMu    sync.Mutex
	spareRows  []byte
	spareSpans []proto.Span

	// wire is held by whoever runs a command on the socket: the actor
	// goroutine, a direct caller, or a resync after an interrupted one.
	wire sync.Mutex

	// Owned by the holder of wire.
	sess *session
	gen  uint64 // generation of the result owning the wire, 0 = none
	// wireRows reports unread rows of the current result on the wire;
	// wireMore reports further result sets after it.
	wireRows, wireMore bool
	cancel             *cancelState
	killer             *killer    // watches mailbox commands' contexts
	stmtEpoch          uint64     // bumped when server-side statements are dropped
	stmts              *stmtCache // statements prepared for binary cursors
	batch              *pipeline  // a batch whose answers are not all read
	meta               *colMeta   // the last result's column metadata
}

// Connect dials the server, authenticates, initialises the session and
// starts the connection's actor. A failure in transport (the dial, a reset,
// a timeout) is SafeToRetry; one the server or the authentication or TLS
// exchange refused is not, since trying again cannot help.
func Connect(ctx context.Context, cfg Config) (*Conn, error) {
	co, ok := cfg.Observer.(ConnectObserver)
	if !ok {
		return open(ctx, cfg)
	}
	begin := time.Now()
	c, err := open(ctx, cfg)
	co.ObserveConnect(ConnectEvent{Duration: time.Since(begin), Err: err})
	return c, err
}

// open is Connect without the observer.
func open(ctx context.Context, cfg Config) (*Conn, error) {
	cfg, err := cfg.withOptionFile()
	if err != nil {
		return nil, &Error{Op: "connect", Err: err}
	}
	cfg = cfg.withDefaults()
	if len(cfg.ServerPublicKey) == 0 && cfg.ServerPublicKeyFile != "" {
		pem, err := os.ReadFile(cfg.ServerPublicKeyFile)
		if err != nil {
			return nil, &Error{Op: "connect", Err: errorf("%w: server public key: %w", ErrAuth, err)}
		}
		cfg.ServerPublicKey = pem
	}
	s, err := dialAny(ctx, &cfg)
	if err != nil {
		if transportFailure(err) || errors.Is(err, ErrWrongRole) {
			err = markNotSent(err)
		}
		return nil, &Error{Op: "connect", Err: err}
	}
	c := &Conn{core: &core{
		cfg:           cfg,
		mailbox:       make(chan *request),
		done:          make(chan struct{}),
		killer:        newKiller(),
		nc:            s.nc,
		prober:        newProber(s.raw),
		raw:           s.raw,
		sess:          s,
		threadID:      s.hs.ConnectionID,
		ep:            s.ep,
		peer:          s.peer(),
		serverVersion: s.hs.Version(),
		charset:       s.charset,
		collation:     s.collName,
		tls:           s.tls,
		compressed:    s.comp != nil,
		cachesMeta:    s.cacheMeta,
		tlsState:      s.tlsState,
	}}
	c.cancelObs, _ = cfg.Observer.(CancelObserver)
	c.log = cfg.Logger
	if c.log == nil && cfg.Echo {
		c.log = slog.Default()
	}
	c.reqs.New = func() any { return newRequest() }
	c.stmts = newStmtCache(cfg.StmtCacheSize)
	db := cfg.DB
	c.db.Store(&db)
	c.publish(s.status)
	go c.run()
	return c, nil
}

// run is the actor: it serves the mailbox until the connection closes,
// which Close signals with a nil request.
func (c *Conn) run() {
	defer close(c.done)
	for {
		req := <-c.mailbox
		if req == nil || c.serve(req) {
			c.stop()
			return
		}
	}
}

func (c *Conn) stop() {
	c.closed.Store(true)
	c.nc.Close()
}

// serve runs one request from the mailbox under the wire lock and replies.
// It reports whether the actor should stop.
func (c *Conn) serve(req *request) (stop bool) {
	c.wire.Lock()
	c.busy.Store(true)
	quit := req.kind == reqQuit
	c.perform(req, true)
	c.finish()
	stop = quit || c.sess.broken != nil
	c.busy.Store(false)
	c.wire.Unlock()
	// No longer in flight by the time the sender sees the reply, so a
	// Busy check right after a call returns is accurate.
	c.inflight.Add(-1)
	req.done <- struct{}{} // req belongs to its sender again after this
	return stop
}

// perform runs req on the wire and records its outcome in req. The caller
// holds the wire lock. From the mailbox (kill) the end of req.ctx sends
// KILL QUERY and the command runs on to its end; a direct command is
// interrupted instead.
func (c *Conn) perform(req *request, kill bool) {
	s := c.sess
	switch {
	case s.broken != nil:
		req.err = markNotSent(c.brokenErr())
		return
	case c.closed.Load():
		req.err = markNotSent(ErrConnClosed)
		return
	case req.ctx != nil && req.ctx.Err() != nil:
		req.err = markNotSent(req.ctx.Err())
		return
	}
	var cs *cancelState
	var done <-chan struct{}
	if kill && req.ctx != nil {
		if done = req.ctx.Done(); done != nil {
			cs = c.armCancel()
			c.killer.current = cs
			c.killer.watch(req.ctx)
		}
	}
	var start, begin time.Time
	if c.log != nil && (req.kind == reqQuery || req.kind == reqCached) {
		start = time.Now()
	}
	if c.cfg.Observer != nil {
		begin = time.Now()
	}
	req.err = c.exec(req)
	if s.halted != phaseOther {
		req.err = req.ctx.Err() // interrupted: the caller's ctx ended
	}
	if cs != nil {
		if c.killer.unwatch(done) {
			c.disarmCancel(cs) // waits for the kill to finish
			c.observeCancel(cs)
			if req.err == nil {
				req.err = req.ctx.Err()
			}
		} else {
			c.cancel = cs // not fired: reuse next time
		}
	}
	if !start.IsZero() {
		c.logQuery(req, time.Since(start))
	}
	if obs := c.cfg.Observer; obs != nil {
		obs.ObserveCommand(CommandEvent{
			Kind: req.kind.String(), Duration: time.Since(begin), Err: req.err,
			BytesSent: s.sent, BytesReceived: s.received,
		})
		s.sent, s.received = 0, 0
	}
}

func (c *Conn) logQuery(req *request, d time.Duration) {
	if req.err != nil {
		c.log.Info("amysql query", "thread_id", c.threadID, "sql", req.sql, "duration", d, "error", req.err)
		return
	}
	c.log.Info("amysql query", "thread_id", c.threadID, "sql", req.sql, "duration", d)
}

// publish makes session facts readable without the mailbox.
func (c *Conn) publish(status uint16) { c.status.Store(uint32(status)) }

func (c *Conn) brokenErr() error {
	if p := c.broken.Load(); p != nil {
		return *p
	}
	if c.sess.broken != nil {
		return c.sess.broken
	}
	return ErrConnClosed
}

// closedErr is the error for a command that cannot be delivered.
func (c *Conn) closedErr() error {
	if c.revoked() {
		return ErrRevoked
	}
	if p := c.broken.Load(); p != nil {
		return *p
	}
	return ErrConnClosed
}

// roundTrip delivers req and waits for its reply or the end of ctx. It
// reports abandoned when the caller stopped waiting while the actor still
// owns req. An idle connection runs req directly on the caller's goroutine.
func (c *Conn) roundTrip(ctx context.Context, req *request) (err error, abandoned bool) {
	if c.closed.Load() || c.revoked() {
		return markNotSent(c.closedErr()), false
	}
	req.ctx = ctx
	if ran, abandoned, err := c.tryDirect(ctx, req); ran {
		return err, abandoned
	}
	return c.viaMailbox(ctx, req)
}

// viaMailbox hands req to the actor goroutine and waits for its reply; req
// is already counted as in flight.
func (c *Conn) viaMailbox(ctx context.Context, req *request) (err error, abandoned bool) {
	if req.done == nil {
		req.done = make(chan struct{}, 1)
	}
	// Plain channel operations where they do: a select costs about twice
	// as much as a send or receive that does not need one.
	ctxDone := ctx.Done()
	select {
	case c.mailbox <- req: // the actor was waiting
	default:
		select {
		case c.mailbox <- req:
		case <-c.done:
			c.inflight.Add(-1)
			return markNotSent(c.closedErr()), false
		case <-ctxDone:
			c.inflight.Add(-1)
			return markNotSent(ctx.Err()), false
		}
	}
	if ctxDone == nil {
		<-req.done // the actor replies to every request it takes
		return req.err, false
	}
	select {
	case <-req.done:
		return req.err, false
	case <-ctxDone:
		return ctx.Err(), true
	}
}

// command runs a Conn-level request built by fill and returns its OK.
func (c *Conn) command(ctx context.Context, op string, fill func(*request)) (proto.OK, error) {
	req := c.reqs.Get().(*request)
	fill(req)
	err, abandoned := c.roundTrip(ctx, req)
	var ok proto.OK
	if !abandoned { // an abandoned request still belongs to the actor
		ok = req.ok
		*req = request{done: req.done}
		c.reqs.Put(req)
	}
	if err != nil {
		return ok, wrapOp(op, err)
	}
	return ok, nil
}

// wrapOp attaches the operation name to client-side errors; server errors
// and context errors are returned as they are.
func wrapOp(op string, err error) error {
	switch e := err.(type) {
	case *proto.Error:
		return e
	case *Error:
		return e
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrConnClosed) {
		return err
	}
	return &Error{Op: op, Err: err}
}

// doBatch runs fn on the session without first reading away what is left
// on the wire: the answers of a batch fn reads.
func (c *Conn) doBatch(ctx context.Context, fn func(*session) error) error {
	_, err := c.command(ctx, "batch", func(r *request) { r.kind, r.fn = reqBatch, fn })
	return err
}

// do runs fn on the actor's session.
func (c *Conn) do(ctx context.Context, op string, fn func(*session) error) error {
	_, err := c.command(ctx, op, func(r *request) { r.kind, r.fn = reqFunc, fn })
	return err
}

// exec performs a request on the wire. Its caller holds the wire lock: the
// actor goroutine, or the caller's own goroutine for a direct command.
func (c *Conn) exec(req *request) error {
	s := c.sess
	switch req.kind {
	case reqFetch:
		return c.fetch(req)
	case reqNextSet:
		return c.nextSet(req)
	case reqBatch:
		return req.fn(s)
	}
	// Any other command first finishes what an earlier result left on
	// the wire.
	if err := c.drainWire(); err != nil {
		return err
	}
	switch req.kind {
	case reqQuery:
		return c.query(req)
	case reqCommand:
		ok, err := s.simpleCommand(req.cmd, req.sql)
		req.ok = ok
		c.noteOK(ok)
		return err
	case reqQuit:
		_ = s.write(s.startCommand(proto.ComQuit))
		return nil
	case reqFunc:
		return req.fn(s)
	case reqCached:
		err := c.executeCached(req.sql, req.args, req.res)
		req.ok = req.res.ok
		return err
	case reqStmt:
		return c.executeOnWire(req.stmt, req.args, req.res)
	}
	return errorf("unknown request kind %d", req.kind)
}

// noteOK records the facts of an OK packet.
func (c *Conn) noteOK(ok proto.OK) {
	c.insertID.Store(ok.LastInsertID)
	c.affected.Store(ok.AffectedRows)
	c.warnings.Store(uint32(ok.Warnings))
}

// spareBuffers takes the row buffers a closed cursor left, if any.
func (c *Conn) spareBuffers() ([]byte, []proto.Span) {
	c.spareMu.Lock()
	rows, spans := c.spareRows, c.spareSpans
	c.spareRows, c.spareSpans = nil, nil
	c.spareMu.Unlock()
	return rows, spans
}

// putSpareBuffers keeps a closed cursor's row buffers, unless they are too
// big to pin.
func (c *Conn) putSpareBuffers(rows []byte, spans []proto.Span) {
	c.spareMu.Lock()
	if rows != nil && cap(rows) <= 4<<20 {
		c.spareRows = rows
	}
	if spans != nil && cap(spans) <= 1<<16 {
		c.spareSpans = spans
	}
	c.spareMu.Unlock()
}
