package actor_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/amysql/amysql/proto"
)

// Column metadata is shared between results of the same shape; these
// tests prove a changed shape is never mistaken for a cached one.
func TestColumnMetadataFollowsEachResultsShape(t *testing.T) {
	c := connect(t)
	ctx := ctxT(t)
	steps := []struct {
		sql      string
		names    []string
		types    []proto.FieldType
		wantRow0 []any
	}{
		{"SELECT 1 AS a, 'x' AS b", []string{"a", "b"}, []proto.FieldType{proto.TypeLong, proto.TypeVarString}, []any{int64(1), "x"}},
		{"SELECT 'y' AS a, 2 AS b", []string{"a", "b"}, []proto.FieldType{proto.TypeVarString, proto.TypeLong}, []any{"y", int64(2)}},
		{"SELECT 3 AS b, 'z' AS a", []string{"b", "a"}, []proto.FieldType{proto.TypeLong, proto.TypeVarString}, []any{int64(3), "z"}},
		{"SELECT 1 AS a, 'x' AS b", []string{"a", "b"}, []proto.FieldType{proto.TypeLong, proto.TypeVarString}, []any{int64(1), "x"}},
		{"SELECT 4 AS a", []string{"a"}, []proto.FieldType{proto.TypeLong}, []any{int64(4)}},
	}
	shared := c.Cursor()
	for round := 0; round < 2; round++ {
		for _, st := range steps {
			// The same statements through one reused cursor and through
			// a fresh cursor each time.
			for _, fresh := range []bool{false, true} {
				cur := shared
				if fresh {
					cur = c.Cursor()
				}
				if _, err := cur.Execute(ctx, st.sql); err != nil {
					t.Fatal(err)
				}
				desc := cur.Description()
				if len(desc) != len(st.names) {
					t.Fatalf("%s (fresh=%v): %d columns, want %d", st.sql, fresh, len(desc), len(st.names))
				}
				for i, col := range desc {
					if col.Name != st.names[i] || col.Type != st.types[i] {
						t.Errorf("%s (fresh=%v): column %d = %s %v, want %s %v", st.sql, fresh, i, col.Name, col.Type, st.names[i], st.types[i])
					}
				}
				row, err := cur.FetchOne(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for i := range row {
					if row[i] != st.wantRow0[i] {
						t.Errorf("%s (fresh=%v): value %d = %#v, want %#v", st.sql, fresh, i, row[i], st.wantRow0[i])
					}
				}
			}
		}
	}
}

// TestFreshCursorPointSelectAllocations: a cursor per query, as aiomysql
// code does it, costs one allocation (the cursor itself) once the
// connection has seen the statement's columns. A ctx that can end adds
// the registration that lets it interrupt the command.
func TestFreshCursorPointSelectAllocations(t *testing.T) {
	c := connect(t)
	deadline, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		max  float64
	}{
		{"background ctx", context.Background(), 1},
		{"ctx with a deadline", deadline, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			var v int64
			var text []byte
			run := func() {
				cur := c.Cursor()
				if _, err := cur.Execute(ctx, "SELECT 42 AS v, 'text' AS s"); err != nil {
					t.Fatal(err)
				}
				for cur.Next(ctx) {
					if err := cur.Scan(&v, (*rawBytes)(&text)); err != nil {
						t.Fatal(err)
					}
				}
			}
			run()
			if allocs := testing.AllocsPerRun(200, run); allocs > tc.max {
				t.Errorf("fresh-cursor point select: %.1f allocations per query, want at most %.0f", allocs, tc.max)
			}
			if v != 42 || string(text) != "text" {
				t.Errorf("scanned %d, %q; want 42, \"text\"", v, text)
			}
		})
	}
}

// TestBinaryScanMatchesText scans the same row from the text and the
// binary protocol into byte and integer destinations: the binary cursor
// must accept sql.RawBytes for strings and give identical values.
func TestBinaryScanMatchesText(t *testing.T) {
	c := connect(t)
	ctx := ctxT(t)
	const q = "SELECT CAST(? AS SIGNED), CAST(-5 AS SIGNED), 'héllo', CAST(12.50 AS DECIMAL(6,2)), CAST('blob' AS BINARY), CAST(7 AS UNSIGNED)"
	type row struct {
		i, neg int64
		s      sql.RawBytes
		dec    string
		blob   []byte
		u      int64
	}
	scan := func(binary bool) row {
		cur := c.Cursor()
		cur.Binary = binary
		if _, err := cur.Execute(ctx, q, 41); err != nil {
			t.Fatal(err)
		}
		var r row
		if !cur.Next(ctx) {
			t.Fatalf("binary=%v: no row: %v", binary, cur.Err())
		}
		if err := cur.Scan(&r.i, &r.neg, &r.s, &r.dec, &r.blob, &r.u); err != nil {
			t.Fatalf("binary=%v: %v", binary, err)
		}
		r.s = append(sql.RawBytes(nil), r.s...)
		return r
	}
	text, bin := scan(false), scan(true)
	want := row{41, -5, sql.RawBytes("héllo"), "12.50", []byte("blob"), 7}
	for name, got := range map[string]row{"text": text, "binary": bin} {
		if got.i != want.i || got.neg != want.neg || string(got.s) != string(want.s) ||
			got.dec != want.dec || string(got.blob) != string(want.blob) || got.u != want.u {
			t.Errorf("%s protocol scanned %+v, want %+v", name, got, want)
		}
	}
}

// TestClosedCursorsLendTheirRowBuffers: a cursor per 200-row query, closed
// after use, reuses the row buffers the previous one grew, so it costs
// only the cursor itself; and the rows read are each query's own.
func TestClosedCursorsLendTheirRowBuffers(t *testing.T) {
	c := connect(t)
	ctx := context.Background()
	var id int64
	var pad sql.RawBytes
	start := 0
	run := func() {
		start++
		cur := c.Cursor()
		defer cur.Close(ctx)
		// No arguments: their slice would be an allocation of the test's.
		q := "SELECT seq, REPEAT('p', 60) FROM seq_1_to_200 WHERE seq >= 1"
		if start%2 == 1 {
			q = "SELECT seq, REPEAT('p', 60) FROM seq_1_to_200 WHERE seq >= 2"
		}
		if _, err := cur.Execute(ctx, q); err != nil {
			t.Fatal(err)
		}
		first := true
		for cur.Next(ctx) {
			if err := cur.Scan(&id, &pad); err != nil {
				t.Fatal(err)
			}
			if first && id != int64(start%2+1) {
				t.Fatalf("first row %d, want %d", id, start%2+1)
			}
			first = false
		}
	}
	run()
	if allocs := testing.AllocsPerRun(100, run); allocs > 1 {
		t.Errorf("cursor per 200-row query: %.1f allocations, want at most 1", allocs)
	}
}
