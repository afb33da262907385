package actor_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/amysql/amysql/actor"
)

func TestPreparedStatementTypeMatrixMatchesTextProtocol(t *testing.T) {
	c := connect(t, func(cfg *actor.Config) { cfg.SQLMode = "ALLOW_INVALID_DATES" })
	m := newMatrix(t, c, "amysql_stmt_types")
	tbl, cols, marks, args := m.tbl, m.cols, m.marks, m.args
	ctx := ctxT(t)
	ins, err := c.Prepare(ctx, "INSERT INTO "+tbl+" (id, "+strings.Join(cols, ", ")+") VALUES (?, "+strings.Join(marks, ", ")+")")
	if err != nil {
		t.Fatal(err)
	}
	defer ins.Close(ctx)
	if ins.NumParams() != len(args)+1 {
		t.Fatalf("NumParams = %d, want %d", ins.NumParams(), len(args)+1)
	}
	if n, err := ins.Execute(ctx, append([]any{1}, args...)...); err != nil || n != 1 {
		t.Fatalf("prepared insert: %d, %v", n, err)
	}
	nulls := make([]any, len(args)+1)
	nulls[0] = 2
	if _, err := ins.Execute(ctx, nulls...); err != nil {
		t.Fatalf("prepared insert of NULLs: %v", err)
	}
	sel, err := c.Prepare(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+tbl+" WHERE id = ?")
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close(ctx)
	if len(sel.Columns()) != len(cols) {
		t.Errorf("Columns() has %d entries, want %d", len(sel.Columns()), len(cols))
	}
	text := c.Cursor()
	for _, id := range []int{1, 2} {
		for _, kind := range []actor.CursorKind{actor.TupleCursor, actor.SSCursor} {
			cur, err := sel.Open(ctx, kind, id)
			if err != nil {
				t.Fatal(err)
			}
			bin, err := cur.FetchOne(ctx)
			if err != nil {
				t.Fatal(err)
			}
			cur.Close(ctx)
			if _, err := text.Execute(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+tbl+" WHERE id = ?", id); err != nil {
				t.Fatal(err)
			}
			txt, _ := text.FetchOne(ctx)
			for i, col := range cols {
				if col == "geo" && id == 1 {
					if !bytes.Equal(bin[i].([]byte), txt[i].([]byte)) {
						t.Errorf("geo differs between protocols")
					}
					continue
				}
				if !reflect.DeepEqual(bin[i], txt[i]) {
					t.Errorf("row %d %v %s: binary %T %.60v, text %T %.60v", id, kind, col, bin[i], bin[i], txt[i], txt[i])
				}
			}
		}
	}
}

func TestStatementLifecycle(t *testing.T) {
	c := connect(t)
	ctx := ctxT(t)
	st, err := c.Prepare(ctx, "SELECT ? + 1")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		cur, err := st.Open(ctx, actor.TupleCursor, i)
		if err != nil {
			t.Fatal(err)
		}
		row, _ := cur.FetchOne(ctx)
		if row[0] != int64(i+1) {
			t.Errorf("execution %d: %v", i, row)
		}
	}
	if err := st.Reset(ctx); err != nil {
		t.Errorf("Reset: %v", err)
	}
	if _, err := st.Execute(ctx); err == nil {
		t.Error("wrong argument count accepted")
	}
	if _, err := c.Prepare(ctx, "SELEKT 1"); err == nil {
		t.Error("invalid statement prepared")
	}
	if err := c.ResetSession(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Execute(ctx, 1); !errors.Is(err, actor.ErrStmtClosed) {
		t.Errorf("statement after ResetSession = %v, want ErrStmtClosed", err)
	}
	if err := st.Close(ctx); err != nil {
		t.Errorf("Close = %v", err)
	}
	if _, err := st.Execute(ctx, 1); !errors.Is(err, actor.ErrStmtClosed) {
		t.Errorf("closed statement = %v", err)
	}
	if got := queryRow(t, c, "SELECT 'ok'")[0]; got != "ok" {
		t.Errorf("connection after statements: %v", got)
	}
}
