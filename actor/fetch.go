package actor

import (
	"context"
)

// ready makes sure a row is available at cur.pos, fetching the next batch
// of an unbuffered result when needed (batch rows, 0 = all). It reports
// false at the end of the result set.
func (cur *Cursor) ready(ctx context.Context, batch int) (bool, error) {
	if cur.closed {
		return false, ErrCursorClosed
	}
	if cur.err != nil {
		return false, cur.err
	}
	res := cur.res
	if res == nil || !cur.executed {
		return false, ErrNoResult
	}
	if !res.hasRows {
		return false, ErrNoResult
	}
	if cur.pos < res.nrows {
		return true, nil
	}
	if !res.unbuffered || res.eof {
		return false, nil
	}
	req := cur.request()
	req.kind, req.limit = reqFetch, batch
	err, abandoned := cur.conn.roundTrip(ctx, req)
	if abandoned {
		cur.abandon()
		cur.err = errorf("fetch abandoned: %w", err)
		return false, err
	}
	cur.pos = 0
	if err != nil {
		cur.err = wrapOp("fetch", err)
		return false, cur.err
	}
	return res.nrows > 0, nil
}

// rowAt decodes row i of the current batch into a new slice.
func (cur *Cursor) rowAt(i int) ([]any, error) {
	res := cur.res
	data, spans := res.row(i)
	out := make([]any, len(spans))
	cfg := &cur.conn.cfg
	for j, sp := range spans {
		if sp.Null() {
			continue
		}
		var v any
		var err error
		if res.binary {
			v, err = decodeBinary(cfg, &res.cols[j], &res.pcols[j], sp.Bytes(data))
		} else {
			v, err = decodeText(cfg, &res.cols[j], sp.Bytes(data))
		}
		if err != nil {
			return nil, errorf("column %q: %w", res.cols[j].Name, err)
		}
		out[j] = v
	}
	return out, nil
}

// take returns the row at cur.pos and advances.
func (cur *Cursor) take() ([]any, error) {
	row, err := cur.rowAt(cur.pos)
	if err != nil {
		return nil, err
	}
	cur.pos++
	cur.rownumber++
	return row, nil
}

// tuples refuses the tuple-row methods on a dict cursor, whose rows are
// maps: a DictCursor user calling FetchOne would otherwise get []any rows
// where aiomysql gives dicts.
func (cur *Cursor) tuples() error {
	if cur.kind.Dict() && !cur.closed {
		return errorf("%w (%v)", ErrDictRows, cur.kind)
	}
	return nil
}

// FetchOne returns the next row, or nil when there are no more rows. On a
// dict cursor it fails with ErrDictRows: use FetchOneDict.
func (cur *Cursor) FetchOne(ctx context.Context) ([]any, error) {
	if err := cur.tuples(); err != nil {
		return nil, err
	}
	return cur.fetchOne(ctx)
}

func (cur *Cursor) fetchOne(ctx context.Context) ([]any, error) {
	ok, err := cur.ready(ctx, streamBatch)
	if !ok || err != nil {
		return nil, err
	}
	return cur.take()
}

// FetchMany returns up to n rows (ArraySize when n <= 0); fewer, or none,
// at the end of the result set. On a dict cursor it fails with
// ErrDictRows: use FetchManyDict.
func (cur *Cursor) FetchMany(ctx context.Context, n int) ([][]any, error) {
	if err := cur.tuples(); err != nil {
		return nil, err
	}
	return cur.fetchMany(ctx, n)
}

func (cur *Cursor) fetchMany(ctx context.Context, n int) ([][]any, error) {
	if n <= 0 {
		n = cur.ArraySize
		if n <= 0 {
			n = 1
		}
	}
	var rows [][]any
	for len(rows) < n {
		ok, err := cur.ready(ctx, max(n-len(rows), streamBatch))
		if err != nil {
			return rows, err
		}
		if !ok {
			break
		}
		row, err := cur.take()
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// FetchAll returns every remaining row of the result set. On a dict
// cursor it fails with ErrDictRows: use FetchAllDict.
func (cur *Cursor) FetchAll(ctx context.Context) ([][]any, error) {
	if err := cur.tuples(); err != nil {
		return nil, err
	}
	return cur.fetchAll(ctx)
}

func (cur *Cursor) fetchAll(ctx context.Context) ([][]any, error) {
	var rows [][]any
	if cur.res != nil && cur.res.hasRows && !cur.res.unbuffered {
		rows = make([][]any, 0, cur.res.nrows-cur.pos)
	}
	for {
		ok, err := cur.ready(ctx, 0)
		if err != nil {
			return rows, err
		}
		if !ok {
			return rows, nil
		}
		row, err := cur.take()
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}

// keys returns the map keys of the current columns: the column name, or
// table.column for a name that occurs more than once.
func (cur *Cursor) keys() []string {
	cols := cur.res.cols
	if len(cols) > 0 && cur.dictFor == &cols[0] && len(cur.dictKeys) == len(cols) {
		return cur.dictKeys
	}
	seen := make(map[string]int, len(cols))
	for _, c := range cols {
		seen[c.Name]++
	}
	keys := make([]string, len(cols))
	for i, c := range cols {
		keys[i] = c.Name
		if seen[c.Name] > 1 && c.Table != "" {
			keys[i] = c.Table + "." + c.Name
		}
	}
	cur.dictKeys = keys
	if len(cols) > 0 {
		cur.dictFor = &cols[0]
	}
	return keys
}

func (cur *Cursor) toDict(row []any) map[string]any {
	keys := cur.keys()
	m := make(map[string]any, len(keys))
	for i, k := range keys {
		m[k] = row[i]
	}
	return m
}

// FetchOneDict is FetchOne with the row as a map from column name to value;
// duplicate column names become table.column.
func (cur *Cursor) FetchOneDict(ctx context.Context) (map[string]any, error) {
	row, err := cur.fetchOne(ctx)
	if row == nil || err != nil {
		return nil, err
	}
	return cur.toDict(row), nil
}

// FetchManyDict is FetchMany with map rows.
func (cur *Cursor) FetchManyDict(ctx context.Context, n int) ([]map[string]any, error) {
	rows, err := cur.fetchMany(ctx, n)
	return cur.toDicts(rows), err
}

// FetchAllDict is FetchAll with map rows.
func (cur *Cursor) FetchAllDict(ctx context.Context) ([]map[string]any, error) {
	rows, err := cur.fetchAll(ctx)
	return cur.toDicts(rows), err
}

func (cur *Cursor) toDicts(rows [][]any) []map[string]any {
	if rows == nil {
		return nil
	}
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		out[i] = cur.toDict(r)
	}
	return out
}

// Scroll moves the position in the result set by n rows (Relative) or to
// row n (Absolute). Unbuffered cursors only move forward, reading and
// dropping rows.
func (cur *Cursor) Scroll(ctx context.Context, n int, mode ScrollMode) error {
	if cur.closed {
		return ErrCursorClosed
	}
	if cur.res == nil || !cur.res.hasRows {
		return ErrNoResult
	}
	target := n
	switch mode {
	case Relative:
		target = cur.rownumber + n
	case Absolute:
	default:
		return errorf("unknown scroll mode %d", mode)
	}
	if !cur.res.unbuffered {
		if target < 0 || target >= cur.res.nrows {
			return errorf("%w: row %d of %d", ErrScroll, target, cur.res.nrows)
		}
		cur.pos, cur.rownumber = target, target
		return nil
	}
	if target < cur.rownumber {
		return errorf("%w: unbuffered cursors cannot scroll backwards", ErrScroll)
	}
	for cur.rownumber < target {
		ok, err := cur.ready(ctx, max(target-cur.rownumber, streamBatch))
		if err != nil {
			return err
		}
		if !ok {
			return errorf("%w: result ended at row %d", ErrScroll, cur.rownumber)
		}
		skip := min(cur.res.nrows-cur.pos, target-cur.rownumber)
		cur.pos += skip
		cur.rownumber += skip
	}
	return nil
}
