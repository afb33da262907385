package actor_test

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/amysql/amysql/internal/testserver"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
)

func TestCharsetAndCollationAreApplied(t *testing.T) {
	tests := []struct {
		name, charset, collation string
		wantCharset, wantColl    string
	}{
		{"defaults", "", "", "utf8mb4", ""},
		{"collation in the handshake", "utf8mb4", "utf8mb4_unicode_ci", "utf8mb4", "utf8mb4_unicode_ci"},
		{"collation id above 255 needs SET NAMES", "utf8mb4", "utf8mb4_uca1400_ai_ci", "utf8mb4", "utf8mb4_uca1400_ai_ci"},
		{"another charset", "latin1", "", "latin1", "latin1_swedish_ci"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := connect(t, func(cfg *actor.Config) { cfg.Charset, cfg.Collation = tt.charset, tt.collation })
			row := queryRow(t, c, "SELECT @@character_set_connection, @@collation_connection, @@character_set_results")
			if row[0] != tt.wantCharset || row[2] != tt.wantCharset {
				t.Errorf("server charset = %v / results %v, want %s", row[0], row[2], tt.wantCharset)
			}
			if tt.wantColl != "" && row[1] != tt.wantColl {
				t.Errorf("server collation = %v, want %s", row[1], tt.wantColl)
			}
			if c.Charset() != tt.wantCharset || c.Collation() != row[1] {
				t.Errorf("Charset()/Collation() = %s/%s, server %v/%v", c.Charset(), c.Collation(), row[0], row[1])
			}
		})
	}
}

func TestEchoLogsStatementsWithoutThePassword(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	cfg := testConfig(t)
	cfg.Echo, cfg.Logger = true, logger
	c := connectCfg(t, cfg)
	if !c.Echo() {
		t.Error("Echo() = false")
	}
	mustExec(t, c, "SELECT ? AS echoed", "marker-value")
	out := buf.String()
	if !strings.Contains(out, "SELECT ? AS echoed") || !strings.Contains(out, "duration=") {
		t.Errorf("log lacks the statement or its duration:\n%s", out)
	}
	if strings.Contains(out, "marker-value") {
		t.Errorf("log contains an argument value:\n%s", out)
	}
	if cfg.Password != "" && strings.Contains(out, cfg.Password) {
		t.Error("log contains the password")
	}
}

func TestLocalInfileServesOnlyWhatIsAllowed(t *testing.T) {
	dir := t.TempDir()
	allowed := filepath.Join(dir, "allowed.csv")
	os.WriteFile(allowed, []byte("1,one\n2,two\n"), 0o600)
	secret := filepath.Join(dir, "secret.csv")
	os.WriteFile(secret, []byte("9,secret\n"), 0o600)
	sub := filepath.Join(dir, "data")
	os.Mkdir(sub, 0o700)
	inDir := filepath.Join(sub, "rows.csv")
	os.WriteFile(inDir, []byte("3,three\n"), 0o600)
	link := filepath.Join(sub, "escape.csv")
	os.Symlink(secret, link)
	big := strings.Repeat("4,"+strings.Repeat("x", 100)+"\n", 30000) // ~3 MiB: several packets

	c := connect(t, func(cfg *actor.Config) {
		cfg.LocalInfile = true
		cfg.LocalInfilePaths = []string{allowed, sub + "/"}
		cfg.LocalInfileReaders = map[string]func() (io.Reader, error){
			"big": func() (io.Reader, error) { return strings.NewReader(big), nil },
		}
	})
	tbl := tempTable(t, c, "amysql_infile", "(id INT, name TEXT)")
	load := func(name string) error {
		_, err := c.Cursor().Execute(ctxT(t), "LOAD DATA LOCAL INFILE ? INTO TABLE "+tbl+" FIELDS TERMINATED BY ','", name)
		return err
	}
	tests := []struct {
		name    string
		file    string
		denied  bool
		wantIDs string
	}{
		{"allowed file", allowed, false, "1,2"},
		{"file under an allowed directory", inDir, false, "3"},
		{"registered reader", "Reader::big", false, "4"},
		{"file not on the list", secret, true, ""},
		{"symlink out of an allowed directory", link, true, ""},
		{"system file", "/etc/passwd", true, ""},
		{"unregistered reader", "Reader::nope", true, ""},
		{"relative path", "allowed.csv", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustExec(t, c, "DELETE FROM "+tbl)
			err := load(tt.file)
			if tt.denied {
				if !errors.Is(err, actor.ErrLocalInfileDenied) {
					t.Fatalf("load = %v, want ErrLocalInfileDenied", err)
				}
				if n := queryRow(t, c, "SELECT COUNT(*) FROM "+tbl)[0]; n != int64(0) {
					t.Errorf("%v rows loaded from a refused file", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := queryRow(t, c, "SELECT GROUP_CONCAT(DISTINCT id ORDER BY id) FROM "+tbl)[0]
			if got != tt.wantIDs {
				t.Errorf("loaded ids %v, want %s", got, tt.wantIDs)
			}
		})
	}
	if n := queryRow(t, c, "SELECT 1")[0]; n != int64(1) {
		t.Error("connection unusable after the LOCAL INFILE tests")
	}
}

func TestLocalInfileOffIsRefusedByCapability(t *testing.T) {
	c := connect(t)
	tbl := tempTable(t, c, "amysql_infile_off", "(line TEXT)")
	_, err := c.Cursor().Execute(ctxT(t), "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE "+tbl)
	if err == nil {
		t.Fatal("LOAD DATA LOCAL ran with LocalInfile off")
	}
	if n := queryRow(t, c, "SELECT COUNT(*) FROM "+tbl)[0]; n != int64(0) {
		t.Errorf("%v rows loaded", n)
	}
}

// queryCounter counts the statements a connection sends.
type queryCounter struct{ n atomic.Int64 }

func (q *queryCounter) ObserveCommand(ev actor.CommandEvent) {
	if ev.Kind == "query" {
		q.n.Add(1)
	}
}

func TestExecuteManyRewritesInsertsIntoFewStatements(t *testing.T) {
	var qc queryCounter
	srv := testserver.Start(t, testserver.Options{Args: []string{"--max-allowed-packet=1M"}})
	cfg := targetConfig(t, srv.Target())
	cfg.Observer = &qc
	c := connectCfg(t, cfg)
	tbl := tempTable(t, c, "amysql_many", "(id INT PRIMARY KEY, name VARCHAR(40), n INT DEFAULT 0)")
	const rows = 100000
	args := make([][]any, rows)
	for i := range args {
		args[i] = []any{i + 1, fmt.Sprintf("name-%d-'quoted'", i)}
	}
	before := qc.n.Load()
	n, err := c.Cursor().ExecuteMany(ctxT(t), "INSERT INTO "+tbl+" (id, name) VALUES (?, ?)", args)
	if err != nil || n != rows {
		t.Fatalf("ExecuteMany = %d, %v", n, err)
	}
	statements := qc.n.Load() - before
	if statements > 60 {
		t.Errorf("%d statements for %d rows, want a few multi-row statements under 1 MiB each", statements, rows)
	}
	t.Logf("%d rows in %d statements", rows, statements)
	row := queryRow(t, c, "SELECT COUNT(*), MAX(id), MIN(name) FROM "+tbl)
	if row[0] != int64(rows) || row[1] != int64(rows) || row[2] != "name-0-'quoted'" {
		t.Errorf("table holds %v", row)
	}
	// ON DUPLICATE KEY UPDATE (MariaDB has no row aliases; the parser
	// tests cover them), with affected rows counted as the server counts.
	n, err = c.Cursor().ExecuteMany(ctxT(t), "INSERT INTO "+tbl+" (id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE n = n + 1",
		[][]any{{1, "x"}, {2, "y"}, {rows + 1, "new"}})
	if err != nil || n != 5 { // 2 per updated row, 1 per insert
		t.Errorf("upsert ExecuteMany = %d, %v; want 5", n, err)
	}
}

func TestExecuteManyRunsEveryRowOfAStatementItCannotRewrite(t *testing.T) {
	var qc queryCounter
	c := connect(t, func(cfg *actor.Config) { cfg.Observer, cfg.Pipeline = &qc, actor.PipelineOff })
	tbl := tempTable(t, c, "amysql_many_fb", "(id INT PRIMARY KEY, name VARCHAR(20))")
	mustExec(t, c, "INSERT INTO "+tbl+" VALUES (1, 'a'), (2, 'b'), (3, 'c')")
	cur := c.Cursor()
	before := qc.n.Load()
	n, err := cur.ExecuteMany(ctxT(t), "UPDATE "+tbl+" SET name = ? WHERE id = ?", [][]any{{"x", 1}, {"y", 2}, {"z", 9}})
	if err != nil || n != 2 {
		t.Fatalf("ExecuteMany(UPDATE) = %d, %v; want 2", n, err)
	}
	if got := qc.n.Load() - before; got != 3 {
		t.Errorf("pipeline=false: %d statements, want one per row", got)
	}
	if row := queryRow(t, c, "SELECT GROUP_CONCAT(name ORDER BY id) FROM "+tbl); row[0] != "x,y,c" {
		t.Errorf("rows after ExecuteMany: %v", row[0])
	}
	if n, err := cur.ExecuteMany(ctxT(t), "INSERT INTO "+tbl+" VALUES (?, ?)", nil); n != 0 || err != nil {
		t.Errorf("empty ExecuteMany = %d, %v", n, err)
	}
	if _, err := cur.ExecuteMany(ctxT(t), "INSERT INTO "+tbl+" VALUES (?, ?)", [][]any{{1}}); err == nil {
		t.Error("a short argument list was accepted")
	}
	if _, err := cur.ExecuteMany(ctxT(t), "UPDATE "+tbl+" SET name = ? WHERE id = ?", [][]any{{"p", 1}, {"q"}}); err == nil {
		t.Error("a short argument list was accepted by a statement that is not rewritten")
	}
}

func TestTimeZoneIsAppliedAtConnect(t *testing.T) {
	c := connect(t, func(cfg *actor.Config) { cfg.TimeZone = "+02:00" })
	if tz := queryRow(t, c, "SELECT @@session.time_zone")[0]; tz != "+02:00" {
		t.Errorf("@@time_zone = %v, want +02:00", tz)
	}
}

func TestDenyNativePasswordsRefusesThePlugin(t *testing.T) {
	cfg := testConfig(t)
	cfg.DenyNativePasswords = true
	_, err := actor.Connect(ctxT(t), cfg)
	if !errors.Is(err, actor.ErrAuth) || !strings.Contains(err.Error(), "mysql_native_password") {
		t.Fatalf("Connect with DenyNativePasswords as a native-password user = %v, want ErrAuth naming the plugin", err)
	}
}

func TestRejectReadOnlyClosesTheConnection(t *testing.T) {
	for _, reject := range []bool{true, false} {
		t.Run(fmt.Sprint("RejectReadOnly=", reject), func(t *testing.T) {
			c := connect(t, func(cfg *actor.Config) { cfg.RejectReadOnly = reject })
			tbl := tempTable(t, c, fmt.Sprintf("amysql_ro_%v", reject), "(i INT)")
			mustExec(t, c, "START TRANSACTION READ ONLY")
			_, err := c.Cursor().Execute(ctxT(t), "INSERT INTO "+tbl+" VALUES (1)")
			var se *proto.Error
			if !errors.As(err, &se) || se.Code != proto.ErCantExecuteInReadOnlyTx {
				t.Fatalf("INSERT in a read-only transaction: %v, want 1792", err)
			}
			if actor.IsBadConn(err) != reject || c.Closed() != reject {
				t.Errorf("IsBadConn = %v, Closed = %v, want both %v", actor.IsBadConn(err), c.Closed(), reject)
			}
		})
	}
}
