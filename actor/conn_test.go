package actor_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
)

func TestConnectReportsSessionFacts(t *testing.T) {
	c := connect(t)
	cfg := testConfig(t)
	if c.ThreadID() == 0 {
		t.Error("ThreadID is 0")
	}
	row := queryRow(t, c, "SELECT CONNECTION_ID(), VERSION(), DATABASE(), @@character_set_client, @@collation_connection")
	if got := uint32(row[0].(uint64)); got != c.ThreadID() {
		t.Errorf("ThreadID() = %d, server says %d", c.ThreadID(), got)
	}
	if v := row[1].(string); v != c.ServerVersion() {
		t.Errorf("ServerVersion() = %q, server says %q", c.ServerVersion(), v)
	}
	if db, _ := row[2].(string); db != cfg.DB || c.DB() != cfg.DB {
		t.Errorf("DB() = %q, server database %q, configured %q", c.DB(), db, cfg.DB)
	}
	if cs := row[3].(string); cs != "utf8mb4" || c.Charset() != "utf8mb4" {
		t.Errorf("charset: Charset() = %q, server %q, want utf8mb4", c.Charset(), cs)
	}
	if coll := row[4].(string); coll != c.Collation() {
		t.Errorf("Collation() = %q, server %q", c.Collation(), coll)
	}
	if c.Encoding() != "utf-8" {
		t.Errorf("Encoding() = %q", c.Encoding())
	}
	if c.User() != cfg.User || c.Host() != cfg.Host && cfg.Host != "" {
		t.Errorf("User/Host = %q/%q, configured %q/%q", c.User(), c.Host(), cfg.User, cfg.Host)
	}
	if c.Closed() {
		t.Error("Closed() true on a fresh connection")
	}
}

func TestConnectAttributesAreSent(t *testing.T) {
	c := connect(t, func(cfg *actor.Config) { cfg.ProgramName = "amysql-test" })
	cur := c.Cursor()
	_, err := cur.Execute(ctxT(t), "SELECT ATTR_NAME, ATTR_VALUE FROM performance_schema.session_connect_attrs WHERE PROCESSLIST_ID = CONNECTION_ID()")
	if err != nil {
		t.Skipf("performance_schema not available: %v", err)
	}
	rows, err := cur.FetchAll(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Skip("performance_schema is off on this server")
	}
	got := map[string]string{}
	for _, r := range rows {
		got[r[0].(string)] = r[1].(string)
	}
	if got["_client_name"] != "amysql" || got["program_name"] != "amysql-test" {
		t.Errorf("connect attributes = %v", got)
	}
}

func TestWrongPasswordIsAccessDenied(t *testing.T) {
	cfg := testConfig(t)
	cfg.Password = "definitely-wrong-" + cfg.Password
	_, err := actor.Connect(ctxT(t), cfg)
	var se *proto.Error
	if !errors.As(err, &se) || se.Code != 1045 || se.SQLState != "28000" {
		t.Fatalf("Connect with a wrong password = %v, want server error 1045 (28000)", err)
	}
	if strings.Contains(err.Error(), cfg.Password) {
		t.Errorf("error %q contains the password", err)
	}
}

func TestConnectTimeoutCoversTheHandshake(t *testing.T) {
	// A listener that accepts but never greets: the handshake must time out.
	ln := silentListener(t)
	cfg := actor.Config{Host: "127.0.0.1", Port: ln, User: "x", ConnectTimeout: 200 * time.Millisecond}
	start := time.Now()
	_, err := actor.Connect(context.Background(), cfg)
	if err == nil {
		t.Fatal("Connect to a silent server succeeded")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Connect took %v with a 200ms timeout", d)
	}
}

func TestPingDoesNotReconnect(t *testing.T) {
	c := connect(t)
	if err := c.Ping(ctxT(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	admin := connect(t)
	if err := admin.Kill(ctxT(t), c.ThreadID()); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	err := c.Ping(ctxT(t))
	if err == nil {
		t.Fatal("Ping on a killed connection succeeded")
	}
	if !actor.IsBadConn(err) {
		t.Errorf("Ping error = %v, want a bad-connection error", err)
	}
	// A broken connection fails fast afterwards, with the same class.
	start := time.Now()
	if err := c.Ping(ctxT(t)); !actor.IsBadConn(err) {
		t.Errorf("second Ping = %v, want a bad-connection error", err)
	}
	if time.Since(start) > 100*time.Millisecond {
		t.Error("command on a broken connection did not fail at once")
	}
	if !c.Closed() {
		t.Error("Closed() = false after the connection broke")
	}
}

func TestClosedConnectionFailsFast(t *testing.T) {
	c := connect(t)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	tests := []struct {
		name string
		call func() error
	}{
		{"Ping", func() error { return c.Ping(ctxT(t)) }},
		{"Begin", func() error { return c.Begin(ctxT(t)) }},
		{"SelectDB", func() error { return c.SelectDB(ctxT(t), "test") }},
		{"Execute", func() error { _, err := c.Cursor().Execute(ctxT(t), "SELECT 1"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, actor.ErrConnClosed) {
				t.Errorf("%s on closed conn = %v, want ErrConnClosed", tt.name, err)
			}
		})
	}
}

// TestCloseStopsTheActor closes a connection that is idle, that runs a
// command, and that has commands queued behind it in its mailbox: the
// actor goroutine stops, and every caller gets an answer.
func TestCloseStopsTheActor(t *testing.T) {
	for _, queued := range []int{-1, 0, 3} { // -1: idle
		t.Run(fmt.Sprintf("queued=%d", queued), func(t *testing.T) {
			c := connect(t)
			errs := make(chan error, queued+1)
			if queued >= 0 {
				for i := 0; i <= queued; i++ {
					go func() {
						_, err := c.Cursor().Execute(ctxT(t), "SELECT SLEEP(5)")
						errs <- err
					}()
				}
				// Wait until one runs and the rest wait for the wire.
				for deadline := time.Now().Add(5 * time.Second); actor.InFlight(c) < queued+1; {
					if time.Now().After(deadline) {
						t.Fatalf("%d commands in flight, want %d", actor.InFlight(c), queued+1)
					}
					time.Sleep(time.Millisecond)
				}
			}
			start := time.Now()
			c.Close()
			select {
			case <-c.Done():
			case <-time.After(3 * time.Second):
				t.Fatal("the actor goroutine did not stop after Close")
			}
			for i := 0; i <= queued; i++ {
				if err := <-errs; err == nil {
					t.Error("a command on a closed connection succeeded")
				}
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("callers answered %v after Close, want at once", d)
			}
		})
	}
}

func TestEnsureClosedSendsQuit(t *testing.T) {
	c := connect(t)
	admin := connect(t)
	id := c.ThreadID()
	if err := c.EnsureClosed(ctxT(t)); err != nil {
		t.Fatalf("EnsureClosed: %v", err)
	}
	if !c.Closed() {
		t.Error("Closed() false after EnsureClosed")
	}
	// The server forgets the session promptly.
	deadline := time.Now().Add(2 * time.Second)
	for {
		row := queryRow(t, admin, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", id)
		if row[0].(int64) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("session still in the process list after EnsureClosed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSelectDBChangesTheCurrentDatabase(t *testing.T) {
	c := connect(t)
	if err := c.SelectDB(ctxT(t), "information_schema"); err != nil {
		t.Fatal(err)
	}
	if got := queryRow(t, c, "SELECT DATABASE()")[0]; got != "information_schema" || c.DB() != "information_schema" {
		t.Errorf("after SelectDB: server %v, DB() %q", got, c.DB())
	}
	err := c.SelectDB(ctxT(t), "no_such_db_amysql")
	var se *proto.Error
	if !errors.As(err, &se) || se.Code != 1049 {
		t.Errorf("SelectDB(unknown) = %v, want error 1049", err)
	}
	if err := c.Ping(ctxT(t)); err != nil {
		t.Errorf("connection unusable after a server error: %v", err)
	}
}

func TestAutocommitToggle(t *testing.T) {
	off, on := false, true
	for _, tt := range []struct {
		name string
		cfg  *bool
		want bool
	}{
		{"server default", nil, true},
		{"configured off", &off, false},
		{"configured on", &on, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := connect(t, func(cfg *actor.Config) { cfg.Autocommit = tt.cfg })
			if c.Autocommit() != tt.want {
				t.Errorf("Autocommit() = %v, want %v", c.Autocommit(), tt.want)
			}
			if got := queryRow(t, c, "SELECT @@autocommit")[0].(int64) == 1; got != tt.want {
				t.Errorf("server autocommit = %v, want %v", got, tt.want)
			}
			if err := c.SetAutocommit(ctxT(t), !tt.want); err != nil {
				t.Fatal(err)
			}
			if c.Autocommit() == tt.want {
				t.Error("Autocommit() did not follow SetAutocommit")
			}
			if got := queryRow(t, c, "SELECT @@autocommit")[0].(int64) == 1; got == tt.want {
				t.Error("server autocommit did not follow SetAutocommit")
			}
		})
	}
}

func TestTransactionsAreIsolatedUntilCommit(t *testing.T) {
	c := connect(t)
	other := connect(t)
	tbl := tempTable(t, c, "amysql_tx", "(id INT PRIMARY KEY) ENGINE=InnoDB")
	count := func() int64 {
		return queryRow(t, other, "SELECT COUNT(*) FROM "+tbl)[0].(int64)
	}
	ctx := ctxT(t)
	if err := c.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	if !c.InTransaction() {
		t.Error("InTransaction() false after Begin")
	}
	mustExec(t, c, "INSERT INTO "+tbl+" VALUES (1)")
	if n := count(); n != 0 {
		t.Errorf("uncommitted row visible to another connection: count %d", n)
	}
	if err := c.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Errorf("rolled back row visible: count %d", n)
	}
	if err := c.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	mustExec(t, c, "INSERT INTO "+tbl+" VALUES (2)")
	if err := c.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if c.InTransaction() {
		t.Error("InTransaction() true after Commit")
	}
	if n := count(); n != 1 {
		t.Errorf("committed row not visible: count %d", n)
	}
}

func TestInsertIDAndAffectedRows(t *testing.T) {
	c := connect(t)
	tbl := tempTable(t, c, "amysql_ids", "(id INT AUTO_INCREMENT PRIMARY KEY, v INT)")
	cur := c.Cursor()
	n, err := cur.Execute(ctxT(t), "INSERT INTO "+tbl+" (v) VALUES (?), (?), (?)", 1, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || c.AffectedRows() != 3 || cur.RowCount() != 3 {
		t.Errorf("insert: Execute=%d AffectedRows=%d RowCount=%d, want 3", n, c.AffectedRows(), cur.RowCount())
	}
	if c.InsertID() != 1 || cur.LastRowID() != 1 {
		t.Errorf("InsertID=%d LastRowID=%d, want 1 (first id of a multi-row insert)", c.InsertID(), cur.LastRowID())
	}
	n, err = cur.Execute(ctxT(t), "UPDATE "+tbl+" SET v = v + 1 WHERE v >= ?", 2)
	if err != nil || n != 2 {
		t.Errorf("update: %d, %v; want 2 rows", n, err)
	}
}

func TestShowWarningsIsExplicit(t *testing.T) {
	c := connect(t)
	cur := c.Cursor()
	if _, err := cur.Execute(ctxT(t), "SELECT CAST('12abc' AS SIGNED)"); err != nil {
		t.Fatal(err)
	}
	if cur.WarningCount() != 1 || c.WarningCount() != 1 {
		t.Errorf("warning counts: cursor %d, conn %d, want 1", cur.WarningCount(), c.WarningCount())
	}
	ws, err := c.ShowWarnings(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 || ws[0].Level != "Warning" || ws[0].Code != 1292 || !strings.Contains(ws[0].Message, "12abc") {
		t.Errorf("ShowWarnings = %+v", ws)
	}
}

func TestEscapeHonoursNoBackslashEscapes(t *testing.T) {
	c := connect(t)
	for _, tt := range []struct {
		mode string
		want string
	}{
		{"", `'it\'s \\ ok'`},
		{"NO_BACKSLASH_ESCAPES", `'it''s \ ok'`},
	} {
		mustExec(t, c, "SET sql_mode = ?", tt.mode)
		got, err := c.Escape(`it's \ ok`)
		if err != nil || got != tt.want {
			t.Errorf("sql_mode %q: Escape = %s, %v; want %s", tt.mode, got, err, tt.want)
		}
		// And the server reads it back unchanged.
		if v := queryRow(t, c, "SELECT "+got)[0]; v != `it's \ ok` {
			t.Errorf("sql_mode %q: server read %q", tt.mode, v)
		}
	}
}

func TestResetSessionClearsStateAndReappliesConfig(t *testing.T) {
	off := false
	c := connect(t, func(cfg *actor.Config) {
		cfg.Autocommit = &off
		cfg.SQLMode = "ANSI_QUOTES"
		cfg.InitCommand = "SET @init = 42"
	})
	mustExec(t, c, "SET @user_var = 1")
	mustExec(t, c, "SET sql_mode = ''")
	if err := c.ResetSession(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	row := queryRow(t, c, "SELECT @user_var, @init, @@sql_mode, @@autocommit, DATABASE()")
	if row[0] != nil {
		t.Errorf("@user_var = %v after reset, want NULL", row[0])
	}
	if row[1] != int64(42) {
		t.Errorf("@init = %v, want 42 (init command re-run)", row[1])
	}
	if row[2] != "ANSI_QUOTES" {
		t.Errorf("sql_mode = %v, want ANSI_QUOTES", row[2])
	}
	if row[3] != int64(0) {
		t.Errorf("autocommit = %v, want 0", row[3])
	}
	if row[4] != testConfig(t).DB {
		t.Errorf("DATABASE() = %v", row[4])
	}
}

func TestKillEndsAnotherSession(t *testing.T) {
	victim := connect(t)
	c := connect(t)
	if err := c.Kill(ctxT(t), victim.ThreadID()); err != nil {
		t.Fatal(err)
	}
	if _, err := victim.Cursor().Execute(ctxT(t), "SELECT 1"); !actor.IsBadConn(err) {
		t.Errorf("query on killed session = %v, want bad connection", err)
	}
}

func TestConfigStringHidesPassword(t *testing.T) {
	cfg := actor.Config{User: "u", Password: "s3cr3t-pw", Host: "db", Port: 3306, DB: "app"}
	for _, s := range []string{cfg.String(), fmtV(cfg), fmtPlusV(cfg), fmtSharpV(cfg)} {
		if strings.Contains(s, "s3cr3t-pw") {
			t.Errorf("formatted config %q contains the password", s)
		}
	}
}

func TestACommandOnAResetSocketIsNotSent(t *testing.T) {
	cfg, proxy := proxied(t)
	c := connectCfg(t, cfg)
	proxy.ResetAll() // the server side went away with a TCP reset
	for deadline := time.Now().Add(2 * time.Second); c.Alive() && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	_, err := c.Cursor().Execute(ctxT(t), "INSERT INTO never_reached VALUES (1)")
	if !actor.IsBadConn(err) || !actor.SafeToRetry(err) {
		t.Fatalf("Execute on a reset socket = %v: want a bad connection that is SafeToRetry (nothing was sent)", err)
	}
	if !c.Closed() {
		t.Error("the connection is not closed")
	}
}
