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
	"time"

	"github.com/amysql/amysql/actor"
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

func TestExecuteManyFallsBackToOneStatementPerRow(t *testing.T) {
	var qc queryCounter
	c := connect(t, func(cfg *actor.Config) { cfg.Observer = &qc })
	tbl := tempTable(t, c, "amysql_many_fb", "(id INT PRIMARY KEY, name VARCHAR(20))")
	mustExec(t, c, "INSERT INTO "+tbl+" VALUES (1, 'a'), (2, 'b'), (3, 'c')")
	cur := c.Cursor()
	before := qc.n.Load()
	n, err := cur.ExecuteMany(ctxT(t), "UPDATE "+tbl+" SET name = ? WHERE id = ?", [][]any{{"x", 1}, {"y", 2}, {"z", 9}})
	if err != nil || n != 2 {
		t.Fatalf("ExecuteMany(UPDATE) = %d, %v; want 2", n, err)
	}
	if got := qc.n.Load() - before; got != 3 {
		t.Errorf("%d statements, want one per row", got)
	}
	if n, err := cur.ExecuteMany(ctxT(t), "INSERT INTO "+tbl+" VALUES (?, ?)", nil); n != 0 || err != nil {
		t.Errorf("empty ExecuteMany = %d, %v", n, err)
	}
	if _, err := cur.ExecuteMany(ctxT(t), "INSERT INTO "+tbl+" VALUES (?, ?)", [][]any{{1}}); err == nil {
		t.Error("a short argument list was accepted")
	}
}

func TestParseDSNRoundTrip(t *testing.T) {
	tests := []struct {
		dsn  string
		want actor.Config
	}{
		{"root@tcp(127.0.0.1:3306)/test", actor.Config{User: "root", Host: "127.0.0.1", Port: 3306, DB: "test"}},
		{"u:p@ss:w/rd@tcp([::1]:3307)/db?charset=latin1", actor.Config{User: "u", Password: "p@ss:w/rd", Host: "::1", Port: 3307, DB: "db", Charset: "latin1"}},
		{"u@unix(/run/mysqld/mysqld.sock)/", actor.Config{User: "u", UnixSocket: "/run/mysqld/mysqld.sock"}},
		{"u:a/b?c@tcp(h:1)/d?charset=utf8mb4&ssl_ca=/etc/ssl/ca.pem", actor.Config{User: "u", Password: "a/b?c", Host: "h", Port: 1, DB: "d", Charset: "utf8mb4"}},
		{"u:p@/d", actor.Config{User: "u", Password: "p", DB: "d"}},
		{"u@tcp(h:1)/d?stmt_cache_size=8&local_infile=1&local_infile_paths=/a,/b/&connect_attrs=app:x,env:prod&read_timeout=2s&autocommit=false&loc=Europe%2FParis&cursor_class=SSDictCursor",
			actor.Config{User: "u", Host: "h", Port: 1, DB: "d"}},
		{"u@tcp(h:1)/d?spin_wait=50us", actor.Config{User: "u", Host: "h", Port: 1, DB: "d"}},
		{"mysql://u:p%40@db.example:3306/app?multi_statements=true", actor.Config{User: "u", Password: "p@", Host: "db.example", Port: 3306, DB: "app", MultiStatements: true}},
	}
	for _, tt := range tests {
		got, err := actor.ParseDSN(tt.dsn)
		if err != nil {
			t.Errorf("ParseDSN(%q): %v", tt.dsn, err)
			continue
		}
		if got.String() != tt.want.String() || got.Password != tt.want.Password || got.Charset != tt.want.Charset || got.MultiStatements != tt.want.MultiStatements {
			t.Errorf("ParseDSN(%q) = %v, want %v", tt.dsn, got, tt.want)
		}
		again, err := actor.ParseDSN(got.FormatDSN())
		if err != nil || again.FormatDSN() != got.FormatDSN() || again.Password != got.Password {
			t.Errorf("FormatDSN round trip of %q: %q, %v", tt.dsn, got.FormatDSN(), err)
		}
	}
	if cfg, _ := actor.ParseDSN("u@tcp(h:1)/d?spin_wait=50us"); cfg.SpinWait != 50*time.Microsecond {
		t.Errorf("spin_wait=50us gives SpinWait %v", cfg.SpinWait)
	}
	for _, bad := range []string{"nodb", "u@tcp(h:99999)/d", "u@tcp(h/d", "u@bogus(x)/d", "u@tcp(h)/d?nope=1", "u@tcp(h)/d?connect_timeout=soon", "u:secretpw@tcp(h)/d?ssl_mode=maybe",
		"u@tcp(h)/d?spin_wait=-1us", "u@tcp(h)/d?spin_wait=2ms", "u@tcp(h)/d?spin_wait=fast"} {
		_, err := actor.ParseDSN(bad)
		if !errors.Is(err, actor.ErrDSN) {
			t.Errorf("ParseDSN(%q) = %v, want ErrDSN", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "secretpw") {
			t.Errorf("error for %q shows the password: %v", bad, err)
		}
	}
}
