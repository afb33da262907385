package actor_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/amysql/amysql/actor"
)

func TestBinaryCursorUsesTheStatementCache(t *testing.T) {
	var qc queryCounter
	c := connect(t, func(cfg *actor.Config) { cfg.StmtCacheSize = 2; cfg.Observer = &qc })
	ctx := ctxT(t)
	prepared := func() int64 {
		row := queryRow(t, c, "SHOW SESSION STATUS LIKE 'Com_stmt_prepare'")
		n, _ := parseInt(row[1].(string))
		return n
	}
	before := prepared()
	cur := c.Cursor()
	cur.Binary = true
	for i := 0; i < 5; i++ {
		if _, err := cur.Execute(ctx, "SELECT ? + 1, ?", i, "x"); err != nil {
			t.Fatal(err)
		}
		row, err := cur.FetchOne(ctx)
		if err != nil || !reflect.DeepEqual(row, []any{int64(i + 1), "x"}) {
			t.Fatalf("binary execute %d: %v, %v", i, row, err)
		}
	}
	if n := prepared() - before; n != 1 {
		t.Errorf("%d PREPAREs for 5 executions of one statement, want 1", n)
	}
	// Three distinct statements through a cache of two evict the oldest.
	for _, q := range []string{"SELECT ?", "SELECT ?, 2", "SELECT ?, 3"} {
		if _, err := cur.Execute(ctx, q, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := c.StmtCacheLen(ctx); n != 2 {
		t.Errorf("cache holds %d statements, want 2", n)
	}
	// ResetSession drops server-side statements: the cache starts over.
	if err := c.ResetSession(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.StmtCacheLen(ctx); n != 0 {
		t.Errorf("cache holds %d statements after ResetSession", n)
	}
	if _, err := cur.Execute(ctx, "SELECT ?", 7); err != nil {
		t.Fatalf("binary execute after reset: %v", err)
	}
	if row, _ := cur.FetchOne(ctx); row[0] != int64(7) {
		t.Errorf("after reset: %v", row)
	}
}

func TestLongDataArgumentsAreStreamed(t *testing.T) {
	c := connect(t)
	tbl := tempTable(t, c, "amysql_longdata", "(id INT PRIMARY KEY, b LONGBLOB, s LONGTEXT)")
	big := bytes.Repeat([]byte{0, 1, 2, 0xff}, 1<<20) // 4 MiB, above the 1 MiB long-data threshold
	text := string(bytes.Repeat([]byte("ü"), 700000))
	st, err := c.Prepare(ctxT(t), "INSERT INTO "+tbl+" VALUES (?, ?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Execute(ctxT(t), 1, big, text); err != nil {
		t.Fatal(err)
	}
	row := queryRow(t, c, "SELECT b, s FROM "+tbl+" WHERE id = 1")
	if !bytes.Equal(row[0].([]byte), big) || row[1] != text {
		t.Errorf("long data did not round-trip (%d bytes, %d chars)", len(row[0].([]byte)), len(row[1].(string)))
	}
}
