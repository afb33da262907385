package actor

import (
	"context"
	"strconv"

	"github.com/amysql/amysql/proto"
)

// CursorKind selects how a cursor buffers its results and the row shape it
// is meant for.
type CursorKind uint8

// Cursor kinds, as aiomysql's cursor classes. Buffered cursors read the
// whole result during Execute; SS (server-side, unbuffered) cursors stream
// rows from the socket as they are fetched. Rows of dict kinds are maps
// from column name to value, read with FetchOneDict, FetchManyDict and
// FetchAllDict (aiomysql's fetchone, fetchmany and fetchall of a
// DictCursor); their tuple methods FetchOne, FetchMany and FetchAll fail
// with ErrDictRows rather than hand over []any rows. Next and Scan work on
// every kind, and the Dict methods on tuple cursors too.
const (
	TupleCursor CursorKind = iota
	DictCursor
	SSCursor
	SSDictCursor
)

// Unbuffered reports whether rows are streamed from the socket.
func (k CursorKind) Unbuffered() bool { return k == SSCursor || k == SSDictCursor }

// Dict reports whether the kind is meant for map rows.
func (k CursorKind) Dict() bool { return k == DictCursor || k == SSDictCursor }

func (k CursorKind) String() string {
	switch k {
	case TupleCursor:
		return "TupleCursor"
	case DictCursor:
		return "DictCursor"
	case SSCursor:
		return "SSCursor"
	case SSDictCursor:
		return "SSDictCursor"
	}
	return "CursorKind(" + strconv.Itoa(int(k)) + ")"
}

// ScrollMode says how Scroll interprets its offset.
type ScrollMode uint8

// Scroll modes.
const (
	Relative ScrollMode = iota
	Absolute
)

// streamBatch is how many rows an unbuffered cursor asks for at a time
// when the caller does not say.
const streamBatch = 256

// Cursor runs statements on a connection and walks their results. A
// cursor is used by one goroutine at a time; several cursors may share a
// connection, in which case a new statement on one of them discards what
// another left unread on the wire (it then reports ErrResultDiscarded).
type Cursor struct {
	conn *Conn
	kind CursorKind
	req  *request
	res  *result

	// ArraySize is the default number of rows FetchMany returns (default 1).
	ArraySize int
	// Binary makes Execute with arguments run as a server-side prepared
	// statement (binary protocol), cached per connection so repeated
	// statements skip PREPARE. Without arguments Execute stays on the text
	// protocol. Values decode to the same Go types either way.
	Binary bool

	executed  bool
	closed    bool
	err       error // sticky error of the current result
	pos       int   // next row in res
	rownumber int   // rows consumed in the current result set
	rowCount  int64
	lastRowID uint64
	scanRow   int // row Scan reads, -1 before Next

	dictKeys []string
	dictFor  *Column
	scratch  []byte   // driver values rendered for the current row
	boxes    [][]byte // the []byte driver values of the current row
	// sets are the further result sets of a batch statement's answer,
	// read already (see BatchResults.Query).
	sets []*result

	// The first request and result live in the cursor itself, so a
	// cursor made for one query costs one allocation. After an abandon
	// they belong to the connection and are not used again.
	ownReq   request
	ownRes   result
	ownSpent bool
}

// Cursor returns a new cursor on the connection, of the given kind or of
// Config.CursorClass.
func (c *Conn) Cursor(kind ...CursorKind) *Cursor {
	k := c.cfg.CursorClass
	if len(kind) > 0 {
		k = kind[0]
	}
	return &Cursor{conn: c, kind: k, ArraySize: 1, rowCount: -1, scanRow: -1}
}

// Kind returns the cursor's kind.
func (cur *Cursor) Kind() CursorKind { return cur.kind }

// Connection returns the cursor's connection.
func (cur *Cursor) Connection() *Conn { return cur.conn }

func (cur *Cursor) request() *request {
	if cur.req == nil {
		if !cur.ownSpent {
			cur.ownSpent = true
			cur.req, cur.res = &cur.ownReq, &cur.ownRes
		} else {
			cur.req, cur.res = newRequest(), &result{}
		}
		cur.res.rows, cur.res.spans = cur.conn.spareBuffers()
		if cur.res.rows == nil {
			cur.res.rows = cur.res.rowBuf[:0]
		}
		if cur.res.spans == nil {
			cur.res.spans = cur.res.spanBuf[:0]
		}
	}
	cur.req.res = cur.res
	cur.res.unbuffered = cur.kind.Unbuffered()
	return cur.req
}

// abandon forgets a request the actor still owns after the caller stopped
// waiting; the next call starts with fresh buffers.
func (cur *Cursor) abandon() {
	cur.req, cur.res = nil, nil
	cur.clearResult()
}

func (cur *Cursor) clearResult() {
	cur.pos, cur.rownumber, cur.scanRow = 0, 0, -1
	cur.rowCount, cur.err = -1, nil
}

// Execute runs query, with each ? replaced by the matching argument
// rendered as an SQL literal (a slice becomes a parenthesised list, for
// IN ?). Without args the query is sent as is. It returns the row count:
// the number of rows of a buffered result, the affected rows of a
// statement without rows, or -1 for an unbuffered result.
func (cur *Cursor) Execute(ctx context.Context, query string, args ...any) (int64, error) {
	return cur.execute(ctx, query, args, nil)
}

// execute is Execute; with bulk set it sends the batch ExecuteMany built
// for query instead.
func (cur *Cursor) execute(ctx context.Context, query string, args []any, bulk *bulkBatch) (int64, error) {
	if cur.closed {
		return -1, ErrCursorClosed
	}
	req := cur.request()
	req.kind, req.sql, req.args, req.bulk = reqQuery, query, args, bulk
	if cur.Binary && len(args) > 0 {
		req.kind = reqCached
	}
	cur.executed = true
	cur.clearResult()
	err, abandoned := cur.conn.roundTrip(ctx, req)
	if abandoned {
		cur.abandon()
		return -1, err
	}
	req.args, req.sql, req.fn, req.bulk = nil, "", nil, nil
	if err != nil {
		cur.err = wrapOp("query", err)
		return -1, cur.err
	}
	cur.settle()
	return cur.rowCount, nil
}

// settle updates the cursor's counters after a new result set arrived.
func (cur *Cursor) settle() {
	res := cur.res
	cur.pos, cur.rownumber, cur.scanRow = 0, 0, -1
	switch {
	case !res.hasRows:
		cur.rowCount = int64(res.ok.AffectedRows)
		cur.lastRowID = res.ok.LastInsertID
	case res.unbuffered:
		cur.rowCount = -1
	default:
		cur.rowCount = int64(res.nrows)
	}
}

// CallProc calls a stored procedure. Each argument is stored in a session
// variable @_name_n (one SET round trip), and the procedure is called with
// those variables so OUT and INOUT values can be read afterwards with
// SELECT @_name_n. The procedure's result sets are walked with NextSet.
func (cur *Cursor) CallProc(ctx context.Context, name string, args ...any) (int64, error) {
	if cur.closed {
		return -1, ErrCursorClosed
	}
	quoted, err := quoteQualified(name)
	if err != nil {
		return -1, err
	}
	base := procVarBase(name)
	if len(args) > 0 {
		set := []byte("SET ")
		for i := range args {
			if i > 0 {
				set = append(set, ',')
			}
			set = append(appendProcVar(set, base, i), "=?"...)
		}
		if _, err := cur.Execute(ctx, string(set), args...); err != nil {
			return -1, err
		}
	}
	call := append([]byte("CALL "), quoted...)
	call = append(call, '(')
	for i := range args {
		if i > 0 {
			call = append(call, ',')
		}
		call = appendProcVar(call, base, i)
	}
	call = append(call, ')')
	return cur.Execute(ctx, string(call))
}

// appendProcVar appends the session variable of argument i, @_base_i.
func appendProcVar(dst []byte, base string, i int) []byte {
	dst = append(append(append(dst, "@_"...), base...), '_')
	return strconv.AppendInt(dst, int64(i), 10)
}

// procVarBase is the procedure name as used in aiomysql's @_name_n
// variables: its last component, with characters outside [A-Za-z0-9_$]
// replaced so the variable needs no quoting.
func procVarBase(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			name = name[i+1:]
			break
		}
	}
	b := []byte(name)
	for i, c := range b {
		if !(c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b[i] = '_'
		}
	}
	return string(b)
}

// quoteQualified quotes "proc" or "db.proc" as identifiers.
func quoteQualified(name string) (string, error) {
	var out []byte
	var err error
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			if start > 0 {
				out = append(out, '.')
			}
			out, err = proto.AppendQuotedIdentifier(out, name[start:i])
			if err != nil {
				return "", errorf("procedure name %q: %w", name, err)
			}
			start = i + 1
		}
	}
	return string(out), nil
}

// Mogrify returns the statement Execute would send for query and args.
func (cur *Cursor) Mogrify(query string, args ...any) (string, error) {
	if len(args) == 0 {
		return query, nil
	}
	if err := cur.conn.interpolationSafe(); err != nil {
		return "", err
	}
	b, err := proto.Interpolate(nil, query, args, cur.conn.literalOptionsPublished())
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Description describes the columns of the current result set; nil when
// the last statement returned no rows. Results with the same columns share
// the slice: read it, do not modify it.
func (cur *Cursor) Description() []Column {
	if cur.res == nil || !cur.res.hasRows {
		return nil
	}
	return cur.res.cols
}

// RowCount returns the rows of a buffered result, the affected rows of a
// statement without rows, and -1 when unknown (unbuffered results, or
// nothing executed).
func (cur *Cursor) RowCount() int64 { return cur.rowCount }

// RowNumber returns the index of the next row in the current result set.
func (cur *Cursor) RowNumber() int { return cur.rownumber }

// LastRowID returns the AUTO_INCREMENT id generated by the last statement
// without a result set.
func (cur *Cursor) LastRowID() uint64 { return cur.lastRowID }

// WarningCount returns the warnings of the last statement.
func (cur *Cursor) WarningCount() int {
	if cur.res == nil {
		return 0
	}
	return int(cur.res.ok.Warnings)
}

// Closed reports whether Close was called.
func (cur *Cursor) Closed() bool { return cur.closed }

// Close discards whatever the cursor's result left unread on the wire and
// closes the cursor. It is idempotent.
func (cur *Cursor) Close(ctx context.Context) error {
	if cur.closed {
		return nil
	}
	cur.closed = true
	res := cur.res
	if res == nil || (res.eof && !res.more) {
		cur.recycle()
		return nil
	}
	gen := res.gen
	c := cur.conn
	err := c.do(ctx, "close cursor", func(s *session) error {
		if c.gen == gen {
			return c.drainWire()
		}
		return nil
	})
	if err == nil {
		cur.recycle()
	}
	if IsBadConn(err) && c.Closed() {
		return nil // nothing left to drain on a closed connection
	}
	return err
}

// NextSet moves to the next result set of a multi-statement or CALL and
// reports whether there was one. Unread rows of the current set are
// discarded.
func (cur *Cursor) NextSet(ctx context.Context) (bool, error) {
	if cur.closed {
		return false, ErrCursorClosed
	}
	res := cur.res
	if res == nil || !cur.executed {
		return false, ErrNoResult
	}
	if cur.sets != nil {
		if len(cur.sets) == 0 {
			return false, nil
		}
		cur.res, cur.sets = cur.sets[0], cur.sets[1:]
		cur.settle()
		return true, nil
	}
	if res.eof && !res.more {
		return false, nil
	}
	req := cur.request()
	req.kind = reqNextSet
	err, abandoned := cur.conn.roundTrip(ctx, req)
	if abandoned {
		cur.abandon()
		return false, err
	}
	if err != nil {
		cur.err = wrapOp("next result set", err)
		return false, cur.err
	}
	if res.noSet {
		cur.settle()
		return false, nil
	}
	cur.settle()
	return true, nil
}

// HasNextSet reports whether another result set may follow the current
// one: false once the current set was read to its end and the server said
// no more follow, true while that is not known yet.
func (cur *Cursor) HasNextSet() bool {
	if cur.sets != nil {
		return len(cur.sets) > 0
	}
	res := cur.res
	return res != nil && (!res.eof || res.more)
}

// Discard drops whatever the cursor's current result left unread on the
// wire, keeping the cursor open for the next Execute.
func (cur *Cursor) Discard(ctx context.Context) error {
	res := cur.res
	cur.clearResult()
	if res == nil || (res.eof && !res.more) {
		return nil
	}
	gen := res.gen
	c := cur.conn
	res.eof, res.more = true, false
	err := c.do(ctx, "discard", func(s *session) error {
		if c.gen == gen {
			return c.drainWire()
		}
		return nil
	})
	if IsBadConn(err) && c.Closed() {
		return nil
	}
	return err
}

// recycle hands a closed cursor's grown row buffers to its connection, for
// the next cursor made there: a cursor per query then stops allocating
// once the buffers fit the results.
func (cur *Cursor) recycle() {
	res := cur.res
	if res == nil {
		return
	}
	var rows []byte
	var spans []proto.Span
	if cap(res.rows) > len(res.rowBuf) {
		rows = res.rows[:0]
	}
	if cap(res.spans) > len(res.spanBuf) {
		spans = res.spans[:0]
	}
	res.rows, res.spans = nil, nil
	cur.conn.putSpareBuffers(rows, spans)
}
