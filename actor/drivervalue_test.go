package actor_test

import (
	"database/sql/driver"
	"fmt"
	"testing"

	"github.com/amysql/amysql/actor"
)

// DriverValues hands text values over without allocating, row after row,
// in both protocols, and each row's values are that row's.
func TestDriverValuesOfTextColumnsAllocateNothingPerRow(t *testing.T) {
	for _, binary := range []bool{false, true} {
		t.Run(fmt.Sprintf("binary=%v", binary), func(t *testing.T) {
			c := connect(t)
			ctx := ctxT(t)
			cur := c.Cursor(actor.SSCursor)
			cur.Binary = binary
			if _, err := cur.Execute(ctx, "SELECT CONCAT('c', seq), REPEAT('p', seq % 7) FROM seq_1_to_2000 WHERE seq > ?", 0); err != nil {
				t.Fatal(err)
			}
			dest := make([]driver.Value, 2)
			row := 0
			next := func() {
				if !cur.Next(ctx) {
					t.Fatalf("row %d: no row: %v", row+1, cur.Err())
				}
				row++
				if err := cur.DriverValues(dest); err != nil {
					t.Fatal(err)
				}
			}
			next() // buffers grow on the first row
			if allocs := testing.AllocsPerRun(1000, next); allocs != 0 {
				t.Errorf("%.2f allocations per row, want 0", allocs)
			}
			next()
			c1, ok1 := dest[0].([]byte)
			c2, ok2 := dest[1].([]byte)
			if !ok1 || !ok2 || string(c1) != fmt.Sprintf("c%d", row) || len(c2) != row%7 {
				t.Errorf("row %d: %T %q, %T %q", row, dest[0], dest[0], dest[1], dest[1])
			}
			if err := cur.Close(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
