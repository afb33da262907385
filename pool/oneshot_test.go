package pool_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/faultproxy"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/pool"
	"github.com/amysql/amysql/proto"
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

// deadlockOnce makes fn's first run the victim of a real InnoDB deadlock:
// another transaction that changed many rows (so InnoDB keeps it) holds a
// row fn needs while waiting for the one fn took.
func deadlockOnce(t *testing.T, p *pool.Pool, tbl string) (fn func(*pool.Conn) error, runs *int) {
	var n int
	other, err := p.Acquire(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return func(c *pool.Conn) error {
		n++
		if _, err := c.Cursor().Execute(ctxT(t), "UPDATE "+tbl+" SET v = v + 1 WHERE id = 1"); err != nil {
			return err
		}
		if n == 1 {
			mustExecConn(t, other, "BEGIN")
			mustExecConn(t, other, "UPDATE "+tbl+" SET v = v + 1 WHERE id >= 2")
			go func() {
				// Waits for row 1, which fn holds: the deadlock.
				other.Cursor().Execute(context.Background(), "UPDATE "+tbl+" SET v = v + 1 WHERE id = 1")
				other.Cursor().Execute(context.Background(), "COMMIT")
				other.Release()
			}()
			time.Sleep(200 * time.Millisecond) // let it take its place in the lock queue
		}
		_, err := c.Cursor().Execute(ctxT(t), "UPDATE "+tbl+" SET v = v + 1 WHERE id = 2")
		return err
	}, &n
}

func TestInTxRunsAgainAfterADeadlock(t *testing.T) {
	for _, retries := range []int{0, 2} {
		t.Run(fmt.Sprint("TxRetries=", retries), func(t *testing.T) {
			p, err := pool.New(pool.Config{Conn: connConfig(t), MaxSize: 4, TxRetries: retries})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(p.Close)
			tbl := fmt.Sprintf("amysql_deadlock_%d", retries)
			if _, err := p.Execute(ctxT(t), "CREATE TABLE "+tbl+" (id INT PRIMARY KEY, v INT) ENGINE=InnoDB"); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.Execute(context.Background(), "DROP TABLE "+tbl) })
			if _, err := p.Execute(ctxT(t), "INSERT INTO "+tbl+" SELECT seq, 0 FROM seq_1_to_200"); err != nil {
				t.Fatal(err)
			}
			fn, runs := deadlockOnce(t, p, tbl)
			err = p.InTx(ctxT(t), fn)
			if retries == 0 {
				var se *proto.Error
				if !errors.As(err, &se) || se.Code != proto.ErLockDeadlock || !actor.SafeToRetry(err) {
					t.Fatalf("InTx without retries = %v, want deadlock 1213, SafeToRetry", err)
				}
				return
			}
			if err != nil || *runs != 2 {
				t.Fatalf("InTx = %v after %d runs, want success on the second", err, *runs)
			}
			row, err := p.QueryRow(ctxT(t), "SELECT v FROM "+tbl+" WHERE id = 1")
			if err != nil || row[0] != int64(2) { // the other transaction's +1 and the retry's
				t.Errorf("row 1 = %v, %v; want 2", row, err)
			}
		})
	}
}

func TestOneShotHelpersRunAStatementThatWasNotSentAgain(t *testing.T) {
	tg := testserver.FromEnv(t)
	proxy := faultproxy.Start(t, fmt.Sprintf("%s:%d", tg.Host, tg.Port))
	cfg := connConfig(t)
	cfg.UnixSocket, cfg.Host, cfg.Port = "", "127.0.0.1", proxy.Port()
	// No look at the idle connection on acquire: the dead one is used.
	p, err := pool.New(pool.Config{Conn: cfg, MinSize: 1, MaxSize: 2, PeekIdle: time.Hour, PingIdle: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	proxy.ResetAll() // the server went away from the idle connection
	time.Sleep(100 * time.Millisecond)
	row, err := p.QueryRow(ctxT(t), "SELECT 'ran once'")
	if err != nil || row[0] != "ran once" {
		t.Fatalf("QueryRow over a dead idle connection = %v, %v; want it run on a new one", row, err)
	}
	if s := p.Stat(); s.Destroyed["broken"] != 1 || s.NewConns != 2 {
		t.Errorf("destroyed %v, opened %d: want the dead connection replaced", s.Destroyed, s.NewConns)
	}
}
