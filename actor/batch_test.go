package actor_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
)

// pipelineModes are the two ways a batch runs.
var pipelineModes = []struct {
	name string
	mode actor.PipelineMode
}{{"pipelined", actor.PipelineAuto}, {"pipeline=false", actor.PipelineOff}}

func TestBatchAnswersEachStatementInOrder(t *testing.T) {
	for _, m := range pipelineModes {
		t.Run(m.name, func(t *testing.T) {
			c := connect(t, func(cfg *actor.Config) { cfg.Pipeline, cfg.MultiStatements = m.mode, true })
			tbl := tempTable(t, c, "amysql_batch_"+strings.ReplaceAll(m.name, "=", "_"), "(id INT PRIMARY KEY, v VARCHAR(20))")
			mustExec(t, c, "DROP PROCEDURE IF EXISTS amysql_two_sets")
			mustExec(t, c, "CREATE PROCEDURE amysql_two_sets() BEGIN SELECT 1 AS a; SELECT 2 AS b, 3 AS c; END")
			t.Cleanup(func() { c.Cursor().Execute(context.Background(), "DROP PROCEDURE IF EXISTS amysql_two_sets") })

			b := &actor.Batch{}
			b.Queue("INSERT INTO "+tbl+" VALUES (?, ?), (?, ?)", 1, "one", 2, "two")
			b.Queue("SELECT v FROM " + tbl + " ORDER BY id")
			b.Queue("INSERT INTO "+tbl+" VALUES (?, ?)", 1, "dup")  // fails: duplicate key
			b.Queue("UPDATE "+tbl+" SET v = ? WHERE id = 2", "TWO") // runs anyway
			b.Queue("CALL amysql_two_sets()")
			b.Queue("SELECT v FROM " + tbl + " WHERE id = 2")
			if b.Len() != 6 {
				t.Fatalf("Len = %d", b.Len())
			}
			br := c.SendBatch(ctxT(t), b)
			if n, err := br.Exec(); n != 2 || err != nil {
				t.Errorf("insert: %d, %v", n, err)
			}
			cur, err := br.Query()
			if err != nil {
				t.Fatal(err)
			}
			if rows, _ := cur.FetchAll(ctxT(t)); fmt.Sprint(rows) != "[[one] [two]]" {
				t.Errorf("select: %v", rows)
			}
			var se *proto.Error
			if _, err := br.Exec(); !errors.As(err, &se) || se.Code != 1062 {
				t.Errorf("duplicate insert: %v, want its own error 1062", err)
			}
			if n, err := br.Exec(); n != 1 || err != nil {
				t.Errorf("update after the failed statement: %d, %v", n, err)
			}
			call, err := br.Query()
			if err != nil {
				t.Fatal(err)
			}
			first, _ := call.FetchAll(ctxT(t))
			more, err := call.NextSet(ctxT(t))
			second, _ := call.FetchAll(ctxT(t))
			if fmt.Sprint(first) != "[[1]]" || !more || err != nil || fmt.Sprint(second) != "[[2 3]]" {
				t.Errorf("CALL's sets: %v, then %v %v %v", first, more, err, second)
			}
			last, err := br.Query()
			if err != nil {
				t.Fatal(err)
			}
			if row, _ := last.FetchOne(ctxT(t)); fmt.Sprint(row) != "[TWO]" {
				t.Errorf("last select: %v", row)
			}
			if _, err := br.Exec(); !errors.Is(err, actor.ErrNoResult) {
				t.Errorf("past the end: %v", err)
			}
			if err := br.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if got := queryRow(t, c, "SELECT 'in sync'")[0]; got != "in sync" {
				t.Errorf("after the batch: %v", got)
			}
		})
	}
}

func TestAtomicBatchCommitsOnlyWhenEveryStatementSucceeds(t *testing.T) {
	for _, m := range pipelineModes {
		t.Run(m.name, func(t *testing.T) {
			c := connect(t, func(cfg *actor.Config) { cfg.Pipeline = m.mode })
			tbl := tempTable(t, c, "amysql_atomic_"+strings.ReplaceAll(m.name, "=", "_"), "(id INT PRIMARY KEY) ENGINE=InnoDB")
			good := &actor.Batch{Atomic: true}
			good.Queue("INSERT INTO " + tbl + " VALUES (1)")
			good.Queue("INSERT INTO " + tbl + " VALUES (2)")
			br := c.SendBatch(ctxT(t), good)
			for i := 0; i < 2; i++ {
				if n, err := br.Exec(); n != 1 || err != nil {
					t.Errorf("statement %d: %d, %v", i, n, err)
				}
			}
			if err := br.Close(); err != nil {
				t.Fatal(err)
			}
			bad := &actor.Batch{Atomic: true}
			bad.Queue("INSERT INTO " + tbl + " VALUES (3)")
			bad.Queue("INSERT INTO " + tbl + " VALUES (1)") // duplicate
			bad.Queue("INSERT INTO " + tbl + " VALUES (4)")
			br = c.SendBatch(ctxT(t), bad)
			_, err1 := br.Exec()
			_, err2 := br.Exec()
			_, err3 := br.Exec()
			var se *proto.Error
			if !errors.Is(err1, actor.ErrRolledBack) || !errors.As(err2, &se) || se.Code != 1062 || !errors.Is(err3, actor.ErrRolledBack) {
				t.Errorf("rolled back batch: %v / %v / %v", err1, err2, err3)
			}
			if err := br.Close(); err != nil {
				t.Fatal(err)
			}
			if got := queryRow(t, c, "SELECT GROUP_CONCAT(id ORDER BY id) FROM "+tbl)[0]; got != "1,2" {
				t.Errorf("rows after a committed and a rolled back batch: %v, want 1,2", got)
			}
			if c.InTransaction() {
				t.Error("a transaction is still open")
			}
		})
	}
}

func TestBatchFarLargerThanTheSocketBuffersCompletes(t *testing.T) {
	c := connect(t)
	// 20 MB of commands and 20 MB of answers: written before being read,
	// they would fill both directions' socket buffers and stall both ends.
	const n = 5000
	b := &actor.Batch{}
	pad := strings.Repeat("x", 4096)
	for i := 0; i < n; i++ {
		b.Queue("SELECT ?, ?", i, pad)
	}
	br := c.SendBatch(ctxT(t), b)
	for i := 0; i < n; i++ {
		cur, err := br.Query()
		if err != nil {
			t.Fatalf("statement %d: %v", i, err)
		}
		row, err := cur.FetchOne(ctxT(t))
		if err != nil || row[0] != int64(i) || len(row[1].(string)) != 4096 {
			t.Fatalf("statement %d: %v, %v", i, row[0], err)
		}
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	if got := queryRow(t, c, "SELECT 'after'")[0]; got != "after" {
		t.Errorf("after the batch: %v", got)
	}
}

func TestBatchClosedEarlyReadsTheRestAway(t *testing.T) {
	c := connect(t)
	b := &actor.Batch{}
	for i := 0; i < 2000; i++ {
		b.Queue("SELECT ?", i)
	}
	br := c.SendBatch(ctxT(t), b)
	if _, err := br.Exec(); err != nil {
		t.Fatal(err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := br.Exec(); err == nil {
		t.Error("Exec after Close succeeded")
	}
	if got := queryRow(t, c, "SELECT 'in sync'")[0]; got != "in sync" {
		t.Errorf("after Close: %v", got)
	}
	// Another command before Close reads the batch away too.
	br = c.SendBatch(ctxT(t), b)
	if got := queryRow(t, c, "SELECT 'first'")[0]; got != "first" {
		t.Errorf("a command during a batch: %v", got)
	}
	if _, err := br.Exec(); !errors.Is(err, actor.ErrResultDiscarded) {
		t.Errorf("the batch after another command: %v, want ErrResultDiscarded", err)
	}
	br.Close()
}

func TestCancellingABatchStopsItOnTheServer(t *testing.T) {
	c := connect(t)
	admin := connect(t)
	tbl := tempTable(t, c, "amysql_batch_cancel", "(id INT)")
	ctx, cancel := context.WithCancel(ctxT(t))
	b := &actor.Batch{}
	b.Queue("SELECT 1")
	b.Queue("SELECT SLEEP(10)")
	b.Queue("INSERT INTO " + tbl + " VALUES (1)") // must never run
	br := c.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := br.Exec()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled statement: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the cancelled batch returned after %v", d)
	}
	if _, err := br.Exec(); !errors.Is(err, context.Canceled) && !actor.IsBadConn(err) {
		t.Errorf("the statement after: %v", err)
	}
	br.Close()
	stopsRunning(t, admin, c.ThreadID(), 2*time.Second)
	if !c.Closed() {
		t.Error("a cancelled batch left its connection open")
	}
	time.Sleep(100 * time.Millisecond)
	if n := queryRow(t, admin, "SELECT COUNT(*) FROM "+tbl)[0]; n != int64(0) {
		t.Errorf("%v rows: a statement queued after the cancelled one ran", n)
	}
}

func TestBatchRefusesWhatCannotBeSentBeforeSendingAnything(t *testing.T) {
	c := connect(t)
	tbl := tempTable(t, c, "amysql_batch_refuse", "(id INT)")
	b := &actor.Batch{}
	b.Queue("INSERT INTO " + tbl + " VALUES (1)")
	b.Queue("INSERT INTO "+tbl+" VALUES (?)", make(chan int)) // cannot be rendered
	br := c.SendBatch(ctxT(t), b)
	if _, err := br.Exec(); !errors.Is(err, proto.ErrUnsupportedArg) || !actor.SafeToRetry(err) {
		t.Errorf("Exec = %v, want ErrUnsupportedArg with nothing sent", err)
	}
	br.Close()
	if n := queryRow(t, c, "SELECT COUNT(*) FROM "+tbl)[0]; n != int64(0) {
		t.Errorf("%v rows: part of a refused batch was sent", n)
	}
}

func TestAPipelinedBatchIsOneRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		mode actor.PipelineMode
		want int64
	}{{actor.PipelineAuto, 1}, {actor.PipelineOff, 10}} {
		cfg, proxy := proxied(t)
		cfg.Pipeline = tt.mode
		c := connectCfg(t, cfg)
		b := &actor.Batch{}
		for i := 0; i < 10; i++ {
			b.Queue("SELECT ?", i)
		}
		before := proxy.RoundTrips()
		br := c.SendBatch(ctxT(t), b)
		for i := 0; i < 10; i++ {
			if _, err := br.Exec(); err != nil {
				t.Fatal(err)
			}
		}
		br.Close()
		if got := proxy.RoundTrips() - before; got != tt.want {
			t.Errorf("mode %d: 10 statements took %d round trips, want %d", tt.mode, got, tt.want)
		}
	}
}

func TestAnUncachedPreparedStatementCostsOneRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		mode actor.PipelineMode
		want int64
	}{{actor.PipelineAuto, 1}, {actor.PipelineOff, 2}} {
		cfg, proxy := proxied(t)
		cfg.Pipeline = tt.mode
		c := connectCfg(t, cfg)
		cur := c.Cursor()
		cur.Binary = true
		before := proxy.RoundTrips()
		if _, err := cur.Execute(ctxT(t), "SELECT ? + 1, ?", 41, "x"); err != nil {
			t.Fatal(err)
		}
		if got := proxy.RoundTrips() - before; got != tt.want {
			t.Errorf("mode %d: first execute took %d round trips, want %d", tt.mode, got, tt.want)
		}
		if row, err := cur.FetchOne(ctxT(t)); err != nil || row[0] != int64(42) || row[1] != "x" {
			t.Errorf("first execute: %v, %v", row, err)
		}
		before = proxy.RoundTrips()
		if _, err := cur.Execute(ctxT(t), "SELECT ? + 1, ?", 1, "y"); err != nil {
			t.Fatal(err)
		}
		if got := proxy.RoundTrips() - before; got != 1 {
			t.Errorf("mode %d: cached execute took %d round trips", tt.mode, got)
		}
		if row, _ := cur.FetchOne(ctxT(t)); row[0] != int64(2) || row[1] != "y" {
			t.Errorf("cached execute: %v", row)
		}
		if n, err := c.StmtCacheLen(ctxT(t)); n != 1 || err != nil {
			t.Errorf("statements cached: %d, %v", n, err)
		}
	}
}

func TestAPipelinedPrepareThatFailsReportsItsOwnError(t *testing.T) {
	c := connect(t)
	cur := c.Cursor()
	cur.Binary = true
	_, err := cur.Execute(ctxT(t), "SELEKT ?", 1)
	var se *proto.Error
	if !errors.As(err, &se) || se.Code != 1064 {
		t.Fatalf("a statement that does not prepare: %v, want the prepare's syntax error 1064", err)
	}
	_, err = cur.Execute(ctxT(t), "SELECT ?, ?", 1) // one argument short
	if !errors.Is(err, proto.ErrArgCount) {
		t.Errorf("too few arguments: %v, want ErrArgCount", err)
	}
	if got := queryRow(t, c, "SELECT 'in sync'")[0]; got != "in sync" {
		t.Errorf("after the failures: %v", got)
	}
	if _, err := cur.Execute(ctxT(t), "SELECT ?, ?", 1, 2); err != nil {
		t.Errorf("the statement with its arguments: %v", err)
	}
}

func TestSetUpAndResetCostOneRoundTripEach(t *testing.T) {
	for _, m := range []struct {
		mode           actor.PipelineMode
		connect, reset int64
	}{{actor.PipelineAuto, 2, 1}, {actor.PipelineOff, 7, 7}} {
		cfg, proxy := proxied(t)
		off := false
		cfg.Pipeline, cfg.SQLMode, cfg.TimeZone, cfg.Autocommit = m.mode, "ANSI_QUOTES", "+01:00", &off
		cfg.InitCommand, cfg.Target, cfg.Charset, cfg.Collation = "SET @init = 1", actor.TargetPrimary, "utf8mb4", "utf8mb4_uca1400_ai_ci"
		before := proxy.RoundTrips()
		c := connectCfg(t, cfg)
		// The authentication's exchange, then the set-up.
		if got := proxy.RoundTrips() - before; got != m.connect {
			t.Errorf("mode %d: connect took %d round trips, want %d", m.mode, got, m.connect)
		}
		mustExec(t, c, "SET @init = 2, time_zone = '+05:00', autocommit = 1")
		before = proxy.RoundTrips()
		if err := c.ResetSession(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		if got := proxy.RoundTrips() - before; got != m.reset {
			t.Errorf("mode %d: ResetSession took %d round trips, want %d", m.mode, got, m.reset)
		}
		row := queryRow(t, c, "SELECT @init, @@time_zone, @@autocommit, @@sql_mode, @@collation_connection")
		if fmt.Sprint(row) != "[1 +01:00 0 ANSI_QUOTES utf8mb4_uca1400_ai_ci]" {
			t.Errorf("mode %d: after ResetSession: %v", m.mode, row)
		}
	}
}

func TestExecuteManyOfUpdatesRunsInOneRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name  string
		mode  actor.PipelineMode
		mixed bool // the rows' argument types differ: no bulk execution
		want  int64
	}{
		{"bulk", actor.PipelineAuto, false, 1},
		{"pipelined", actor.PipelineAuto, true, 4}, // 1000 statements in chunks of 256
		{"pipeline=false", actor.PipelineOff, false, 1000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, proxy := proxied(t)
			cfg.Pipeline = tt.mode
			c := connectCfg(t, cfg)
			tbl := tempTable(t, c, "amysql_many_"+strings.ReplaceAll(tt.name, "=", "_"), "(id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB")
			mustExec(t, c, "INSERT INTO "+tbl+" SELECT seq, '' FROM seq_1_to_1000")
			rows := make([][]any, 1000)
			for i := range rows {
				var v any = fmt.Sprint("v", i+1)
				if tt.mixed && i%2 == 1 {
					v = i + 1 // an integer among strings
				}
				rows[i] = []any{v, i + 1}
			}
			cur := c.Cursor()
			if _, err := cur.ExecuteMany(ctxT(t), "UPDATE "+tbl+" SET v = ? WHERE id = ?", rows[:2]); err != nil {
				t.Fatal(err) // prepares the statement, reads max_allowed_packet
			}
			before := proxy.RoundTrips()
			n, err := cur.ExecuteMany(ctxT(t), "UPDATE "+tbl+" SET v = ? WHERE id = ?", rows)
			if err != nil || n != 998 { // the first two rows already have their values
				t.Fatalf("ExecuteMany = %d, %v; want 998 rows changed", n, err)
			}
			if got := proxy.RoundTrips() - before; got != tt.want {
				t.Errorf("1000 UPDATEs took %d round trips, want %d", got, tt.want)
			}
			if got := queryRow(t, c, "SELECT COUNT(*) FROM "+tbl+" WHERE v = CONCAT(IF(?, IF(id % 2 = 0, '', 'v'), 'v'), id)", tt.mixed)[0]; got != int64(1000) {
				t.Errorf("%v rows have their new value, want 1000", got)
			}
		})
	}
}
