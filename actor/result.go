package actor

import (
	"math"

	"github.com/amysql/amysql/proto"
)

// maxColumns bounds the column count a result may announce.
const maxColumns = 1<<16 - 1

// result holds one result set as read from the wire: column metadata and
// the raw bytes of its rows, which cursors decode on demand. A cursor owns
// its result and reuses its buffers from one Execute to the next.
type result struct {
	gen        uint64
	unbuffered bool

	meta *colMeta // shared, immutable; cols and pcols are its slices
	// known is the metadata the server may skip sending for this
	// response's first result set: a prepared statement's, on a
	// connection that caches metadata. Consumed by readResult.
	known   *colMeta
	cols    []Column
	pcols   []proto.Column
	scratch []byte // column packets of new metadata, while reading them
	scrEnds []int
	hasRows bool // the statement produced a result set
	eof     bool // every row of this set has been read from the wire
	more    bool // more result sets follow
	ok      proto.OK
	rows    []byte // row payloads, back to back
	spans   []proto.Span
	sent    sentStatement // while the response is unread: what was sent
	nrows   int
	fetched int // rows fetched from the wire for this set so far
	binary  bool
	noSet   bool // NextSet found no further result set

	// Room for a small result's rows without allocating.
	rowBuf  [256]byte
	spanBuf [16]proto.Span
}

func (r *result) reset() {
	r.hasRows, r.eof, r.more, r.noSet = false, false, false, false
	r.ok = proto.OK{}
	if cap(r.rows) > 4<<20 {
		r.rows = nil // do not pin a huge result's memory
	}
	r.rows, r.spans, r.nrows, r.fetched = r.rows[:0], r.spans[:0], 0, 0
}

// row returns the payload and value spans of row i.
func (r *result) row(i int) ([]byte, []proto.Span) {
	n := len(r.cols)
	return r.rows, r.spans[i*n : (i+1)*n]
}

// query sends COM_QUERY and reads the first result into req.res.
func (c *Conn) query(req *request) error {
	s := c.sess
	b := s.startCommand(proto.ComQuery)
	off := len(b)
	sent := sentStatement{sql: req.sql, args: req.args, bulk: req.bulk}
	switch {
	case req.bulk != nil:
		b = append(b, req.bulk.stmt...)
	case len(req.args) > 0:
		if err := c.interpolationSafe(); err != nil {
			s.pw.Start()
			return markNotSent(err)
		}
		sent.opts = c.literalOptions()
		var err error
		b, err = proto.Interpolate(b, req.sql, req.args, sent.opts)
		if err != nil {
			s.pw.Start() // drop the half-built packet; nothing was sent
			return markNotSent(err)
		}
	default:
		b = append(b, req.sql...)
	}
	sent.packet = b[off:]
	if err := s.write(b); err != nil {
		return sent.redact(err)
	}
	c.gen++
	res := req.res
	res.gen = c.gen
	res.reset()
	if sent.interpolated() || res.sent.interpolated() {
		res.sent = sent // until the response ends (endStatement)
	}
	err := c.readResult(res)
	req.ok = res.ok
	if err != nil {
		return sent.redact(err)
	}
	return nil
}

func (c *Conn) literalOptions() proto.LiteralOptions {
	return proto.LiteralOptions{
		NoBackslashEscapes: c.sess.status&proto.StatusNoBackslashEscapes != 0,
		Loc:                c.cfg.Loc,
	}
}

// setWire records what the current result leaves unread on the wire.
func (c *Conn) setWire(rows, more bool) {
	c.wireRows, c.wireMore = rows, more
	if !rows && !more {
		c.gen = 0
	}
}

// readResult reads a statement's response: an OK, an error, or a result
// set (all of it, or just its metadata for an unbuffered result).
func (c *Conn) readResult(res *result) error {
	s := c.sess
	known := res.known
	res.known = nil
	s.phase = phaseHeader
	p, err := s.read()
	if err != nil {
		c.setWire(false, false)
		return err
	}
	switch p[0] {
	case proto.HeaderOK, proto.HeaderErr:
		return c.statementReply(res, p)
	case proto.HeaderLocalInfile:
		return c.localInfile(res, p)
	}
	n, defs, err := s.columnCount(p)
	if err != nil {
		return err
	}
	if defs {
		if err := c.readColumns(res, n); err != nil {
			return err
		}
	} else if err := c.reuseColumns(res, known, n); err != nil {
		return err
	}
	res.hasRows = true
	if res.unbuffered {
		// Stream, bringing along only the rows that already arrived: a
		// small result then needs no second command, and a slow one
		// does not keep the caller waiting for rows.
		c.setWire(true, false)
		return c.readRows(res, streamBatch, false)
	}
	return c.readRows(res, 0, true)
}

// statementReply handles the OK or ERR packet that answers a statement
// without rows.
func (c *Conn) statementReply(res *result, p []byte) error {
	s := c.sess
	if p[0] == proto.HeaderErr {
		c.setWire(false, false)
		e, err := proto.ParseErr(p)
		if err != nil {
			return s.fail(err)
		}
		return s.serverError(e)
	}
	ok, err := s.parseOK(p)
	if err != nil {
		return s.fail(err)
	}
	c.endStatement(res, ok)
	c.noteOK(ok)
	return nil
}

// endStatement records the OK or EOF that ends a statement's response.
func (c *Conn) endStatement(res *result, ok proto.OK) {
	s := c.sess
	s.status = ok.Status
	res.ok = ok
	res.eof = true
	res.more = ok.Status&proto.StatusMoreResultsExists != 0
	if !res.more && res.sent.interpolated() {
		res.sent = sentStatement{} // do not pin the arguments
	}
	c.setWire(false, res.more)
}

// streamBytes bounds one batch of an unbuffered result, whatever the row
// count asked for.
const streamBytes = 1 << 20

// readRows reads rows into res (replacing what it held) until the end of
// the result set, or, when limit > 0, until limit rows or (unbuffered)
// streamBytes bytes. An unbuffered result waits for one row when wait is
// set and then takes only the rows that have arrived (in the read buffer,
// or in the socket's, read without waiting), so a stream hands each row
// over as soon as it arrives.
func (c *Conn) readRows(res *result, limit int, wait bool) error {
	s := c.sess
	ncols := len(res.cols)
	res.rows, res.spans, res.nrows = res.rows[:0], res.spans[:0], 0
	for limit == 0 || res.nrows < limit && len(res.rows) < streamBytes {
		if res.unbuffered && limit > 0 && (res.nrows > 0 || !wait) && !s.pr.HasPacket() && !s.pr.TopUp() {
			return nil
		}
		p, ok, end, err := c.nextRow()
		if err != nil {
			res.eof = true
			return err
		}
		if end {
			// The end of rows carries status and warnings but no
			// affected-rows count of its own.
			c.endStatement(res, ok)
			c.warnings.Store(uint32(ok.Warnings))
			c.affected.Store(uint64(res.fetched))
			return nil
		}
		off := len(res.rows)
		if off+len(p) > min(c.cfg.MaxBufferedBytes, math.MaxInt32) {
			// The rest cannot be drained in bounded time: give up on the
			// connection.
			c.setWire(false, false)
			return s.fail(errorf("%w (%d bytes)", ErrResultTooLarge, c.cfg.MaxBufferedBytes))
		}
		res.rows = append(res.rows, p...)
		base := len(res.spans)
		res.spans = grow(res.spans, ncols)
		row := res.spans[base:]
		var perr error
		if res.binary {
			perr = proto.ParseBinaryRow(p, res.pcols, row)
		} else {
			perr = proto.ParseTextRow(p, row)
		}
		if perr != nil {
			c.setWire(false, false)
			return s.fail(perr)
		}
		for i := range row {
			row[i].Off += int32(off)
		}
		res.nrows++
		res.fetched++
	}
	return nil
}

// grow extends s by n zero elements, reusing capacity.
func grow[T any](s []T, n int) []T {
	if cap(s)-len(s) < n {
		ns := make([]T, len(s), 2*cap(s)+n)
		copy(ns, s)
		s = ns
	}
	return s[:len(s)+n]
}

// fetch reads the next batch of an unbuffered result into req.res.
func (c *Conn) fetch(req *request) error {
	res := req.res
	if res.eof {
		res.rows, res.spans, res.nrows = res.rows[:0], res.spans[:0], 0
		return nil
	}
	if res.gen != c.gen || !c.wireRows {
		return ErrResultDiscarded
	}
	if err := c.readRows(res, req.limit, true); err != nil {
		return res.sent.redact(err)
	}
	return nil
}

// nextSet moves req.res to the next result set of a multi-result response.
func (c *Conn) nextSet(req *request) error {
	res := req.res
	if res.gen != c.gen {
		if !res.eof || res.more {
			return ErrResultDiscarded
		}
		res.reset()
		res.eof, res.noSet = true, true
		return nil
	}
	if c.wireRows {
		if err := c.discardRows(); err != nil {
			return err
		}
	}
	if !c.wireMore {
		res.reset()
		res.eof, res.noSet = true, true
		return nil
	}
	res.reset()
	if err := c.readResult(res); err != nil {
		return res.sent.redact(err)
	}
	return nil
}

// discardRows reads and drops the rest of the current result set.
func (c *Conn) discardRows() error {
	for {
		_, ok, end, err := c.nextRow()
		if err != nil {
			return err
		}
		if end {
			c.sess.status = ok.Status
			c.wireRows = false
			c.wireMore = ok.Status&proto.StatusMoreResultsExists != 0
			return nil
		}
	}
}

// nextRow reads the next packet of a result set: a row (returned as p), or
// the end of the rows (end with its OK). A server error or a broken
// session ends the result on the wire.
func (c *Conn) nextRow() (p []byte, ok proto.OK, end bool, err error) {
	s := c.sess
	s.phase = phaseRows
	p, err = s.read()
	if err != nil {
		c.setWire(false, false)
		return nil, ok, false, err
	}
	switch {
	case p[0] == proto.HeaderErr:
		c.setWire(false, false)
		e, perr := proto.ParseErr(p)
		if perr != nil {
			return nil, ok, false, s.fail(perr)
		}
		return nil, ok, false, s.serverError(e)
	case proto.IsEOF(p):
		ok, err = s.parseEnd(p)
		if err != nil {
			return nil, ok, false, s.fail(err)
		}
		return nil, ok, true, nil
	}
	return p, ok, false, nil
}

// drainWire reads and drops everything an earlier statement left on the
// wire, so that the next command starts in sync.
func (c *Conn) drainWire() error {
	if p := c.batch; p != nil {
		if err := c.finishPipeline(p); err != nil {
			return err
		}
	}
	var scratch result
	for c.wireRows || c.wireMore {
		if c.wireRows {
			if err := c.discardRows(); err != nil {
				c.setWire(false, false)
				return c.drainErr(err)
			}
			continue
		}
		scratch.unbuffered = true
		c.wireMore = false
		if err := c.readResult(&scratch); err != nil {
			if c.sess.broken != nil {
				return err
			}
			// A server error in a later result set belongs to the
			// discarded result, not to the new command.
		}
	}
	c.gen = 0
	return nil
}

func (c *Conn) drainErr(err error) error {
	if c.sess.broken != nil {
		return err
	}
	return nil
}
