package pool_test

import (
	"errors"
	"testing"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/pool"
)

func TestAReleasedConnNeverReachesTheNextHolder(t *testing.T) {
	p, err := pool.New(pool.Config{Conn: connConfig(t), MinSize: 1, MaxSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	ctx := ctxT(t)

	stale, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	staleCur := stale.Cursor()
	staleStmt, err := stale.Prepare(ctx, "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	thread := stale.ThreadID()
	stale.Release()

	holder, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Release()
	if holder.ThreadID() != thread {
		t.Fatalf("the pool of one handed out thread %d after %d", holder.ThreadID(), thread)
	}
	mustExecConn(t, holder, "SET @owner = 'holder'")

	uses := []struct {
		name string
		use  func() error
	}{
		{"Execute on the handle", func() error { _, err := stale.Cursor().Execute(ctx, "SET @owner = 'stale'"); return err }},
		{"Execute on a cursor made before Release", func() error { _, err := staleCur.Execute(ctx, "SET @owner = 'stale'"); return err }},
		{"Begin", func() error { return stale.Begin(ctx) }},
		{"SetAutocommit", func() error { return stale.SetAutocommit(ctx, false) }},
		{"a statement prepared before Release", func() error { _, err := staleStmt.Execute(ctx); return err }},
		{"closing that statement", func() error { return staleStmt.Close(ctx) }},
		{"ResetSession", func() error { return stale.ResetSession(ctx) }},
		{"Ping", func() error { return stale.Ping(ctx) }},
		{"Close", func() error { return stale.Close() }},
		{"EnsureClosed", func() error { return stale.EnsureClosed(ctx) }},
	}
	for _, u := range uses {
		err := u.use()
		if !errors.Is(err, pool.ErrReleased) || !actor.SafeToRetry(err) {
			t.Errorf("%s after Release = %v, want ErrReleased (nothing sent)", u.name, err)
		}
	}
	if !stale.Closed() || !errors.Is(stale.Err(), pool.ErrReleased) {
		t.Errorf("released handle: Closed %v, Err %v", stale.Closed(), stale.Err())
	}

	row := queryRowConn(t, holder, "SELECT @owner, @@autocommit")
	if row[0] != "holder" || row[1] != int64(1) || holder.InTransaction() || holder.Closed() {
		t.Errorf("the holder sees @owner %v, autocommit %v, in transaction %v, closed %v", row[0], row[1], holder.InTransaction(), holder.Closed())
	}
	stale.Release() // a second Release does nothing either
	if _, err := holder.Cursor().Execute(ctx, "SELECT 1"); err != nil {
		t.Errorf("the holder's connection after the stale handle's second Release: %v", err)
	}
}

func mustExecConn(t *testing.T, c *pool.Conn, q string) {
	t.Helper()
	if _, err := c.Cursor().Execute(ctxT(t), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func queryRowConn(t *testing.T, c *pool.Conn, q string) []any {
	t.Helper()
	cur := c.Cursor()
	if _, err := cur.Execute(ctxT(t), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	row, err := cur.FetchOne(ctxT(t))
	if err != nil || row == nil {
		t.Fatalf("%s: %v, %v", q, row, err)
	}
	return row
}
