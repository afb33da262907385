package testserver

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Every test binary that talks to the server named by AMYSQL_TEST_DSN
// works in a scratch database of its own, amysql_test_<UTC time>_<hex>:
// created on the binary's first FromEnv, dropped by Main when the tests end
// (passed or failed) or on SIGINT/SIGTERM. A binary that dies harder (a
// panic, a -timeout) leaves its database behind; the next binary to create
// one drops every amysql_test_* database older than staleAfter, by the
// server's clock. The DSN's own database is never used.

// staleAfter is the age past which a scratch database is a crashed run's
// leftover. It is far longer than any test binary runs (go test's default
// -timeout is 10 minutes; the soak takes what AMYSQL_SOAK says).
const staleAfter = 6 * time.Hour

// scratchPrefix starts every scratch database's name.
const scratchPrefix = "amysql_test_"

// scratchName matches the names newScratchName makes, and only those.
var scratchName = regexp.MustCompile(`^amysql_test_([0-9]{14})_[0-9a-f]{8}$`)

// scratchTimeLayout is the creation time in a scratch name (UTC).
const scratchTimeLayout = "20060102150405"

// scratch is the process's scratch database: one per test binary.
var scratch struct {
	mu        sync.Mutex
	installed bool   // Main is running the tests
	created   bool   // db exists on the server and must be dropped
	tried     bool   // creation was attempted (err says how it went)
	base      Target // AMYSQL_TEST_DSN as given
	tg        Target // base, pointed at db
	db        string
	err       error
}

// Main runs a test binary's tests and drops its scratch database
// afterwards. Every package whose tests call FromEnv installs it:
//
//	func TestMain(m *testing.M) { testserver.Main(m) }
func Main(m *testing.M) {
	scratch.mu.Lock()
	scratch.installed = true
	scratch.mu.Unlock()
	stop := dropOnSignal()
	code := m.Run()
	stop()
	if err := dropScratch(); err != nil {
		fmt.Fprintln(os.Stderr, "testserver:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// dropOnSignal drops the scratch database when the binary is interrupted
// (Ctrl-C, or go test killing it), then dies of the signal as it would
// have. The returned func uninstalls the handler.
func dropOnSignal() (stop func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			if err := dropScratch(); err != nil {
				fmt.Fprintln(os.Stderr, "testserver:", err)
			}
			signal.Reset(sig)
			if s, ok := sig.(syscall.Signal); ok {
				_ = syscall.Kill(os.Getpid(), s)
			}
			time.Sleep(time.Second)
			os.Exit(1)
		case <-done:
		}
	}()
	return func() { signal.Stop(sigs); close(done) }
}

// scratchTarget returns the target of the binary's scratch database on
// the server of dsn, creating the database on the first call.
func scratchTarget(dsn string) (Target, error) {
	scratch.mu.Lock()
	defer scratch.mu.Unlock()
	if scratch.tried {
		if scratch.err == nil && scratch.base.DSN != dsn {
			return Target{}, fmt.Errorf("AMYSQL_TEST_DSN changed during the run (the scratch database is on %s)", redact(scratch.base.DSN))
		}
		return scratch.tg, scratch.err
	}
	scratch.tried = true
	base, err := parseDSN(dsn)
	if err != nil {
		scratch.err = fmt.Errorf("AMYSQL_TEST_DSN: %w", err)
		return Target{}, scratch.err
	}
	db, err := createScratch(base)
	if err != nil {
		scratch.err = fmt.Errorf("creating a scratch database on the AMYSQL_TEST_DSN server %s: %w", redact(dsn), err)
		return Target{}, scratch.err
	}
	scratch.base, scratch.db, scratch.created = base, db, true
	scratch.tg = base
	scratch.tg.DB = db
	scratch.tg.DSN = withDB(dsn, db)
	return scratch.tg, nil
}

var errNoMain = fmt.Errorf("testserver.FromEnv: this test binary has no TestMain calling testserver.Main, " +
	"so its tests would have no scratch database; add to the package:\n" +
	"\tfunc TestMain(m *testing.M) { testserver.Main(m) }")

// createScratch creates a new scratch database and drops stale ones.
func createScratch(base Target) (string, error) {
	// The server's clock names and ages the databases, so runs from
	// machines whose clocks disagree still judge leftovers alike.
	out, err := adminQuery(base, "SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y%m%d%H%i%s'); SHOW DATABASES LIKE 'amysql\\_test\\_%'")
	if err != nil {
		return "", err
	}
	lines := strings.Split(out, "\n")
	now, err := time.Parse(scratchTimeLayout, lines[0])
	if err != nil {
		return "", fmt.Errorf("server time %q: %w", lines[0], err)
	}
	db, err := newScratchName(now)
	if err != nil {
		return "", err
	}
	if _, err := adminQuery(base, "CREATE DATABASE `"+db+"`"); err != nil {
		return "", err
	}
	if stale := staleScratch(lines[1:], now); len(stale) > 0 {
		// Best effort: another run may be dropping the same ones.
		var q strings.Builder
		for _, s := range stale {
			q.WriteString("DROP DATABASE IF EXISTS `" + s + "`;")
		}
		_, _ = adminQuery(base, q.String(), "--force")
	}
	return db, nil
}

// newScratchName returns amysql_test_<now, UTC>_<8 random hex digits>.
func newScratchName(now time.Time) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return scratchPrefix + now.UTC().Format(scratchTimeLayout) + "_" + hex.EncodeToString(b[:]), nil
}

// staleScratch picks from names the scratch databases created more than
// staleAfter before now; other names, a user's amysql_test_mine among
// them, are never picked.
func staleScratch(names []string, now time.Time) []string {
	var stale []string
	for _, n := range names {
		m := scratchName.FindStringSubmatch(n)
		if m == nil {
			continue
		}
		created, err := time.Parse(scratchTimeLayout, m[1])
		if err == nil && now.Sub(created) > staleAfter {
			stale = append(stale, n)
		}
	}
	return stale
}

// dropScratch drops the binary's scratch database if it made one. Its
// sessions still open (a test's leaked connection holding a metadata
// lock would block the drop) are killed first: the binary is ending.
func dropScratch() error {
	scratch.mu.Lock()
	defer scratch.mu.Unlock()
	if !scratch.created {
		return nil
	}
	db, base := scratch.db, scratch.base
	ids, err := adminQuery(base, "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '"+db+"' AND ID <> CONNECTION_ID()")
	if err == nil && ids != "" {
		var q strings.Builder
		for _, id := range strings.Fields(ids) {
			q.WriteString("KILL CONNECTION " + id + ";")
		}
		_, _ = adminQuery(base, q.String(), "--force") // a session may have ended meanwhile
	}
	if _, err := adminQuery(base, "SET SESSION lock_wait_timeout = 60; DROP DATABASE IF EXISTS `"+db+"`"); err != nil {
		return fmt.Errorf("dropping the scratch database %s: %w", db, err)
	}
	scratch.created = false
	return nil
}

// withDB returns dsn with its database replaced by db, everything else
// (credentials, address, parameters) as given. It splits as parseDSN does.
func withDB(dsn, db string) string {
	slash := strings.LastIndex(dsn, "/")
	head, tail := dsn[:slash], dsn[slash+1:]
	if _, params, ok := strings.Cut(tail, "?"); ok {
		return head + "/" + db + "?" + params
	}
	return head + "/" + db
}

// adminQuery runs q with the mariadb client as tg's user, over tg's
// transport, and returns its tab-separated output without headers. The
// password travels in the client's environment, not its arguments.
func adminQuery(tg Target, q string, extra ...string) (string, error) {
	client := findBinary("mariadb")
	if client == "" {
		client = findBinary("mysql")
	}
	if client == "" {
		return "", fmt.Errorf("the mariadb client is not installed (Debian: apt-get install mariadb-client-core)")
	}
	args := []string{"--no-defaults", "--connect-timeout=10", "-N", "-B", "-u" + tg.User}
	if tg.Host == "" && tg.Port == 0 { // a unix(…) DSN
		args = append(args, "--protocol=SOCKET", "--socket="+tg.Socket)
	} else {
		args = append(args, "--protocol=TCP", "-h"+tg.Host, fmt.Sprintf("-P%d", tg.Port))
	}
	args = append(append(args, extra...), "-e", q)
	cmd := exec.Command(client, args...)
	cmd.Env = withoutEnv(os.Environ(), "MYSQL_PWD", "MYSQL_HOST", "MYSQL_TCP_PORT", "MYSQL_UNIX_PORT")
	if tg.Password != "" {
		cmd.Env = append(cmd.Env, "MYSQL_PWD="+tg.Password)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if i := strings.LastIndex(msg, "\nERROR "); i >= 0 { // not the failed statement the client echoes
			msg = msg[i+1:]
		}
		return "", fmt.Errorf("mariadb client: %v: %s", err, msg)
	}
	return strings.TrimRight(out.String(), "\n"), nil
}

func withoutEnv(env []string, names ...string) []string {
	out := env[:0:0]
next:
	for _, kv := range env {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}
