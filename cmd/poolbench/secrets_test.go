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

// secretUser creates an account with a distinctive password, allowed
// only the scratch database, and returns its configuration. Its name
// carries the scratch database's random part, so runs beside this one
// keep their own (and stays within MySQL's 32 characters).
func secretUser(t *testing.T) actor.Config {
	tg := testserver.FromEnv(t)
	cfg, err := actor.ParseDSN(tg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	name := "amysql_s_" + tg.DB[len(tg.DB)-8:]
	user := "'" + name + "'@'%'"
	admin, err := actor.Connect(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	t.Cleanup(func() {
		if c, err := actor.Connect(context.Background(), cfg); err == nil {
			c.Cursor().Execute(context.Background(), "DROP USER IF EXISTS "+user)
			c.Close()
		}
	})
	cur := admin.Cursor()
	for _, q := range []string{
		"CREATE USER " + user + " IDENTIFIED BY '" + secretPassword + "'",
		"GRANT ALL ON `" + cfg.DB + "`.* TO " + user,
	} {
		if _, err := cur.Execute(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	u := cfg
	u.User, u.Password, u.UnixSocket = name, secretPassword, ""
	return u
}

// TestPasswordNeverShows runs poolbench with a password in the DSN, with
// metrics served, and in failing configurations, and greps everything it
// printed, wrote and served for the password.
func TestPasswordNeverShows(t *testing.T) {
	cfg := secretUser(t)
	dsn := cfg.FormatDSN()
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
	// Failures: wrong database, wrong password.
	noDB, badPW := cfg, cfg
	noDB.DB = "no_such_db_amysql"
	badPW.Password += "x"
	bad := []string{noDB.FormatDSN(), badPW.FormatDSN()}
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
