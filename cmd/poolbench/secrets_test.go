package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
)

const secretPassword = "Zebra-S3cr3t-9fq2"

// secretUser creates an account with a distinctive password and returns
// its DSN.
func secretUser(t *testing.T) string {
	tg := testserver.FromEnv(t)
	cfg, err := actor.ParseDSN(tg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := actor.Connect(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	cur := admin.Cursor()
	for _, q := range []string{
		"DROP USER IF EXISTS 'amysql_secret'@'%'",
		"CREATE USER 'amysql_secret'@'%' IDENTIFIED BY '" + secretPassword + "'",
		"GRANT ALL ON " + cfg.DB + ".* TO 'amysql_secret'@'%'",
	} {
		if _, err := cur.Execute(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if c, err := actor.Connect(context.Background(), cfg); err == nil {
			c.Cursor().Execute(context.Background(), "DROP USER IF EXISTS 'amysql_secret'@'%'")
			c.Close()
		}
	})
	u := cfg
	u.User, u.Password, u.UnixSocket = "amysql_secret", secretPassword, ""
	return u.FormatDSN()
}

// TestPasswordNeverShows runs poolbench with a password in the DSN, with
// metrics served, and in failing configurations, and greps everything it
// printed, wrote and served for the password.
func TestPasswordNeverShows(t *testing.T) {
	dsn := secretUser(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	var scraped string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 40; i++ {
			time.Sleep(100 * time.Millisecond)
			if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				scraped = string(b)
				if strings.Contains(scraped, "amysql_command") {
					return
				}
			}
		}
	}()
	out, err := runMain(t, "-dsn", dsn, "-prepare", "-table-size", "500", "-d", "2s", "-c", "2", "-metrics-addr", addr,
		"-json", dir+"/r.json", "-html", dir+"/r.html", "-w", "cancel-heavy")
	<-done
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	texts := map[string]string{"output": out, "metrics": scraped}
	for _, f := range []string{"r.json", "r.html"} {
		b, _ := readFile(dir + "/" + f)
		texts[f] = b
	}
	// Failures: wrong database, wrong password, unreachable port.
	bad := []string{
		strings.Replace(dsn, "/test", "/no_such_db_amysql", 1),
		strings.Replace(dsn, "@tcp(", "x@tcp(", 1),
	}
	for _, b := range bad {
		o, err := runMain(t, "-dsn", b, "-n", "1")
		if err == nil {
			t.Errorf("no error for %s", strings.ReplaceAll(b, secretPassword, "***"))
		} else {
			texts["error "+strings.ReplaceAll(b, secretPassword, "***")] = o + err.Error()
		}
	}
	if scraped == "" {
		t.Error("nothing scraped from -metrics-addr")
	}
	for name, text := range texts {
		if strings.Contains(text, secretPassword) {
			t.Errorf("the password appears in %s", name)
		}
	}
}

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
