package actor

import (
	"context"
	"sync"
)

// Batch is a list of statements sent together with SendBatch: on a
// connection that pipelines, every statement is written before the first
// answer is read, so the batch costs one round trip instead of one per
// statement.
//
// The server runs every statement, in order, whatever happened to the
// ones before: a failed statement gets its own error and the next one
// runs anyway. Statements that depend on each other belong in an Atomic
// batch, which runs inside a transaction committed only when every
// statement succeeded.
type Batch struct {
	items []batchItem
	// Atomic runs the batch inside a transaction (BEGIN is sent with the
	// statements) that is committed when every statement succeeded and
	// rolled back otherwise: two round trips in all. A statement that
	// commits implicitly (DDL) ends that transaction early.
	Atomic bool
}

type batchItem struct {
	query string
	args  []any
}

// Queue adds a statement; its ? placeholders are replaced by args as in
// Cursor.Execute.
func (b *Batch) Queue(query string, args ...any) {
	b.items = append(b.items, batchItem{query: query, args: args})
}

// Len returns the number of statements queued.
func (b *Batch) Len() int { return len(b.items) }

// BatchResults reads the answers of a batch, one statement at a time in
// queue order. Close must be called before the connection runs anything
// else; a command run on the connection before that reads the rest of the
// batch away first.
//
// The ctx given to SendBatch governs the whole batch. When it ends before
// the batch was read, the statement running on the server is stopped
// (KILL QUERY) and the connection is closed, so statements the server had
// not started do not run; every call then returns ctx's error.
type BatchResults struct {
	c     *Conn
	ctx   context.Context
	p     *pipeline // nil when the batch runs one statement per round trip
	items []batchItem
	next  int // the next statement to answer
	err   error
	// For an atomic batch: the answers, read at the first call, and how
	// the transaction ended.
	atomic  bool
	answers []batchAnswer
	closed  bool

	stopCancel func() bool
	closeOnce  sync.Once
	after      []func()

	// readNext reads the pipeline's next answer into last on the actor's
	// session; made once, so a read allocates no closure.
	readNext func(*session) error
	last     batchAnswer
}

// batchAnswer is one statement's answer: its result sets (buffered), or
// its error.
type batchAnswer struct {
	sets []*result
	err  error
}

// SendBatch sends the statements of b and returns their answers to read.
// Nothing is sent when a statement cannot be rendered (an argument of an
// unsupported type, an unsafe charset) or ctx has ended; every call of the
// results then returns that error.
func (c *Conn) SendBatch(ctx context.Context, b *Batch) *BatchResults {
	br := &BatchResults{c: c, ctx: ctx, items: b.items, atomic: b.Atomic}
	if err := ctx.Err(); err != nil {
		br.err = markNotSent(err)
		return br
	}
	if c.closed.Load() || c.revoked() {
		br.err = markNotSent(c.closedErr())
		return br
	}
	if len(b.items) == 0 {
		return br
	}
	if !c.pipelines() {
		return br // each statement is sent when its answer is asked for
	}
	err := c.do(context.WithoutCancel(ctx), "batch", func(s *session) error {
		if err := c.drainWire(); err != nil {
			return err
		}
		p, err := c.startPipeline(b.items, b.Atomic)
		if err != nil {
			return err
		}
		br.p = p
		return nil
	})
	if err != nil {
		br.err = err
		return br
	}
	br.stopCancel = context.AfterFunc(ctx, br.p.cancel)
	return br
}

// PipelineMode says whether batches are pipelined (Config.Pipeline).
type PipelineMode uint8

// Pipeline modes.
const (
	PipelineAuto PipelineMode = iota // pipeline where the connection allows it
	PipelineOff                      // one statement per round trip
)

// BatchFailed returns results whose every call reports err: for callers
// that could not send a batch at all (a pool that found no connection).
func BatchFailed(err error) *BatchResults { return &BatchResults{err: err} }

// pipelines reports whether batches on c are pipelined: not with
// Config.Pipeline off, not on a compressed connection (whose stream is
// one sequence in both directions), not when LOAD DATA LOCAL INFILE is
// enabled (a file request in the middle of a pipeline would take the
// statements behind it for file data).
func (c *Conn) pipelines() bool {
	return c.cfg.Pipeline != PipelineOff && !c.compressed && !c.cfg.LocalInfile
}

// Exec reads the next statement's answer and returns its affected rows (a
// statement with rows returns their number).
func (br *BatchResults) Exec() (int64, error) {
	a, err := br.answer()
	if err != nil {
		return -1, err
	}
	if len(a.sets) == 0 {
		return 0, nil
	}
	r := a.sets[0]
	if r.hasRows {
		return int64(r.nrows), nil
	}
	return int64(r.ok.AffectedRows), nil
}

// Query reads the next statement's answer and returns a cursor on it: its
// rows are buffered, and its further result sets (a CALL, several
// statements in one) are reached with NextSet.
func (br *BatchResults) Query() (*Cursor, error) {
	a, err := br.answer()
	if err != nil {
		return nil, err
	}
	cur := br.c.Cursor(TupleCursor)
	cur.executed, cur.ownSpent = true, true
	if len(a.sets) > 0 {
		cur.res, cur.sets = a.sets[0], a.sets[1:]
	} else {
		cur.res = &result{eof: true}
	}
	cur.req = newRequest()
	cur.settle()
	return cur, nil
}

// answer returns the next statement's answer.
func (br *BatchResults) answer() (batchAnswer, error) {
	if br.err != nil {
		return batchAnswer{}, br.err
	}
	if br.closed {
		return batchAnswer{}, errorf("%w: the batch results are closed", ErrResultDiscarded)
	}
	if br.next >= len(br.items) {
		return batchAnswer{}, errorf("%w: all %d statements of the batch were answered", ErrNoResult, len(br.items))
	}
	if br.atomic {
		if br.answers == nil {
			if err := br.readAtomic(); err != nil {
				return batchAnswer{}, err
			}
		}
		a := br.answers[br.next]
		br.next++
		return a, a.err
	}
	a, err := br.read()
	br.next++
	if err != nil && br.err == nil && IsBadConn(err) {
		br.err = err // the rest cannot be read
	}
	return a, err
}

// read reads, or sends and reads, the next statement's answer.
func (br *BatchResults) read() (batchAnswer, error) {
	it := br.items[br.next]
	if br.p == nil {
		return br.c.oneStatement(br.ctx, it)
	}
	if br.readNext == nil {
		br.readNext = func(*session) error {
			if br.c.batch != br.p {
				return errorf("%w: another command read the rest of the batch", ErrResultDiscarded)
			}
			var err error
			br.last, err = br.c.readAnswer(br.p)
			return err
		}
	}
	br.last = batchAnswer{}
	if err := br.c.doBatch(context.Background(), br.readNext); err != nil {
		return batchAnswer{}, br.ctxErr(err)
	}
	a := br.last
	br.last = batchAnswer{}
	return a, a.err
}

// ctxErr reports the batch ctx's error for a failure it caused.
func (br *BatchResults) ctxErr(err error) error {
	if cerr := br.ctx.Err(); cerr != nil && IsBadConn(err) {
		return cerr
	}
	return err
}

// Close reads away the answers not read yet and ends the batch: for an
// atomic batch, after its COMMIT or ROLLBACK. It returns the error that
// ended the batch early, if any (not the statements' own errors). It is
// idempotent.
func (br *BatchResults) Close() error {
	var err error
	br.closeOnce.Do(func() {
		err = br.close()
		br.closed = true
		if br.stopCancel != nil {
			br.stopCancel()
		}
		for _, f := range br.after {
			f()
		}
	})
	return err
}

func (br *BatchResults) close() error {
	if br.err != nil {
		if errorsIsNotSent(br.err) {
			return nil // nothing went on the wire
		}
		return br.err
	}
	if br.atomic && br.answers == nil && len(br.items) > 0 {
		if err := br.readAtomic(); err != nil {
			return err
		}
	}
	if br.p == nil || br.atomic {
		return nil
	}
	err := br.c.doBatch(context.Background(), func(s *session) error {
		if br.c.batch != br.p {
			return nil // another command read it away
		}
		return br.c.finishPipeline(br.p)
	})
	return br.ctxErr(err)
}

// AfterClose makes f run once Close has finished (a pool releases the
// connection there).
func (br *BatchResults) AfterClose(f func()) { br.after = append(br.after, f) }
