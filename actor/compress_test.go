package actor_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/amysql/amysql/actor"
)

func TestCompressedProtocol(t *testing.T) {
	c := connect(t, func(cfg *actor.Config) { cfg.Compress = true })
	if !c.Compressed() {
		t.Fatal("Compressed() = false against a server that supports compression")
	}
	ctx := ctxT(t)
	// A result far larger than one compressed packet, read both ways.
	for _, kind := range []actor.CursorKind{actor.TupleCursor, actor.SSCursor} {
		cur := c.Cursor(kind)
		if _, err := cur.Execute(ctx, "SELECT seq, REPEAT(CHAR(65 + seq % 26), 200) FROM seq_1_to_100000"); err != nil {
			t.Fatal(err)
		}
		n, sum := 0, int64(0)
		var id int64
		var s []byte
		for cur.Next(ctx) {
			if err := cur.Scan(&id, &s); err != nil {
				t.Fatal(err)
			}
			if len(s) != 200 || s[0] != byte('A'+id%26) {
				t.Fatalf("row %d: bad value %q", id, s[:10])
			}
			sum += id
			n++
		}
		if err := cur.Err(); err != nil || n != 100000 || sum != 5000050000 {
			t.Fatalf("%v: %d rows, sum %d, %v", kind, n, sum, err)
		}
	}
	// Big values both ways, incompressible and compressible.
	random := make([]byte, 3<<20)
	for i := range random {
		random[i] = byte(i*7919 + i>>8)
	}
	for _, v := range [][]byte{random, bytes.Repeat([]byte("z"), 5<<20), []byte("tiny")} {
		row := queryRow(t, c, "SELECT ?, LENGTH(?)", v, v)
		if !bytes.Equal(row[0].([]byte), v) || row[1] != int64(len(v)) {
			t.Errorf("%d-byte value did not round-trip compressed", len(v))
		}
	}
	// Prepared statements and cancellation work compressed too.
	st, err := c.Prepare(ctx, "SELECT ? * 2")
	if err != nil {
		t.Fatal(err)
	}
	cur, err := st.Open(ctx, actor.TupleCursor, 21)
	if err != nil {
		t.Fatal(err)
	}
	if row, _ := cur.FetchOne(ctx); row[0] != int64(42) {
		t.Errorf("prepared statement: %v", row)
	}
	cctx, cancel := context.WithTimeout(context.Background(), 50*1e6)
	defer cancel()
	if _, err := c.Cursor().Execute(cctx, "SELECT SLEEP(5)"); err == nil {
		t.Fatal("SLEEP(5) not cancelled")
	}
	if row := queryRow(t, c, "SELECT 'after cancel'"); row[0] != "after cancel" {
		t.Errorf("after cancel: %v", row)
	}
}

// BenchmarkLargeResultCompression reads 50,000 rows of 200 bytes with and
// without protocol compression.
func BenchmarkLargeResultCompression(b *testing.B) {
	for _, compress := range []bool{false, true} {
		name := "plain"
		if compress {
			name = "compressed"
		}
		b.Run(name, func(b *testing.B) {
			c := connect(b, func(cfg *actor.Config) { cfg.Compress = compress })
			ctx := context.Background()
			cur := c.Cursor(actor.SSCursor)
			var id int64
			var s []byte
			b.ReportAllocs()
			b.SetBytes(50000 * 210)
			for i := 0; i < b.N; i++ {
				if _, err := cur.Execute(ctx, "SELECT seq, REPEAT('x', 200) FROM seq_1_to_50000"); err != nil {
					b.Fatal(err)
				}
				for cur.Next(ctx) {
					cur.Scan(&id, &s)
				}
			}
		})
	}
}
