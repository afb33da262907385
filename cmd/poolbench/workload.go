package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// op is one unit of work a worker runs and times.
type op func(ctx context.Context, c client, r *rand.Rand) error

// env is what the workloads are built from: the sbtest tables, their
// size in rows, the share of cancelled queries and the -sql-file statements.
type env struct {
	tables, size int
	cancelShare  float64
	sqlFile      []string
	batch        int // point selects per batch (the batch workload)
}

// perOp is how many statements one operation of workload name runs, so
// queries/s counts statements whatever the workload groups them into.
func (e *env) perOp(name string) int {
	if name == "batch" {
		return e.batch
	}
	return 1
}

func (e *env) table(r *rand.Rand) string { return "sbtest" + strconv.Itoa(1+r.IntN(e.tables)) }

// perTable renders q, whose %s is the table name, once for every table, so
// a hot workload picks its statement without building a string per query
// (which would count against the client being measured).
func (e *env) perTable(q string) func(r *rand.Rand) string {
	qs := make([]string, max(e.tables, 1))
	for i := range qs {
		qs[i] = fmt.Sprintf(q, "sbtest"+strconv.Itoa(i+1))
	}
	return func(r *rand.Rand) string { return qs[r.IntN(len(qs))] }
}
func (e *env) id(r *rand.Rand) int { return 1 + r.IntN(e.size) }

func randString(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + r.IntN(26))
	}
	return string(b)
}

// workloadNames lists the built-in workloads for -w and -help.
var workloadNames = []string{"point-select", "point-select-prepared", "batch", "range", "range-prepared", "large-result", "insert",
	"insert-batch", "update", "read-write", "cancel-heavy", "mix", "sql-file"}

func (e *env) workload(name string) (op, error) {
	switch name {
	case "point-select", "point-select-prepared":
		prepared := name == "point-select-prepared"
		q := e.perTable("SELECT c FROM %s WHERE id = ?")
		return func(ctx context.Context, c client, r *rand.Rand) error {
			_, err := c.Query(ctx, prepared, q(r), e.id(r))
			return err
		}, nil
	case "batch":
		q := e.perTable("SELECT c FROM %s WHERE id = ?")
		return func(ctx context.Context, c client, r *rand.Rand) error {
			args := make([][]any, e.batch)
			for i := range args {
				args[i] = []any{e.id(r)}
			}
			return c.Batch(ctx, q(r), args)
		}, nil
	case "range", "range-prepared":
		prepared := name == "range-prepared"
		q := e.perTable("SELECT c FROM %s WHERE id BETWEEN ? AND ?")
		return func(ctx context.Context, c client, r *rand.Rand) error {
			start := 1 + r.IntN(max(e.size-99, 1))
			_, err := c.Query(ctx, prepared, q(r), start, start+99)
			return err
		}, nil
	case "large-result":
		q := e.perTable("SELECT id, c FROM %s")
		return func(ctx context.Context, c client, r *rand.Rand) error {
			_, err := c.Stream(ctx, q(r))
			return err
		}, nil
	case "insert":
		q := e.perTable("INSERT INTO %s (k, c, pad) VALUES (?, ?, ?)")
		return func(ctx context.Context, c client, r *rand.Rand) error {
			_, err := c.Exec(ctx, q(r), e.id(r), randString(r, 120), randString(r, 60))
			return err
		}, nil
	case "insert-batch":
		return func(ctx context.Context, c client, r *rand.Rand) error {
			rows := make([][]any, 100)
			for i := range rows {
				rows[i] = []any{e.id(r), randString(r, 120), randString(r, 60)}
			}
			_, err := c.ExecBatch(ctx, "INSERT INTO "+e.table(r)+" (k, c, pad) VALUES (?, ?, ?)", rows)
			return err
		}, nil
	case "update":
		q := e.perTable("UPDATE %s SET k = k + 1 WHERE id = ?")
		return func(ctx context.Context, c client, r *rand.Rand) error {
			_, err := c.Exec(ctx, q(r), e.id(r))
			return err
		}, nil
	case "read-write":
		// sysbench oltp_read_write: 10 point selects, 4 range queries,
		// 2 updates, a delete and an insert of the same id, in one
		// transaction.
		return func(ctx context.Context, c client, r *rand.Rand) error {
			return c.Tx(ctx, func(tx client) error {
				t := e.table(r)
				for i := 0; i < 10; i++ {
					if _, err := tx.Query(ctx, false, "SELECT c FROM "+t+" WHERE id = ?", e.id(r)); err != nil {
						return err
					}
				}
				for _, q := range []string{
					"SELECT c FROM " + t + " WHERE id BETWEEN ? AND ?",
					"SELECT SUM(k) FROM " + t + " WHERE id BETWEEN ? AND ?",
					"SELECT c FROM " + t + " WHERE id BETWEEN ? AND ? ORDER BY c",
					"SELECT DISTINCT c FROM " + t + " WHERE id BETWEEN ? AND ? ORDER BY c",
				} {
					start := 1 + r.IntN(max(e.size-99, 1))
					if _, err := tx.Query(ctx, false, q, start, start+99); err != nil {
						return err
					}
				}
				if _, err := tx.Exec(ctx, "UPDATE "+t+" SET k = k + 1 WHERE id = ?", e.id(r)); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "UPDATE "+t+" SET c = ? WHERE id = ?", randString(r, 120), e.id(r)); err != nil {
					return err
				}
				id := e.id(r)
				if _, err := tx.Exec(ctx, "DELETE FROM "+t+" WHERE id = ?", id); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, "INSERT INTO "+t+" (id, k, c, pad) VALUES (?, ?, ?, ?)", id, e.id(r), randString(r, 120), randString(r, 60))
				return err
			})
		}, nil
	case "cancel-heavy":
		// A share of queries get a deadline shorter than they take.
		return func(ctx context.Context, c client, r *rand.Rand) error {
			if r.Float64() < e.cancelShare {
				cctx, cancel := context.WithTimeout(ctx, 2*time.Millisecond)
				defer cancel()
				_, err := c.Query(cctx, false, "SELECT SLEEP(0.02), c FROM "+e.table(r)+" WHERE id = ?", e.id(r))
				return err
			}
			_, err := c.Query(ctx, false, "SELECT c FROM "+e.table(r)+" WHERE id = ?", e.id(r))
			return err
		}, nil
	case "sql-file":
		if len(e.sqlFile) == 0 {
			return nil, fmt.Errorf("workload sql-file needs -sql-file")
		}
		return func(ctx context.Context, c client, r *rand.Rand) error {
			q := e.sqlFile[r.IntN(len(e.sqlFile))]
			args := make([]any, strings.Count(q, "?"))
			for i := range args {
				args[i] = e.id(r)
			}
			_, err := c.Query(ctx, false, q, args...)
			return err
		}, nil
	}
	if strings.Contains(name, "=") {
		return e.mix(name)
	}
	if name == "mix" {
		return e.mix("point-select=8,range=1,update=1")
	}
	return nil, fmt.Errorf("unknown workload %q (known: %s, or a weighted mix like point-select=8,update=2)", name, strings.Join(workloadNames, ", "))
}

// mix builds a workload choosing among others by weight:
// "point-select=8,update=1,insert=1".
func (e *env) mix(spec string) (op, error) {
	type choice struct {
		upto int
		op   op
	}
	var choices []choice
	total := 0
	for _, part := range strings.Split(spec, ",") {
		name, w, ok := strings.Cut(part, "=")
		weight, err := strconv.Atoi(w)
		if !ok || err != nil || weight <= 0 {
			return nil, fmt.Errorf("bad mix entry %q (want name=weight)", part)
		}
		o, err := e.workload(name)
		if err != nil {
			return nil, err
		}
		total += weight
		choices = append(choices, choice{total, o})
	}
	sort.Slice(choices, func(i, j int) bool { return choices[i].upto < choices[j].upto })
	return func(ctx context.Context, c client, r *rand.Rand) error {
		n := r.IntN(total)
		for _, ch := range choices {
			if n < ch.upto {
				return ch.op(ctx, c, r)
			}
		}
		return nil
	}, nil
}

// readSQLFile reads one statement per non-empty line (-- comments
// skipped); each ? gets a random id at run time.
func readSQLFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "--") || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, strings.TrimSuffix(l, ";"))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no statements", path)
	}
	return out, sc.Err()
}
