package actor

import (
	"context"
	"strconv"

	"github.com/amysql/amysql/proto"
)

// ExecuteMany runs query for each argument list and returns the sum of
// the affected rows. An INSERT or REPLACE with a single VALUES row (with
// or without a row alias and ON DUPLICATE KEY UPDATE) is rewritten into
// multi-row statements, each kept under the server's max_allowed_packet;
// any other statement runs once per argument list. An empty list sends
// nothing.
func (cur *Cursor) ExecuteMany(ctx context.Context, query string, argsList [][]any) (int64, error) {
	if cur.closed {
		return -1, ErrCursorClosed
	}
	if len(argsList) == 0 {
		return 0, nil
	}
	opts := cur.conn.literalOptionsPublished()
	bulk, ok := proto.ParseBulkInsert(query, opts.NoBackslashEscapes)
	if ok && !cur.Binary {
		if err := cur.conn.interpolationSafe(); err != nil {
			return -1, err
		}
	}
	if !ok || cur.Binary {
		return cur.executeEach(ctx, query, argsList)
	}
	limit, err := cur.conn.statementLimit(ctx)
	if err != nil {
		return -1, err
	}
	var total int64
	stmt := make([]byte, 0, min(limit, 1<<20))
	// The statement holds rows first to first+rows-1. The Echo log shows
	// query, and a server error is redacted from the batch's rows.
	first, rows := 0, 0
	batch := &bulkBatch{bulk: bulk, opts: opts}
	flush := func() error {
		if rows == 0 {
			return nil
		}
		stmt = append(stmt, bulk.Tail...)
		batch.stmt, batch.rows = stmt, argsList[first:first+rows]
		n, err := cur.execute(ctx, query, nil, batch)
		if err != nil {
			return err
		}
		total += n
		stmt, rows = stmt[:0], 0
		return nil
	}
	for i, args := range argsList {
		if len(args) != bulk.Params {
			return total, errorf("ExecuteMany row %d: %w", i, proto.ArgCountError(query, bulk.Params, len(args), opts.NoBackslashEscapes))
		}
		mark := len(stmt)
		if rows == 0 {
			first = i
			stmt = append(stmt, bulk.Prefix...)
		} else {
			stmt = append(stmt, ',')
		}
		stmt, err = proto.Interpolate(stmt, bulk.Row, args, opts)
		if err != nil {
			return total, errorf("ExecuteMany row %d: %w", i, err)
		}
		if rows > 0 && len(stmt)+len(bulk.Tail) > limit {
			// This row does not fit: send the rows before it, then
			// start the next statement with it.
			row := append([]byte(nil), stmt[mark+1:]...)
			stmt = stmt[:mark]
			if err := flush(); err != nil {
				return total, errorf("ExecuteMany before row %d: %w", i, err)
			}
			first = i
			stmt = append(append(stmt, bulk.Prefix...), row...)
		}
		rows++
	}
	if err := flush(); err != nil {
		return total, errorf("ExecuteMany: %w", err)
	}
	return total, nil
}

// executeEach runs query once for each argument list: on MariaDB as
// COM_STMT_BULK_EXECUTE (every row in one command, where the statement
// returns no rows and each column's arguments have one type), else as
// pipelined batches of statements, else one statement per round trip.
func (cur *Cursor) executeEach(ctx context.Context, query string, argsList [][]any) (int64, error) {
	c := cur.conn
	if c.sess.bulkOps && c.cfg.Pipeline != PipelineOff && len(argsList) > 1 {
		if n, err, ran := c.executeBulk(ctx, query, argsList); ran {
			return n, err
		}
	}
	if c.pipelines() && len(argsList) > 1 && c.interpolationSafe() == nil {
		return c.executePipelined(ctx, query, argsList)
	}
	var total int64
	for i, args := range argsList {
		n, err := cur.Execute(ctx, query, args...)
		if err != nil {
			return total, errorf("ExecuteMany row %d: %w", i, err)
		}
		if n > 0 {
			total += n
		}
	}
	return total, nil
}

// statementLimit is the largest statement ExecuteMany builds: the smaller
// of the client's and the server's max_allowed_packet, less a margin. The
// server's value is read once per connection.
func (c *Conn) statementLimit(ctx context.Context) (int, error) {
	server := c.maxPkt.Load()
	if server == 0 {
		cur := c.Cursor()
		if _, err := cur.Execute(ctx, "SELECT @@max_allowed_packet"); err != nil {
			return 0, err
		}
		var v string
		if !cur.Next(ctx) {
			if err := cur.Err(); err != nil {
				return 0, errorf("reading max_allowed_packet: %w", err)
			}
			return 0, errorf("reading max_allowed_packet: no row")
		}
		if err := cur.Scan(&v); err != nil {
			return 0, err
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return 0, errorf("bad max_allowed_packet %q", v)
		}
		server = n
		c.maxPkt.Store(n)
	}
	limit := int(min(server, int64(c.cfg.MaxAllowedPacket)))
	return max(limit-1024, 1024), nil
}

// executeBulk runs query for every argument list with COM_STMT_BULK_EXECUTE
// (MariaDB), in packets below the servers' max_allowed_packet: one round
// trip each. ran is false, with nothing of the rows sent, when the
// statement does not suit (it returns rows, or the rows' argument types
// differ, or one cannot be sent in binary form): run the rows another way.
func (c *Conn) executeBulk(ctx context.Context, query string, argsList [][]any) (total int64, err error, ran bool) {
	limit, err := c.statementLimit(ctx)
	if err != nil {
		return 0, err, true
	}
	limit = min(limit, proto.MaxPayloadLen-1)
	err = c.do(ctx, "execute many", func(s *session) error {
		st, err := c.cachedStmt(query)
		if err != nil {
			ran = true
			return err
		}
		if len(st.cols) > 0 || st.nparams == 0 {
			return nil // a statement with rows, or without arguments
		}
		types := proto.NewBulkTypes(st.nparams)
		var packets [][]byte
		var rows []int // the last row of each packet
		var body []byte
		opts := c.literalOptions()
		for i, args := range argsList {
			if len(args) != st.nparams {
				ran = true
				return errorf("ExecuteMany row %d: %w: %d placeholders, %d arguments", i, proto.ErrArgCount, st.nparams, len(args))
			}
			mark := len(body)
			if body, err = proto.AppendStmtBulkRow(body, args, types, opts); err != nil {
				return nil // not for bulk: nothing was sent
			}
			if len(body)+7+len(types) > limit && mark > 0 {
				packets, rows = append(packets, body[:mark]), append(rows, i-1)
				body = append([]byte(nil), body[mark:]...)
			}
		}
		packets, rows = append(packets, body), append(rows, len(argsList)-1)
		ran = true
		first := 0
		for k, rowsOf := range packets {
			b := proto.AppendStmtBulkHeader(s.startPacket(), st.id, types)
			b = append(b, rowsOf...)
			if err := s.write(b); err != nil {
				return errorf("ExecuteMany rows %d to %d: %w", first, rows[k], err)
			}
			ok, err := s.readOK()
			if err != nil {
				return errorf("ExecuteMany rows %d to %d: %w", first, rows[k], err)
			}
			c.noteOK(ok)
			total += int64(ok.AffectedRows)
			first = rows[k] + 1
		}
		return nil
	})
	return total, err, ran
}

// executeManyChunk bounds the statements of one pipelined ExecuteMany
// batch: a failed statement lets at most the rest of its chunk run.
const executeManyChunk = 256

// executePipelined runs query for every argument list in pipelined
// batches of executeManyChunk statements, one round trip each, and stops
// after the chunk where a statement failed.
func (c *Conn) executePipelined(ctx context.Context, query string, argsList [][]any) (int64, error) {
	var total int64
	for start := 0; start < len(argsList); start += executeManyChunk {
		end := min(start+executeManyChunk, len(argsList))
		b := &Batch{}
		for _, args := range argsList[start:end] {
			b.Queue(query, args...)
		}
		br := c.SendBatch(ctx, b)
		var failed error
		for i := start; i < end; i++ {
			n, err := br.Exec()
			if err != nil && failed == nil {
				failed = errorf("ExecuteMany row %d: %w", i, err)
			}
			if err == nil && n > 0 {
				total += n
			}
		}
		if err := br.Close(); err != nil && failed == nil {
			failed = errorf("ExecuteMany: %w", err)
		}
		if failed != nil {
			return total, failed
		}
	}
	return total, nil
}
