package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"github.com/amysql/amysql/pool"
)

// prepareMode is the -prepare flag: off, on (create the tables that are
// missing, reuse those that fit, replace only poolbench's own), or force
// (also drop and refill tables poolbench did not create). A bare -prepare
// means on.
type prepareMode string

const (
	prepareOff   prepareMode = ""
	prepareOn    prepareMode = "true"
	prepareForce prepareMode = "force"
)

func (m *prepareMode) String() string {
	if m == nil || *m == prepareOff {
		return "false"
	}
	return string(*m)
}

func (m *prepareMode) Set(s string) error {
	switch s {
	case "true", "1":
		*m = prepareOn
	case "false", "0":
		*m = prepareOff
	case "force":
		*m = prepareForce
	default:
		return fmt.Errorf("want -prepare, -prepare=force or -prepare=false, not %q", s)
	}
	return nil
}

func (m *prepareMode) IsBoolFlag() bool { return true }

// madeByPoolbench is the table comment that marks a table poolbench
// created, the only kind it drops without -prepare=force.
const madeByPoolbench = "created by poolbench -prepare"

// sbtestColumns is the sysbench layout, as information_schema shows it.
const sbtestColumns = "id int,k int,c char(120),pad char(60)"

// tableState is what is already in the database under a table's name.
type tableState struct {
	exists, ours bool
	columns      string // "name type(len),…"
	rows         int64
	minID, maxID int64
}

// fits reports whether the table can serve as size rows of sbtest data:
// the sysbench columns and ids 1..size.
func (s tableState) fits(size int) bool {
	return s.columns == sbtestColumns && s.rows == int64(size) && s.minID == 1 && s.maxID == int64(size)
}

func inspectTable(ctx context.Context, p *pool.Pool, name string) (tableState, error) {
	var st tableState
	var comment string
	err := p.QueryRowScan(ctx, "SELECT IFNULL(TABLE_COMMENT, '') FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
		[]any{name}, &comment)
	if errors.Is(err, pool.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("looking for %s: %w", name, err)
	}
	st.exists, st.ours = true, comment == madeByPoolbench
	if err := p.QueryRowScan(ctx, `SELECT IFNULL(GROUP_CONCAT(CONCAT(COLUMN_NAME, ' ', DATA_TYPE,
  IFNULL(CONCAT('(', CHARACTER_MAXIMUM_LENGTH, ')'), '')) ORDER BY ORDINAL_POSITION), '')
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`, []any{name}, &st.columns); err != nil {
		return st, fmt.Errorf("reading the columns of %s: %w", name, err)
	}
	if st.columns != sbtestColumns {
		return st, nil
	}
	if err := p.QueryRowScan(ctx, "SELECT COUNT(*), IFNULL(MIN(id), 0), IFNULL(MAX(id), 0) FROM "+name, nil,
		&st.rows, &st.minID, &st.maxID); err != nil {
		return st, fmt.Errorf("counting the rows of %s: %w", name, err)
	}
	return st, nil
}

// prepareTables makes sbtest1..tables, the tables every workload reads,
// hold size rows each in the DSN's database. A table that already fits is
// kept; one poolbench made earlier with other contents is replaced; any
// other table of that name is an error, unless force.
func prepareTables(ctx context.Context, p *pool.Pool, tables, size int, mode prepareMode, out io.Writer) error {
	var db string
	if err := p.QueryRowScan(ctx, "SELECT IFNULL(DATABASE(), '')", nil, &db); err != nil {
		return err
	}
	if db == "" {
		return errors.New("-prepare: the DSN names no database; poolbench creates its tables in the DSN's database")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for t := 1; t <= tables; t++ {
		name := "sbtest" + strconv.Itoa(t)
		st, err := inspectTable(ctx, p, name)
		if err != nil {
			return err
		}
		switch {
		case !st.exists:
			fmt.Fprintf(out, "poolbench: creating %s.%s (%d rows)\n", db, name, size)
		case st.fits(size):
			fmt.Fprintf(out, "poolbench: using %s.%s as it is (%d rows)\n", db, name, size)
			continue
		case st.ours || mode == prepareForce:
			fmt.Fprintf(out, "poolbench: replacing %s.%s (%s) with %d rows\n", db, name, st.describe(), size)
			if _, err := p.Execute(ctx, "DROP TABLE "+name); err != nil {
				return err
			}
		default:
			keep := ""
			if st.columns == sbtestColumns && st.rows == st.maxID && st.minID == 1 {
				keep = fmt.Sprintf("pass -table-size %d to use it as it is, ", st.rows)
			}
			return fmt.Errorf("%s.%s exists and was not created by poolbench (%s; want %d rows): %spoint -dsn at another database, or use -prepare=force to drop and refill it",
				db, name, st.describe(), size, keep)
		}
		if err := createTable(ctx, p, r, t, size); err != nil {
			return err
		}
	}
	return nil
}

func (s tableState) describe() string {
	if s.columns != sbtestColumns {
		return "columns " + s.columns
	}
	return fmt.Sprintf("%d rows, ids %d..%d", s.rows, s.minID, s.maxID)
}

// createTable creates sbtestN, marked as poolbench's, and fills it with
// size rows in multi-row batches.
func createTable(ctx context.Context, p *pool.Pool, r *rand.Rand, t, size int) error {
	name := "sbtest" + strconv.Itoa(t)
	if _, err := p.Execute(ctx, "CREATE TABLE "+name+` (
  id INTEGER NOT NULL AUTO_INCREMENT,
  k INTEGER DEFAULT '0' NOT NULL,
  c CHAR(120) DEFAULT '' NOT NULL,
  pad CHAR(60) DEFAULT '' NOT NULL,
  PRIMARY KEY (id),
  KEY k_`+strconv.Itoa(t)+` (k)) COMMENT '`+madeByPoolbench+`'`); err != nil {
		return fmt.Errorf("creating %s: %w", name, err)
	}
	const batch = 1000
	for start := 1; start <= size; start += batch {
		rows := make([][]any, 0, batch)
		for id := start; id < start+batch && id <= size; id++ {
			rows = append(rows, []any{id, 1 + r.IntN(size), randString(r, 119), randString(r, 59)})
		}
		c, err := p.Acquire(ctx)
		if err != nil {
			return err
		}
		_, err = c.Cursor().ExecuteMany(ctx, "INSERT INTO "+name+" (id, k, c, pad) VALUES (?, ?, ?, ?)", rows)
		c.Release()
		if err != nil {
			return fmt.Errorf("filling %s: %w", name, err)
		}
	}
	return nil
}

// cleanupTables drops the sbtest tables poolbench created and leaves any
// other table of those names alone. It returns how many it dropped.
func cleanupTables(ctx context.Context, p *pool.Pool, tables int, out io.Writer) (int, error) {
	dropped := 0
	for t := 1; t <= tables; t++ {
		name := "sbtest" + strconv.Itoa(t)
		st, err := inspectTable(ctx, p, name)
		if err != nil {
			return dropped, err
		}
		switch {
		case !st.exists:
		case !st.ours:
			fmt.Fprintf(out, "poolbench: %s was not created by poolbench: left in place\n", name)
		default:
			if _, err := p.Execute(ctx, "DROP TABLE "+name); err != nil {
				return dropped, err
			}
			dropped++
		}
	}
	return dropped, nil
}

// tableRows counts the rows of sbtest1, to size the workload's id range
// for tables prepared earlier.
func tableRows(ctx context.Context, p *pool.Pool) (int, error) {
	var n int64
	if err := p.QueryRowScan(ctx, "SELECT COUNT(*) FROM sbtest1", nil, &n); err != nil {
		return 0, fmt.Errorf("sbtest1 is not there (run with -prepare first): %w", err)
	}
	return int(n), nil
}
