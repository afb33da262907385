package actor_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
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

// A repeated execute whose parameter types are those of the statement's
// previous execute leaves them out (2 bytes per parameter less), as
// libmariadb does; the server answers with the values of this execute.
// Changed types (a string, a NULL) and Reset send them again.
func TestRepeatedExecuteLeavesOutKnownParameterTypes(t *testing.T) {
	_, st, obs := prepareCounting(t, "SELECT CONCAT(?, '|', ?, '|', COALESCE(?, 'null'))")
	ctx := ctxT(t)
	steps := []struct {
		name  string
		args  []any
		want  string
		types bool // the execute carries the parameter types
	}{
		{"first execute", []any{int64(1), "a", 2.5}, "1|a|2.5", true},
		{"same types", []any{int64(7), "bb", 0.5}, "7|bb|0.5", false},
		{"same types again", []any{int64(-3), "", 1e3}, "-3||1000", false},
		{"a string where an integer was", []any{"x", "y", 1.0}, "x|y|1", true},
		{"same as the one before", []any{"p", "q", 2.0}, "p|q|2", false},
		{"a NULL", []any{"p", "q", nil}, "p|q|null", true},
		{"back to the first types", []any{int64(1), "a", 2.5}, "1|a|2.5", true},
	}
	var base int64
	for i, s := range steps {
		cur, err := st.Open(ctx, actor.TupleCursor, s.args...)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		sent, _ := obs.last()
		row, err := cur.FetchOne(ctx)
		cur.Close(ctx)
		if err != nil || len(row) != 1 || fmt.Sprint(row[0]) != s.want {
			t.Fatalf("%s: row %v, %v; want %q", s.name, row, err, s.want)
		}
		if i == 0 {
			base = sent - payloadSize(s.args)
			continue
		}
		want := base + payloadSize(s.args)
		if !s.types {
			want -= 2 * int64(len(s.args))
		}
		if sent != want {
			t.Errorf("%s: %d bytes sent, want %d (types included: %v)", s.name, sent, want, s.types)
		}
	}
	// Reset makes the next execute send the types again.
	if err := st.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	cur, err := st.Open(ctx, actor.TupleCursor, int64(1), "a", 2.5)
	if err != nil {
		t.Fatal(err)
	}
	if sent, _ := obs.last(); sent != base+payloadSize([]any{int64(1), "a", 2.5}) {
		t.Errorf("after Reset: %d bytes sent, want the types included", sent)
	}
	cur.Close(ctx)
}

// An execute the server refused may not have left its types with the
// server, so the next one sends them again and succeeds.
func TestExecuteAfterAFailedOneSendsTheTypesAgain(t *testing.T) {
	_, st, obs := prepareCounting(t, "SELECT CONCAT(?, '|', (SELECT 1 UNION SELECT ?))")
	ctx := ctxT(t)
	run := func(a, b int64) (string, int64, error) {
		cur, err := st.Open(ctx, actor.TupleCursor, a, b)
		sent, _ := obs.last()
		if err != nil {
			return "", sent, err
		}
		defer cur.Close(ctx)
		row, err := cur.FetchOne(ctx)
		return fmt.Sprint(row...), sent, err
	}
	got, withTypes, err := run(5, 1)
	if err != nil || got != "5|1" {
		t.Fatalf("first execute = %q, %v", got, err)
	}
	if _, without, err := run(6, 1); err != nil || without != withTypes-4 {
		t.Fatalf("repeated execute: %d bytes sent (first %d), %v", without, withTypes, err)
	}
	var se *proto.Error
	if _, _, err := run(5, 2); !errors.As(err, &se) || se.Code != 1242 {
		t.Fatalf("execute with a two-row subquery = %v, want error 1242", err)
	}
	got, sent, err := run(7, 1)
	if err != nil || got != "7|1" {
		t.Fatalf("execute after the failed one = %q, %v", got, err)
	}
	if sent != withTypes {
		t.Errorf("execute after the failed one sent %d bytes, want %d (with types)", sent, withTypes)
	}
}

// payloadSize is the size of the binary values of args (the part of an
// execute packet that changes with them).
func payloadSize(args []any) int64 {
	n := int64(0)
	for _, a := range args {
		switch v := a.(type) {
		case int64, float64:
			n += 8
		case string:
			n += 1 + int64(len(v))
		}
	}
	return n
}
