package pool_test

import (
	"errors"
	"testing"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/pool"
)

func TestOneShotHelpersGiveTheShapeTheirNameSays(t *testing.T) {
	for _, class := range []actor.CursorKind{actor.TupleCursor, actor.DictCursor, actor.SSDictCursor} {
		t.Run(class.String(), func(t *testing.T) {
			cfg := connConfig(t)
			cfg.CursorClass = class
			p, err := pool.New(pool.Config{Conn: cfg, MaxSize: 2})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(p.Close)
			q := "SELECT 1 AS id, 'ann' AS name"
			dict, err := p.FetchAllDict(ctxT(t), q)
			if err != nil || len(dict) != 1 || dict[0]["name"] != "ann" {
				t.Errorf("FetchAllDict = %v, %v", dict, err)
			}
			one, err := p.QueryRowDict(ctxT(t), q)
			if err != nil || one["id"] != int64(1) {
				t.Errorf("QueryRowDict = %v, %v", one, err)
			}
			tuples, err := p.FetchAll(ctxT(t), q)
			if err != nil || len(tuples) != 1 || tuples[0][1] != "ann" {
				t.Errorf("FetchAll = %v, %v", tuples, err)
			}
			row, err := p.QueryRow(ctxT(t), q)
			if err != nil || row[0] != int64(1) {
				t.Errorf("QueryRow = %v, %v", row, err)
			}
			if _, err := p.QueryRowDict(ctxT(t), "SELECT 1 FROM DUAL WHERE 0"); !errors.Is(err, pool.ErrNoRows) {
				t.Errorf("QueryRowDict without rows = %v, want ErrNoRows", err)
			}
		})
	}
}
