package actor_test

import (
	"errors"
	"testing"

	"github.com/amysql/amysql/actor"
)

// A GBK lead byte before a quote: escaping it byte-wise gives 0xbf 0x5c
// 0x27, which GBK reads as one character and a bare quote.
const gbkAttack = "\xbf' OR 1=1 -- "

func TestInterpolationIsRefusedOnUnsafeMultibyteCharsets(t *testing.T) {
	for _, cs := range []string{"gbk", "sjis", "big5"} {
		t.Run(cs, func(t *testing.T) {
			c := connect(t, func(cfg *actor.Config) { cfg.Charset = cs })
			cur := c.Cursor()
			checks := []struct {
				name string
				call func() error
			}{
				{"Execute", func() error { _, err := cur.Execute(ctxT(t), "SELECT ?", gbkAttack); return err }},
				{"Mogrify", func() error { _, err := cur.Mogrify("SELECT ?", gbkAttack); return err }},
				{"Escape", func() error { _, err := c.Escape(gbkAttack); return err }},
				{"ExecuteMany", func() error {
					_, err := cur.ExecuteMany(ctxT(t), "INSERT INTO nowhere VALUES (?)", [][]any{{gbkAttack}})
					return err
				}},
				{"CallProc", func() error { _, err := cur.CallProc(ctxT(t), "p", gbkAttack); return err }},
			}
			for _, ch := range checks {
				if err := ch.call(); !errors.Is(err, actor.ErrUnsafeCharset) {
					t.Errorf("%s on a %s connection = %v, want ErrUnsafeCharset", ch.name, cs, err)
				}
			}
			// Without arguments nothing is interpolated, and server-side
			// prepared statements stay available.
			if got := queryRow(t, c, "SELECT 'plain'")[0]; got != "plain" {
				t.Errorf("plain query: %v", got)
			}
			cur.Binary = true
			if _, err := cur.Execute(ctxT(t), "SELECT ? = ?", gbkAttack, gbkAttack); err != nil {
				t.Fatalf("binary cursor: %v", err)
			}
			if row, _ := cur.FetchOne(ctxT(t)); row[0] != int64(1) {
				t.Errorf("the attack string did not round-trip as data: %v", row)
			}
		})
	}
}
