package actor_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
)

// numbersTable creates a table with ids 1..n and v = id*10.
func numbersTable(t *testing.T, c *actor.Conn, name string, n int) string {
	t.Helper()
	tbl := tempTable(t, c, name, "(id INT PRIMARY KEY, v INT)")
	if n > 0 {
		mustExec(t, c, fmt.Sprintf("INSERT INTO %s SELECT seq, seq*10 FROM seq_1_to_%d", tbl, n))
	}
	return tbl
}

func TestBufferedCursorFetchMethods(t *testing.T) {
	c := connect(t)
	tbl := numbersTable(t, c, "amysql_cur_fetch", 5)
	cur := c.Cursor()
	ctx := ctxT(t)
	n, err := cur.Execute(ctx, "SELECT id, v FROM "+tbl+" ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 || cur.RowCount() != 5 {
		t.Errorf("rowcount = %d/%d, want 5", n, cur.RowCount())
	}
	one, err := cur.FetchOne(ctx)
	if err != nil || !reflect.DeepEqual(one, []any{int64(1), int64(10)}) {
		t.Fatalf("FetchOne = %v, %v", one, err)
	}
	if cur.RowNumber() != 1 {
		t.Errorf("RowNumber = %d, want 1", cur.RowNumber())
	}
	cur.ArraySize = 2
	many, err := cur.FetchMany(ctx, 0)
	if err != nil || len(many) != 2 || many[1][0] != int64(3) {
		t.Fatalf("FetchMany(ArraySize=2) = %v, %v", many, err)
	}
	rest, err := cur.FetchAll(ctx)
	if err != nil || len(rest) != 2 || rest[1][0] != int64(5) {
		t.Fatalf("FetchAll = %v, %v", rest, err)
	}
	if row, err := cur.FetchOne(ctx); row != nil || err != nil {
		t.Errorf("FetchOne at end = %v, %v; want nil, nil", row, err)
	}
	if rows, err := cur.FetchMany(ctx, 3); len(rows) != 0 || err != nil {
		t.Errorf("FetchMany at end = %v, %v", rows, err)
	}
	desc := cur.Description()
	if len(desc) != 2 || desc[0].Name != "id" || desc[1].Name != "v" || desc[0].NullOK || !desc[1].NullOK {
		t.Errorf("Description = %+v", desc)
	}
}

func TestScrollRelativeAndAbsolute(t *testing.T) {
	c := connect(t)
	tbl := numbersTable(t, c, "amysql_cur_scroll", 10)
	ctx := ctxT(t)
	for _, kind := range []actor.CursorKind{actor.TupleCursor, actor.SSCursor} {
		t.Run(kind.String(), func(t *testing.T) {
			cur := c.Cursor(kind)
			if _, err := cur.Execute(ctx, "SELECT id FROM "+tbl+" ORDER BY id"); err != nil {
				t.Fatal(err)
			}
			defer cur.Close(ctx)
			if err := cur.Scroll(ctx, 3, actor.Relative); err != nil {
				t.Fatal(err)
			}
			if row, _ := cur.FetchOne(ctx); row[0] != int64(4) {
				t.Errorf("after Scroll(3, Relative): %v, want 4", row)
			}
			if err := cur.Scroll(ctx, 7, actor.Absolute); err != nil {
				t.Fatal(err)
			}
			if row, _ := cur.FetchOne(ctx); row[0] != int64(8) {
				t.Errorf("after Scroll(7, Absolute): %v, want 8", row)
			}
			err := cur.Scroll(ctx, -2, actor.Relative)
			if kind.Unbuffered() {
				if !errors.Is(err, actor.ErrScroll) {
					t.Errorf("backwards scroll on SSCursor = %v, want ErrScroll", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if row, _ := cur.FetchOne(ctx); row[0] != int64(7) {
				t.Errorf("after Scroll(-2, Relative): %v, want 7", row)
			}
			if err := cur.Scroll(ctx, 10, actor.Absolute); !errors.Is(err, actor.ErrScroll) {
				t.Errorf("Scroll past the end = %v, want ErrScroll", err)
			}
		})
	}
}

func TestUnbufferedCursorStreams(t *testing.T) {
	c := connect(t)
	tbl := numbersTable(t, c, "amysql_cur_ss", 1000)
	ctx := ctxT(t)
	cur := c.Cursor(actor.SSCursor)
	n, err := cur.Execute(ctx, "SELECT id FROM "+tbl+" ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if n != -1 || cur.RowCount() != -1 {
		t.Errorf("unbuffered rowcount = %d, want -1 (unknown)", n)
	}
	sum := int64(0)
	count := 0
	for cur.Next(ctx) {
		var id int64
		if err := cur.Scan(&id); err != nil {
			t.Fatal(err)
		}
		sum += id
		count++
	}
	if err := cur.Err(); err != nil {
		t.Fatal(err)
	}
	if count != 1000 || sum != 500500 {
		t.Errorf("streamed %d rows summing %d, want 1000 and 500500", count, sum)
	}
}

func TestUnbufferedCursorHandsOverEachRowAsItArrives(t *testing.T) {
	c := connect(t)
	ctx := ctxT(t)
	cur := c.Cursor(actor.SSCursor)
	// 300 rows 50 ms apart: 15 s in all, 12.8 s for a 256-row batch. The
	// server's 16 KiB network buffer sends the 3 KB rows five at a time.
	start := time.Now()
	if _, err := cur.Execute(ctx, "SELECT seq, REPEAT('x', 3000), SLEEP(0.05) FROM seq_1_to_300"); err != nil {
		t.Fatal(err)
	}
	executed := time.Since(start)
	for i := 1; i <= 3; i++ {
		if !cur.Next(ctx) {
			t.Fatalf("row %d: %v", i, cur.Err())
		}
		var seq int64
		var pad string
		var slept int64
		if err := cur.Scan(&seq, &pad, &slept); err != nil || seq != int64(i) {
			t.Fatalf("row %d: seq %d, %v", i, seq, err)
		}
	}
	third := time.Since(start)
	if executed > 3*time.Second || third > 3*time.Second {
		t.Errorf("Execute returned after %v and the third row came after %v: the cursor waits for rows it was not asked for", executed, third)
	}
	c.Close() // rather than reading the other 297 rows away
}

func TestAnotherCommandDiscardsAnUnreadStream(t *testing.T) {
	c := connect(t)
	tbl := numbersTable(t, c, "amysql_cur_discard", 2000)
	ctx := ctxT(t)
	ss := c.Cursor(actor.SSCursor)
	if _, err := ss.Execute(ctx, "SELECT id FROM "+tbl+" ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	if row, err := ss.FetchOne(ctx); err != nil || row[0] != int64(1) {
		t.Fatalf("first row = %v, %v", row, err)
	}
	// A statement on another cursor drains the stream first.
	if got := queryRow(t, c, "SELECT 7")[0]; got != int64(7) {
		t.Fatalf("second statement returned %v", got)
	}
	var rows [][]any
	var err error
	// Rows already buffered in the first batch may still be read; then the
	// cursor reports the discard instead of silently ending.
	for {
		var r []any
		r, err = ss.FetchOne(ctx)
		if err != nil || r == nil {
			break
		}
		rows = append(rows, r)
	}
	if !errors.Is(err, actor.ErrResultDiscarded) {
		t.Errorf("fetch after discard = %v (after %d more rows), want ErrResultDiscarded", err, len(rows))
	}
}

func TestCursorCloseDrainsTheStream(t *testing.T) {
	c := connect(t)
	tbl := numbersTable(t, c, "amysql_cur_close", 3000)
	ctx := ctxT(t)
	ss := c.Cursor(actor.SSDictCursor)
	if _, err := ss.Execute(ctx, "SELECT id FROM "+tbl); err != nil {
		t.Fatal(err)
	}
	if _, err := ss.FetchOneDict(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ss.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if !ss.Closed() {
		t.Error("Closed() false after Close")
	}
	if _, err := ss.FetchOne(ctx); !errors.Is(err, actor.ErrCursorClosed) {
		t.Errorf("FetchOne on closed cursor = %v", err)
	}
	if got := queryRow(t, c, "SELECT 'in sync'")[0]; got != "in sync" {
		t.Errorf("after Close: %v", got)
	}
}

func TestDictCursorsGiveMapRowsAndRefuseTuples(t *testing.T) {
	c := connect(t)
	for _, kind := range []actor.CursorKind{actor.DictCursor, actor.SSDictCursor} {
		t.Run(kind.String(), func(t *testing.T) {
			cur := c.Cursor(kind)
			if _, err := cur.Execute(ctxT(t), "SELECT 1 AS id, 'ann' AS name UNION ALL SELECT 2, 'bob'"); err != nil {
				t.Fatal(err)
			}
			if _, err := cur.FetchOne(ctxT(t)); !errors.Is(err, actor.ErrDictRows) {
				t.Errorf("FetchOne on a %v = %v, want ErrDictRows", kind, err)
			}
			if _, err := cur.FetchMany(ctxT(t), 2); !errors.Is(err, actor.ErrDictRows) {
				t.Errorf("FetchMany on a %v = %v, want ErrDictRows", kind, err)
			}
			if _, err := cur.FetchAll(ctxT(t)); !errors.Is(err, actor.ErrDictRows) {
				t.Errorf("FetchAll on a %v = %v, want ErrDictRows", kind, err)
			}
			row, err := cur.FetchOneDict(ctxT(t))
			if err != nil || !reflect.DeepEqual(row, map[string]any{"id": int64(1), "name": "ann"}) {
				t.Errorf("FetchOneDict = %v, %v", row, err)
			}
			if !cur.Next(ctxT(t)) {
				t.Fatal(cur.Err())
			}
			var id int64
			var name string
			if err := cur.Scan(&id, &name); err != nil || id != 2 || name != "bob" {
				t.Errorf("Next/Scan on a %v: %d %q %v", kind, id, name, err)
			}
		})
	}
}

func TestDictRowsNameDuplicatesByTable(t *testing.T) {
	c := connect(t)
	a := numbersTable(t, c, "amysql_dict_a", 1)
	b := numbersTable(t, c, "amysql_dict_b", 1)
	for _, kind := range []actor.CursorKind{actor.DictCursor, actor.SSDictCursor} {
		cur := c.Cursor(kind)
		if _, err := cur.Execute(ctxT(t), fmt.Sprintf("SELECT %s.id, %s.id, %s.v AS total FROM %s JOIN %s", a, b, a, a, b)); err != nil {
			t.Fatal(err)
		}
		rows, err := cur.FetchAllDict(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{a + ".id": int64(1), b + ".id": int64(1), "total": int64(10)}
		if len(rows) != 1 || !reflect.DeepEqual(rows[0], want) {
			t.Errorf("%v rows = %v, want [%v]", kind, rows, want)
		}
	}
}

func TestMultipleResultSetsWithNextSet(t *testing.T) {
	c := connect(t, func(cfg *actor.Config) { cfg.MultiStatements = true })
	ctx := ctxT(t)
	cur := c.Cursor()
	if _, err := cur.Execute(ctx, "SELECT 1; SELECT 2, 3; DO 0; SELECT 4"); err != nil {
		t.Fatal(err)
	}
	var sets [][][]any
	for {
		rows, err := cur.FetchAll(ctx)
		if err != nil && !errors.Is(err, actor.ErrNoResult) {
			t.Fatal(err)
		}
		sets = append(sets, rows)
		more, err := cur.NextSet(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			break
		}
	}
	want := [][][]any{{{int64(1)}}, {{int64(2), int64(3)}}, nil, {{int64(4)}}}
	if !reflect.DeepEqual(sets, want) {
		t.Errorf("result sets = %v, want %v", sets, want)
	}
}

func TestMultiStatementsAreOffByDefault(t *testing.T) {
	c := connect(t)
	_, err := c.Cursor().Execute(ctxT(t), "SELECT 1; SELECT 2")
	if err == nil {
		t.Fatal("two statements ran without MultiStatements")
	}
	if err := c.Ping(ctxT(t)); err != nil {
		t.Errorf("connection unusable after the refused statement: %v", err)
	}
}

func TestCallProcSetsArgumentsAndReturnsResults(t *testing.T) {
	c := connect(t)
	ctx := ctxT(t)
	mustExec(t, c, "DROP PROCEDURE IF EXISTS amysql_proc")
	mustExec(t, c, `CREATE PROCEDURE amysql_proc(IN a INT, INOUT b VARCHAR(20), OUT c INT)
BEGIN
  SELECT a * 2 AS doubled;
  SELECT CONCAT(b, '!') AS shout;
  SET b = CONCAT('<', b, '>'), c = a + 1;
END`)
	t.Cleanup(func() { mustExec(t, connect(t), "DROP PROCEDURE IF EXISTS amysql_proc") })
	cur := c.Cursor()
	if _, err := cur.CallProc(ctx, "amysql_proc", 21, "hi", nil); err != nil {
		t.Fatal(err)
	}
	first, _ := cur.FetchAll(ctx)
	if more, err := cur.NextSet(ctx); !more || err != nil {
		t.Fatalf("NextSet = %v, %v", more, err)
	}
	second, _ := cur.FetchAll(ctx)
	for {
		more, err := cur.NextSet(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			break
		}
	}
	if !reflect.DeepEqual(first, [][]any{{int64(42)}}) || !reflect.DeepEqual(second, [][]any{{"hi!"}}) {
		t.Errorf("procedure results %v, %v", first, second)
	}
	out := queryRow(t, c, "SELECT @_amysql_proc_1, @_amysql_proc_2")
	if out[0] != "<hi>" || out[1] != int64(22) {
		t.Errorf("OUT values = %v, want [<hi> 22]", out)
	}
}

func TestMogrifyAndInListExpansion(t *testing.T) {
	c := connect(t)
	tbl := numbersTable(t, c, "amysql_mogrify", 5)
	cur := c.Cursor()
	q, err := cur.Mogrify("SELECT id FROM "+tbl+" WHERE id IN ? AND v > ? -- ?", []int{2, 4, 5}, 25)
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT id FROM " + tbl + " WHERE id IN (2,4,5) AND v > 25 -- ?"
	if q != want {
		t.Errorf("Mogrify = %q, want %q", q, want)
	}
	if _, err := cur.Execute(ctxT(t), "SELECT id FROM "+tbl+" WHERE id IN ? AND v > ? ORDER BY id", []int{2, 4, 5}, 25); err != nil {
		t.Fatal(err)
	}
	rows, _ := cur.FetchAll(ctxT(t))
	if !reflect.DeepEqual(rows, [][]any{{int64(4)}, {int64(5)}}) {
		t.Errorf("IN ? rows = %v", rows)
	}
}

func TestServerErrorKeepsConnectionUsable(t *testing.T) {
	c := connect(t)
	cur := c.Cursor()
	_, err := cur.Execute(ctxT(t), "SELECT * FROM no_such_table_amysql")
	var se interface{ Error() string }
	if !errors.As(err, &se) || err == nil {
		t.Fatal("no error for a missing table")
	}
	if _, err := cur.FetchOne(ctxT(t)); err == nil {
		t.Error("FetchOne after a failed Execute returned no error")
	}
	if got := queryRow(t, c, "SELECT 1")[0]; got != int64(1) {
		t.Errorf("after error: %v", got)
	}
}

func TestConcurrentCommandsOnOneConnAreSerialised(t *testing.T) {
	c := connect(t)
	ctx := context.Background()
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		go func(i int) {
			cur := c.Cursor()
			if _, err := cur.Execute(ctx, "SELECT ?", i); err != nil {
				errs <- err
				return
			}
			row, err := cur.FetchOne(ctx)
			if err == nil && row[0] != int64(i) {
				err = fmt.Errorf("goroutine %d got %v", i, row[0])
			}
			errs <- err
		}(i)
	}
	for i := 0; i < 20; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
