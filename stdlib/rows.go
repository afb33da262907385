package stdlib

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"io"
	"math"
	"reflect"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
)

// rows streams a result set to database/sql. A closed rows object goes
// back to its connection with its cursor, for the next query.
type rows struct {
	conn  *Conn
	ctx   context.Context // the query's: ending it stops the stream
	cur   *actor.Cursor
	cols  []actor.Column
	names []string // handed to database/sql: replaced, never modified
}

var (
	_ driver.RowsNextResultSet              = (*rows)(nil)
	_ driver.RowsColumnTypeScanType         = (*rows)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*rows)(nil)
	_ driver.RowsColumnTypeNullable         = (*rows)(nil)
	_ driver.RowsColumnTypeLength           = (*rows)(nil)
	_ driver.RowsColumnTypePrecisionScale   = (*rows)(nil)
)

// start hands the rows of the statement just run to database/sql.
func (r *rows) start(ctx context.Context) {
	r.ctx = ctx
	r.setColumns()
}

func (r *rows) setColumns() {
	r.cols = r.cur.Description()
	alias := r.conn.opts.ColumnsWithAlias
	if sameNames(r.names, r.cols, alias) {
		return // the last result's names, which nobody may modify
	}
	names := make([]string, len(r.cols))
	for i, c := range r.cols {
		names[i] = c.Name
		if alias && c.Table != "" {
			names[i] = c.Table + "." + c.Name
		}
	}
	r.names = names
}

// sameNames reports whether names are the column names of cols.
func sameNames(names []string, cols []actor.Column, alias bool) bool {
	if len(names) != len(cols) || names == nil {
		return false
	}
	for i := range cols {
		c, n := &cols[i], names[i]
		if !alias || c.Table == "" {
			if n != c.Name {
				return false
			}
			continue
		}
		t := len(c.Table)
		if len(n) != t+1+len(c.Name) || n[:t] != c.Table || n[t] != '.' || n[t+1:] != c.Name {
			return false
		}
	}
	return true
}

func (r *rows) Columns() []string { return r.names }

// Close discards the rest of the result and gives the cursor back to the
// connection for the next query.
func (r *rows) Close() error {
	err := r.cur.Discard(context.Background())
	r.ctx = nil
	if r.conn.spare == nil && err == nil {
		r.conn.spare = r
	}
	return err
}

func (r *rows) Next(dest []driver.Value) error {
	if len(r.cols) == 0 || !r.cur.Next(r.ctx) {
		if err := r.cur.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	return r.cur.DriverValuesFormat(dest, r.conn.format)
}

// HasNextResultSet reports whether a result set may follow; false at the
// end of the last one, so database/sql closes rows read to their end.
func (r *rows) HasNextResultSet() bool { return r.cur.HasNextSet() }

// NextResultSet moves to the next result set that has rows.
func (r *rows) NextResultSet() error {
	for {
		more, err := r.cur.NextSet(r.ctx)
		if err != nil {
			return err
		}
		if !more {
			return io.EOF
		}
		if r.cur.Description() != nil {
			r.setColumns()
			return nil
		}
	}
}

var (
	scanInt64    = reflect.TypeOf(int64(0))
	scanUint64   = reflect.TypeOf(uint64(0))
	scanFloat64  = reflect.TypeOf(float64(0))
	scanNullInt  = reflect.TypeOf(sql.NullInt64{})
	scanNullF    = reflect.TypeOf(sql.NullFloat64{})
	scanNullStr  = reflect.TypeOf(sql.NullString{})
	scanNullTime = reflect.TypeOf(sql.NullTime{})
	scanTime     = reflect.TypeOf(time.Time{})
	scanDuration = reflect.TypeOf(time.Duration(0))
	scanString   = reflect.TypeOf("")
	scanBytes    = reflect.TypeOf([]byte(nil))
	scanJSON     = reflect.TypeOf(json.RawMessage(nil))
	scanAny      = reflect.TypeOf((*any)(nil)).Elem()
)

// ColumnTypeScanType is the Go type values of column i scan into naturally.
func (r *rows) ColumnTypeScanType(i int) reflect.Type {
	c := &r.cols[i]
	null := c.NullOK
	switch c.Type {
	case proto.TypeTiny, proto.TypeShort, proto.TypeInt24, proto.TypeLong, proto.TypeLongLong, proto.TypeYear:
		switch {
		case null:
			return scanNullInt
		case c.Unsigned() && c.Type == proto.TypeLongLong:
			return scanUint64
		}
		return scanInt64
	case proto.TypeFloat, proto.TypeDouble:
		if null {
			return scanNullF
		}
		return scanFloat64
	case proto.TypeDate, proto.TypeNewDate, proto.TypeDateTime, proto.TypeTimestamp, proto.TypeDateTime2, proto.TypeTimestamp2:
		switch {
		case r.conn.format.TemporalAsText && null:
			return scanNullStr
		case r.conn.format.TemporalAsText:
			return scanString
		case null:
			return scanNullTime
		}
		return scanTime
	case proto.TypeTime, proto.TypeTime2:
		switch {
		case r.conn.format.TimeAsDuration && null:
			return scanNullInt
		case r.conn.format.TimeAsDuration:
			return scanDuration
		case null:
			return scanNullStr
		}
		return scanString
	case proto.TypeNull:
		return scanAny
	case proto.TypeBit, proto.TypeGeometry:
		return scanBytes
	case proto.TypeJSON:
		return scanJSON
	}
	if c.IsJSON() {
		return scanJSON
	}
	if c.Binary() && c.Type != proto.TypeNewDecimal && c.Type != proto.TypeDecimal {
		return scanBytes
	}
	if null {
		return scanNullStr
	}
	return scanString
}

// ColumnTypeDatabaseTypeName is the SQL type name, e.g. "BIGINT".
func (r *rows) ColumnTypeDatabaseTypeName(i int) string {
	c := &r.cols[i]
	name := c.TypeName()
	if c.Unsigned() {
		return "UNSIGNED " + name
	}
	return name
}

// ColumnTypeNullable reports whether column i may hold NULL.
func (r *rows) ColumnTypeNullable(i int) (nullable, ok bool) { return r.cols[i].NullOK, true }

// ColumnTypeLength is the length of variable-length columns, in
// characters for text and bytes for binary columns.
func (r *rows) ColumnTypeLength(i int) (int64, bool) {
	c := &r.cols[i]
	switch c.Type {
	case proto.TypeVarChar, proto.TypeVarString, proto.TypeString, proto.TypeTinyBlob, proto.TypeMediumBlob,
		proto.TypeLongBlob, proto.TypeBlob, proto.TypeJSON, proto.TypeBit, proto.TypeGeometry:
		n := int64(c.InternalSize)
		if !c.Binary() {
			if mb := maxBytesPerChar(c.Charset); mb > 1 {
				n /= mb
			}
		}
		return n, true
	}
	return 0, false
}

func maxBytesPerChar(coll uint16) int64 {
	cs, ok := proto.CollationByID(coll)
	if !ok {
		return 1
	}
	switch cs.Charset {
	case "utf8mb4", "utf16", "utf32", "utf16le":
		return 4
	case "utf8mb3", "ujis", "eucjpms", "gb18030":
		return 3
	case "big5", "gbk", "sjis", "cp932", "euckr", "gb2312", "ucs2":
		return 2
	}
	return 1
}

// ColumnTypePrecisionScale is the precision and scale of DECIMAL columns.
func (r *rows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	c := &r.cols[i]
	switch c.Type {
	case proto.TypeDecimal, proto.TypeNewDecimal:
		return int64(c.Precision), int64(c.Scale), true
	case proto.TypeFloat, proto.TypeDouble:
		if c.Scale > 0 && c.Scale < 31 {
			return int64(c.Precision), int64(c.Scale), true
		}
		return math.MaxInt64, math.MaxInt64, true
	}
	return 0, 0, false
}
