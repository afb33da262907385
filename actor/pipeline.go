package actor

import (
	"context"
	"errors"
	"net"
	"sync"

	"github.com/amysql/amysql/proto"
)

// Bounds of a pipeline: a batch whose commands fit pipelineSyncBytes is
// written at once by the caller; a larger one by a writer goroutine that
// keeps at most pipelineMaxStatements statements and pipelineMaxBytes of
// commands ahead of the answers read, so neither side's socket buffers
// can fill up and stall both ends.
const (
	pipelineSyncBytes     = 64 << 10
	pipelineMaxStatements = 512
	pipelineMaxBytes      = 1 << 20
)

// ErrRolledBack is returned, for each statement of an atomic batch, when
// the batch's transaction was rolled back because another statement (or
// the COMMIT) failed.
var ErrRolledBack = newSentinel("rolled back: another statement of the atomic batch failed")

// pipeline is a batch on the wire. The connection's wire holder reads its
// answers; while writer runs it owns the socket's write half, and no
// other command may be written before it is done (drainWire waits).
type pipeline struct {
	c     *Conn
	n     int             // statements written or to be written
	read  int             // answers read (owned by the wire holder)
	sents []sentStatement // what each statement was built from, for redaction
	buf   []byte          // every statement's packets, back to back
	ends  []int           // where each statement's packets end in buf

	mu        sync.Mutex
	cond      sync.Cond
	sent      int   // statements written
	acked     int   // answers read, for the writer's flow control
	werr      error // why the writer stopped early
	finished  bool  // every answer was read (or the session broke)
	cancelled bool  // the batch's ctx ended: the connection is done for
	done      chan struct{}
}

// startPipeline renders items (after a BEGIN when atomic) as COM_QUERY
// packets and starts writing them. Nothing is sent when one cannot be
// rendered. The caller holds the wire.
func (c *Conn) startPipeline(items []batchItem, atomic bool) (*pipeline, error) {
	s := c.sess
	p := &pipeline{c: c, done: make(chan struct{})}
	p.cond.L = &p.mu
	if atomic {
		items = append([]batchItem{{query: "BEGIN"}}, items...)
	}
	p.n = len(items)
	p.sents = make([]sentStatement, len(items))
	p.ends = make([]int, len(items))
	if s.pendingBegin {
		// A transaction begun with the next command: BEGIN goes first,
		// and the first read takes its answer.
		s.pendingBegin, s.beginDue = false, true
		p.buf = append(p.buf, beginPacket...)
	}
	for i, it := range items {
		var err error
		if p.buf, err = c.renderQuery(p.buf, it, &p.sents[i]); err != nil {
			return nil, markNotSent(err)
		}
		p.ends[i] = len(p.buf)
	}
	c.batch = p
	if len(p.buf) <= pipelineSyncBytes && p.n <= pipelineMaxStatements {
		p.sent = p.n
		close(p.done)
		if err := s.writeFramed(p.buf); err != nil {
			c.batch = nil
			return nil, err
		}
		return p, nil
	}
	go p.write(s.pw)
	return p, nil
}

// renderQuery appends it as a framed COM_QUERY packet to dst, recording
// what it was built from in sent.
func (c *Conn) renderQuery(dst []byte, it batchItem, sent *sentStatement) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, proto.ComQuery)
	off := len(dst)
	*sent = sentStatement{sql: it.query, args: it.args}
	if len(it.args) > 0 {
		if err := c.interpolationSafe(); err != nil {
			return dst[:start], err
		}
		sent.opts = c.literalOptions()
		var err error
		if dst, err = proto.Interpolate(dst, it.query, it.args, sent.opts); err != nil {
			return dst[:start], err
		}
	} else {
		dst = append(dst, it.query...)
	}
	if n := len(dst) - start - 4; n > c.cfg.MaxAllowedPacket {
		return dst[:start], errorf("%w: a batch statement of %d bytes, limit %d", ErrPacketTooLarge, n, c.cfg.MaxAllowedPacket)
	}
	sent.packet = dst[off:]
	return proto.FramePayload(dst, start, 0), nil
}

// write writes the pipeline's packets as flow control allows. It runs on
// its own goroutine, owning the socket's write half (pw) until done is
// closed, and touches nothing else of the session.
func (p *pipeline) write(pw *proto.PacketWriter) {
	defer close(p.done)
	for {
		p.mu.Lock()
		for p.sent < p.n && !p.cancelled && !p.canSend() {
			p.cond.Wait()
		}
		from, to := p.sent, p.limit()
		stop := p.sent == p.n || p.cancelled
		p.mu.Unlock()
		if stop {
			return
		}
		lo := 0
		if from > 0 {
			lo = p.ends[from-1]
		}
		if err := pw.WriteFramed(p.buf[lo:p.ends[to-1]]); err != nil {
			p.mu.Lock()
			p.werr = err
			p.mu.Unlock()
			p.c.nc.Close() // the reader must not wait for answers that will not come
			return
		}
		p.mu.Lock()
		p.sent = to
		p.mu.Unlock()
	}
}

// canSend reports whether the next statement may be written. p.mu is held.
func (p *pipeline) canSend() bool { return p.limit() > p.sent }

// limit is how many statements may have been written: at most
// pipelineMaxStatements and about pipelineMaxBytes ahead of the answers
// read, and always one more than answered. p.mu is held.
func (p *pipeline) limit() int {
	to := min(p.n, p.acked+pipelineMaxStatements)
	base := 0
	if p.acked > 0 {
		base = p.ends[p.acked-1]
	}
	for to > p.acked+1 && p.ends[to-1]-base > pipelineMaxBytes {
		to--
	}
	return max(to, p.acked+1)
}

// readAnswer reads the next statement's answer. A statement's own server
// error is in the answer; a returned error broke the connection. The
// caller holds the wire.
func (c *Conn) readAnswer(p *pipeline) (batchAnswer, error) {
	s := c.sess
	if err := p.writeErr(); err != nil {
		return batchAnswer{}, c.endPipeline(p, s.fail(err))
	}
	var a batchAnswer
	s.pr.SetSeq(1)
	sent := &p.sents[p.read]
	for {
		res := &result{}
		c.gen++
		res.gen = c.gen
		err := c.readResult(res)
		if s.broken != nil {
			if werr := p.writeErr(); werr != nil {
				err = werr
			}
			return batchAnswer{}, c.endPipeline(p, err)
		}
		if err != nil {
			a.err = sent.redact(err)
			break
		}
		a.sets = append(a.sets, res)
		if !res.more {
			break
		}
	}
	c.setWire(false, false)
	p.read++
	p.mu.Lock()
	p.acked = p.read
	p.cond.Broadcast()
	p.mu.Unlock()
	if p.read == p.n {
		return a, c.endPipeline(p, nil)
	}
	return a, nil
}

func (p *pipeline) writeErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.werr
}

// endPipeline ends the pipeline after its last answer, or after err broke
// the session: it waits for the writer and clears the connection's batch.
// A cancelled batch leaves the connection broken.
func (c *Conn) endPipeline(p *pipeline, err error) error {
	p.mu.Lock()
	p.finished = true
	cancelled := p.cancelled
	p.cond.Broadcast()
	p.mu.Unlock()
	if err != nil {
		c.sess.fail(err) // stops a writer still at work
	}
	<-p.done
	if c.batch == p {
		c.batch = nil
	}
	if p.sent > 0 {
		c.sess.sent += int64(p.ends[p.sent-1])
	}
	if cancelled && err == nil {
		err = c.sess.fail(context.Canceled)
	}
	return err
}

// finishPipeline reads away the answers of p not read yet. The caller
// holds the wire.
func (c *Conn) finishPipeline(p *pipeline) error {
	for c.batch == p {
		if _, err := c.readAnswer(p); err != nil {
			return err
		}
	}
	return nil
}

// cancel stops a pipelined batch whose ctx ended, unless it has been read
// to its end: the blocked I/O fails at once, the statement running on the
// server is killed and the connection is closed.
func (p *pipeline) cancel() {
	p.mu.Lock()
	if p.finished {
		p.mu.Unlock()
		return
	}
	p.cancelled = true
	p.cond.Broadcast()
	p.mu.Unlock()
	c := p.c
	// Reset the connection first: the server's write of the running
	// statement's answer then fails, and it reads none of the statements
	// queued behind it. Then stop that statement.
	if tc, ok := c.raw.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.shut()
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.CancelTimeout)
	defer cancel()
	_ = killQuery(ctx, &c.cfg, c.peer, c.threadID)
}

// oneStatement sends one batch statement and reads its answer: a batch
// that is not pipelined runs this way, statement by statement.
func (c *Conn) oneStatement(ctx context.Context, it batchItem) (batchAnswer, error) {
	var a batchAnswer
	err := c.do(ctx, "batch", func(s *session) error {
		if err := c.drainWire(); err != nil {
			return err
		}
		p, err := c.startPipeline([]batchItem{it}, false)
		if err != nil {
			return err
		}
		a, err = c.readAnswer(p)
		return err
	})
	if err != nil {
		return batchAnswer{}, err
	}
	return a, a.err
}

// readAtomic reads every answer of an atomic batch (BEGIN first), then
// commits when every statement succeeded and rolls back otherwise.
func (br *BatchResults) readAtomic() error {
	c := br.c
	items := br.items
	answers := make([]batchAnswer, 0, len(items))
	var failed error
	if br.p == nil {
		// Not pipelined: one round trip a statement.
		if err := c.execSQL(br.ctx, "begin", "BEGIN"); err != nil {
			br.err = err
			return err
		}
		for _, it := range items {
			a, err := c.oneStatement(br.ctx, it)
			if err != nil && a.err == nil {
				a.err = err
			}
			if a.err != nil && failed == nil {
				failed = a.err
			}
			answers = append(answers, a)
			if IsBadConn(err) {
				br.err = err
				return err
			}
		}
	} else {
		err := c.doBatch(context.Background(), func(s *session) error {
			if c.batch != br.p {
				return errorf("%w: another command read the batch away", ErrResultDiscarded)
			}
			for range br.p.n {
				a, err := c.readAnswer(br.p)
				if err != nil {
					return err
				}
				if a.err != nil && failed == nil {
					failed = a.err
				}
				answers = append(answers, a)
			}
			return nil
		})
		if err != nil {
			br.err = br.ctxErr(err)
			return br.err
		}
		answers = answers[1:] // BEGIN's
	}
	end := "COMMIT"
	if failed != nil {
		end = "ROLLBACK"
	}
	if err := c.execSQL(br.ctx, "batch "+end, end); err != nil {
		if failed == nil {
			failed = err // a failed COMMIT (a Galera conflict) rolled it all back
		} else {
			br.err = err
			return err
		}
	}
	if failed != nil {
		for i := range answers {
			if answers[i].err == nil {
				answers[i] = batchAnswer{err: errorf("%w (%w)", ErrRolledBack, failed)}
			}
		}
	}
	br.answers = answers
	return nil
}

func errorsIsNotSent(err error) bool { return errors.Is(err, ErrNotSent) }
