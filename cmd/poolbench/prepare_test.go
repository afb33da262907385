package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
)

// sqlOn runs statements on dsn's database and returns the first column of
// the last one's first row, "" when it has none.
func sqlOn(t *testing.T, dsn string, stmts ...string) string {
	t.Helper()
	cfg, err := actor.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := actor.Connect(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cur := c.Cursor()
	for _, q := range stmts {
		if _, err := cur.Execute(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	row, err := cur.FetchOne(ctx)
	if err != nil || row == nil {
		return ""
	}
	return fmt.Sprint(row[0])
}

// TestPrepareTouchesOnlyWhatItWasAskedFor runs -prepare and -cleanup
// beside sbtest tables poolbench did not create: a fitting one is used as
// it is, any other is an error and left as it was unless -prepare=force;
// poolbench's own tables are reused when they fit and replaced otherwise;
// -cleanup drops only poolbench's own; nothing past -tables is touched.
func TestPrepareTouchesOnlyWhatItWasAskedFor(t *testing.T) {
	dsn := testserver.FromEnv(t).DSN
	// "Theirs": sysbench's layout, 50 rows, one of them marked.
	sqlOn(t, dsn,
		"DROP TABLE IF EXISTS sbtest1, sbtest2, sbtest3",
		`CREATE TABLE sbtest1 (id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL,
		  c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id), KEY k_1 (k))`,
		"INSERT INTO sbtest1 (k) WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 50) SELECT n FROM s",
		"UPDATE sbtest1 SET c = 'theirs' WHERE id = 7",
		"CREATE TABLE sbtest2 (x INT)",
		"INSERT INTO sbtest2 VALUES (42)",
		"CREATE TABLE sbtest3 (x INT)",
	)
	theirs := func(what string) {
		t.Helper()
		if got := sqlOn(t, dsn, "SELECT CONCAT(COUNT(*), ' ', IFNULL(MAX(c = 'theirs'), 0)) FROM sbtest1"); got != "50 1" {
			t.Errorf("%s: sbtest1 holds %q, want its 50 rows, id 7 marked", what, got)
		}
		if got := sqlOn(t, dsn, "SELECT GROUP_CONCAT(x) FROM sbtest2"); got != "42" {
			t.Errorf("%s: sbtest2 holds %q, want its 42", what, got)
		}
	}
	run := func(args ...string) (string, error) {
		t.Helper()
		return runMain(t, append([]string{"-dsn", dsn, "-n", "1", "-c", "1"}, args...)...)
	}

	out, err := run("-prepare", "-table-size", "50")
	if err != nil || !strings.Contains(out, ".sbtest1 as it is (50 rows)") {
		t.Errorf("-prepare beside a fitting table: %v\n%s", err, out)
	}
	theirs("-prepare that fits")

	out, err = run("-prepare", "-table-size", "100")
	if err == nil || !strings.Contains(err.Error(), "sbtest1 exists and was not created by poolbench (50 rows, ids 1..50; want 100 rows)") ||
		!strings.Contains(err.Error(), "-table-size 50 to use it as it is") || !strings.Contains(err.Error(), "-prepare=force") {
		t.Errorf("-prepare beside a table of another size: %v\n%s", err, out)
	}
	theirs("-prepare of another size")

	out, err = run("-prepare", "-tables", "2", "-table-size", "50")
	if err == nil || !strings.Contains(err.Error(), "sbtest2 exists and was not created by poolbench (columns x int; want 50 rows)") ||
		strings.Contains(err.Error(), "-table-size") {
		t.Errorf("-prepare beside a table of other columns: %v\n%s", err, out)
	}
	theirs("-prepare of other columns")

	out, err = run("-cleanup", "-tables", "3")
	if err != nil || !strings.Contains(out, "dropped 0 sbtest tables") || strings.Count(out, "left in place") != 3 {
		t.Errorf("-cleanup of tables poolbench did not create: %v\n%s", err, out)
	}
	theirs("-cleanup")

	out, err = run("-prepare=force", "-table-size", "100")
	if err != nil || !strings.Contains(out, "replacing") {
		t.Fatalf("-prepare=force: %v\n%s", err, out)
	}
	if got := sqlOn(t, dsn, "SELECT CONCAT(COUNT(*), ' ', MAX(id), ' ', IFNULL(MAX(c = 'theirs'), 0)) FROM sbtest1"); got != "100 100 0" {
		t.Errorf("after -prepare=force sbtest1 holds %q, want 100 new rows", got)
	}
	if got := sqlOn(t, dsn, "SELECT GROUP_CONCAT(x) FROM sbtest2"); got != "42" {
		t.Errorf("-prepare=force of one table touched sbtest2: %q", got)
	}

	// Now poolbench's own: kept when it fits, replaced when it does not.
	sqlOn(t, dsn, "UPDATE sbtest1 SET c = 'kept' WHERE id = 3")
	out, err = run("-prepare", "-table-size", "100")
	if err != nil || !strings.Contains(out, "as it is") || sqlOn(t, dsn, "SELECT c FROM sbtest1 WHERE id = 3") != "kept" {
		t.Errorf("-prepare of its own fitting table did not keep it: %v\n%s", err, out)
	}
	out, err = run("-prepare", "-table-size", "200")
	if err != nil || !strings.Contains(out, "replacing") || sqlOn(t, dsn, "SELECT COUNT(*) FROM sbtest1") != "200" {
		t.Errorf("-prepare of its own table of another size: %v\n%s", err, out)
	}

	out, err = run("-cleanup", "-tables", "3")
	if err != nil || !strings.Contains(out, "dropped 1 sbtest tables") {
		t.Errorf("-cleanup: %v\n%s", err, out)
	}
	if got := sqlOn(t, dsn, "SELECT GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"); got != "sbtest2,sbtest3" {
		t.Errorf("after -cleanup the database holds %q, want only the tables poolbench did not create", got)
	}
	if got := sqlOn(t, dsn, "SELECT GROUP_CONCAT(x) FROM sbtest2"); got != "42" {
		t.Errorf("sbtest2 after -cleanup: %q", got)
	}

	noDB := dsn[:strings.LastIndex(dsn, "/")+1]
	if _, err := runMain(t, "-dsn", noDB, "-prepare", "-n", "1"); err == nil || !strings.Contains(err.Error(), "names no database") {
		t.Errorf("-prepare with a DSN without a database: %v", err)
	}
	sqlOn(t, dsn, "DROP TABLE sbtest2, sbtest3")
}
