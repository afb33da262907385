package testserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWithDBKeepsEverythingButTheDatabase(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"root@tcp(127.0.0.1:3306)/test", "root@tcp(127.0.0.1:3306)/amysql_test_x"},
		{"root@tcp(127.0.0.1:3306)/", "root@tcp(127.0.0.1:3306)/amysql_test_x"},
		{"u:p:w@rd@tcp(h:1)/d?charset=utf8mb4&tls=false", "u:p:w@rd@tcp(h:1)/amysql_test_x?charset=utf8mb4&tls=false"},
		{"u:a/b@tcp(h:1)/d?x=1", "u:a/b@tcp(h:1)/amysql_test_x?x=1"},
		{"root@unix(/run/mysqld/mysqld.sock)/test?", "root@unix(/run/mysqld/mysqld.sock)/amysql_test_x?"},
	}
	for _, tc := range tests {
		got := withDB(tc.dsn, "amysql_test_x")
		if got != tc.want {
			t.Errorf("withDB(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
		// parseDSN reads back the same target, but for the database.
		a, errA := parseDSN(tc.dsn)
		b, errB := parseDSN(got)
		if errA != nil || errB != nil {
			t.Errorf("parseDSN: %v, %v", errA, errB)
			continue
		}
		a.DB, a.DSN, b.DSN = "amysql_test_x", "", ""
		if a != b {
			t.Errorf("withDB(%q) changed more than the database:\n %+v\n %+v", tc.dsn, a, b)
		}
	}
}

func TestScratchNamesAndWhichAreStale(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	name, err := newScratchName(now)
	if err != nil {
		t.Fatal(err)
	}
	if !scratchName.MatchString(name) || !strings.HasPrefix(name, "amysql_test_20261202120000_") || len(name) > 64 {
		t.Errorf("newScratchName = %q", name)
	}
	if other, _ := newScratchName(now); other == name {
		t.Errorf("two names in the same second are equal: %q", name)
	}
	names := []string{
		"amysql_test_20261202050000_0123abcd", // 7 h old: stale
		"amysql_test_20261202070000_0123abcd", // 5 h old: a live run
		"amysql_test_20261202130000_0123abcd", // from the future (clock skew): live
		"amysql_test_20261201000000_0123abcd", // a day old: stale
		"amysql_test_20261201000000_0123abcd_mine",
		"amysql_test_20261201000000_0123ABCD",
		"amysql_test_mine",
		"amysql_testx20261201000000_0123abcd",
		"test",
	}
	got := staleScratch(names, now)
	want := []string{"amysql_test_20261202050000_0123abcd", "amysql_test_20261201000000_0123abcd"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("staleScratch = %v, want %v", got, want)
	}
}

func TestFromEnvWithoutMainFails(t *testing.T) {
	scratch.mu.Lock()
	scratch.installed = false
	scratch.mu.Unlock()
	defer func() {
		scratch.mu.Lock()
		scratch.installed = true
		scratch.mu.Unlock()
	}()
	ft := &fakeTB{TB: t}
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(fakeFail); !ok {
					panic(r)
				}
			}
		}()
		FromEnv(ft)
	}()
	if !ft.failed || !strings.Contains(ft.msg, "func TestMain(m *testing.M) { testserver.Main(m) }") {
		t.Errorf("FromEnv without Main: failed %v, %q", ft.failed, ft.msg)
	}
}

// childEnv names the mode TestScratchChild runs in.
const childEnv = "AMYSQL_TESTSERVER_CHILD"

// TestScratchChild is the test binary TestScratchDatabaseLifecycle runs:
// it reports its scratch database, puts a table in it, leaves a session
// on it holding a metadata lock (as a leaked connection in a transaction
// does), then passes, fails, or waits for a signal.
func TestScratchChild(t *testing.T) {
	mode := os.Getenv(childEnv)
	if mode == "" {
		t.Skip("run by TestScratchDatabaseLifecycle")
	}
	tg := FromEnv(t)
	if again := FromEnv(t); again != tg {
		t.Fatalf("a second FromEnv gave another target: %+v, %+v", tg, again)
	}
	if _, err := adminQuery(tg, "CREATE TABLE `"+tg.DB+"`.t (n INT); INSERT INTO `"+tg.DB+"`.t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	holdLock(t, tg)
	fmt.Printf("scratch %s %s\n", tg.DB, tg.DSN)
	switch mode {
	case "fail":
		t.Fatal("failing on purpose")
	case "signal":
		time.Sleep(time.Minute)
		t.Fatal("no signal came")
	}
}

// holdLock starts a client session on tg's database that keeps a
// transaction open over its table until this process ends.
func holdLock(t *testing.T, tg Target) {
	args := []string{"--no-defaults", "-n", "-N", "-B", "-u" + tg.User}
	if tg.Host == "" && tg.Port == 0 {
		args = append(args, "--protocol=SOCKET", "--socket="+tg.Socket)
	} else {
		args = append(args, "--protocol=TCP", "-h"+tg.Host, fmt.Sprintf("-P%d", tg.Port))
	}
	cmd := exec.Command(findBinary("mariadb"), append(args, tg.DB)...)
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+tg.Password)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	io.WriteString(in, "BEGIN; SELECT n FROM t;\n")
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "1" {
		t.Fatalf("lock-holding session: %q, %v", line, err)
	}
}

// runChild runs TestScratchChild in mode against dsn and returns the
// scratch database and DSN it reported, and how it exited.
func runChild(t *testing.T, mode, dsn string) (db, childDSN string, err error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestScratchChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, "AMYSQL_TEST_DSN="+dsn)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		all.WriteString(sc.Text() + "\n")
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "scratch" {
			db, childDSN = f[1], f[2]
			if mode == "signal" {
				if err := cmd.Process.Signal(os.Interrupt); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	err = cmd.Wait()
	if db == "" {
		t.Fatalf("child %s reported no scratch database (%v):\n%s", mode, err, all.String())
	}
	return db, childDSN, err
}

// TestScratchDatabaseLifecycle runs test binaries that use FromEnv and
// checks that each got a new database of its own, named by its DSN, that
// is gone once the binary ended: passed, failed, or interrupted, with a
// session still holding a lock on it. Creating one drops the scratch
// databases of crashed runs, and nothing else.
func TestScratchDatabaseLifecycle(t *testing.T) {
	base := os.Getenv("AMYSQL_TEST_DSN")
	if base == "" {
		skipOrFail(t, "AMYSQL_TEST_DSN is not set; run scripts/test.sh to get a server")
	}
	if findBinary("mariadb") == "" {
		skipOrFail(t, "the mariadb client is not installed")
	}
	admin, err := parseDSN(base)
	if err != nil {
		t.Fatal(err)
	}
	exists := func(db string) bool {
		t.Helper()
		out, err := adminQuery(admin, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '"+db+"'")
		if err != nil {
			t.Fatal(err)
		}
		return out == "1"
	}
	out, err := adminQuery(admin, "SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y%m%d%H%i%s')")
	if err != nil {
		t.Fatal(err)
	}
	now, err := time.Parse(scratchTimeLayout, out)
	if err != nil {
		t.Fatal(err)
	}
	// Leftovers: a crashed run's of a day ago, a live run's of an hour
	// ago, and a user's database that only looks like one.
	stale, _ := newScratchName(now.Add(-24 * time.Hour))
	live, _ := newScratchName(now.Add(-time.Hour))
	mine := stale + "_mine"
	for _, db := range []string{stale, live, mine} {
		if _, err := adminQuery(admin, "CREATE DATABASE `"+db+"`"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { adminQuery(admin, "DROP DATABASE IF EXISTS `"+db+"`") })
	}

	// Parameters of the DSN stay as they were.
	dsn := base
	if !strings.Contains(dsn[strings.LastIndex(dsn, "/"):], "?") {
		dsn += "?"
	} else {
		dsn += "&"
	}
	dsn += "charset=utf8mb4"
	seen := map[string]bool{}
	for _, mode := range []string{"pass", "fail", "signal"} {
		t.Run(mode, func(t *testing.T) {
			db, childDSN, err := runChild(t, mode, dsn)
			var ee *exec.ExitError
			switch mode {
			case "pass":
				if err != nil {
					t.Errorf("child: %v", err)
				}
			case "fail":
				if !errors.As(err, &ee) || ee.ExitCode() != 1 {
					t.Errorf("failing child exited with %v, want status 1", err)
				}
			case "signal":
				if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGINT {
					t.Errorf("interrupted child exited with %v, want death by SIGINT", err)
				}
			}
			if !scratchName.MatchString(db) || seen[db] {
				t.Errorf("scratch database %q: not a new scratch name", db)
			}
			seen[db] = true
			if want := dsn[:strings.LastIndex(dsn, "/")] + "/" + db + dsn[strings.LastIndex(dsn, "?"):]; childDSN != want {
				t.Errorf("FromEnv().DSN = %q, want %q", childDSN, want)
			}
			if exists(db) {
				t.Errorf("scratch database %s is still there after the binary ended", db)
				adminQuery(admin, "DROP DATABASE IF EXISTS `"+db+"`")
			}
		})
	}
	if exists(stale) {
		t.Errorf("a day-old scratch database %s survived a new run", stale)
	}
	if !exists(live) || !exists(mine) {
		t.Errorf("a new run dropped a live run's database (%s: %v) or a user's (%s: %v)", live, exists(live), mine, exists(mine))
	}
}
