package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/amysql/amysql/pool"
)

// prepareTables creates sysbench-compatible sbtestN tables and fills them
// with size rows each, in multi-row batches.
func prepareTables(ctx context.Context, p *pool.Pool, tables, size int) error {
	r := rand.New(rand.NewPCG(1, 2))
	for t := 1; t <= tables; t++ {
		name := "sbtest" + strconv.Itoa(t)
		if _, err := p.Execute(ctx, "DROP TABLE IF EXISTS "+name); err != nil {
			return err
		}
		if _, err := p.Execute(ctx, "CREATE TABLE "+name+` (
  id INTEGER NOT NULL AUTO_INCREMENT,
  k INTEGER DEFAULT '0' NOT NULL,
  c CHAR(120) DEFAULT '' NOT NULL,
  pad CHAR(60) DEFAULT '' NOT NULL,
  PRIMARY KEY (id),
  KEY k_`+strconv.Itoa(t)+` (k))`); err != nil {
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
	}
	return nil
}

// cleanupTables drops the sbtest tables.
func cleanupTables(ctx context.Context, p *pool.Pool, tables int) error {
	for t := 1; t <= tables; t++ {
		if _, err := p.Execute(ctx, "DROP TABLE IF EXISTS sbtest"+strconv.Itoa(t)); err != nil {
			return err
		}
	}
	return nil
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
