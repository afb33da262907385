package testserver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestParseDSN(t *testing.T) {
	// A tcp target on 127.0.0.1:3306 also names the system socket when it
	// exists on this machine.
	defaultSock := ""
	if _, err := os.Stat("/run/mysqld/mysqld.sock"); err == nil {
		defaultSock = "/run/mysqld/mysqld.sock"
	}
	tests := []struct {
		dsn  string
		want Target
	}{
		{"root@tcp(127.0.0.1:3306)/test",
			Target{Host: "127.0.0.1", Port: 3306, User: "root", DB: "test", Socket: defaultSock}},
		{"amysql:tq7-Secret-pw@tcp(127.0.0.1:3407)/test",
			Target{Host: "127.0.0.1", Port: 3407, User: "amysql", Password: "tq7-Secret-pw", DB: "test"}},
		{"u:p@tcp(db.example:3310)/app?parseTime=true&tls=false",
			Target{Host: "db.example", Port: 3310, User: "u", Password: "p", DB: "app"}},
		{"u:p:w@rd@tcp(h:1)/d", // the last '@' ends the credentials, the first ':' ends the user
			Target{Host: "h", Port: 1, User: "u", Password: "p:w@rd", DB: "d"}},
		{"u@tcp(h)/d", Target{Host: "h", Port: 3306, User: "u", DB: "d"}},
		{"u@tcp([::1]:3307)/d", Target{Host: "::1", Port: 3307, User: "u", DB: "d"}},
		{"u@tcp(::1)/d", Target{Host: "::1", Port: 3306, User: "u", DB: "d"}},
		{"root@unix(/run/mysqld/mysqld.sock)/test",
			Target{User: "root", DB: "test", Socket: "/run/mysqld/mysqld.sock"}},
		{"root@unix(/tmp/amy1/s.sock)/", Target{User: "root", Socket: "/tmp/amy1/s.sock"}},
		{"/test", Target{Host: "127.0.0.1", Port: 3306, DB: "test", Socket: defaultSock}},
	}
	for _, tc := range tests {
		got, err := parseDSN(tc.dsn)
		if err != nil {
			t.Errorf("parseDSN(%q): %v", tc.dsn, err)
			continue
		}
		tc.want.DSN = tc.dsn
		if got != tc.want {
			t.Errorf("parseDSN(%q)\n got  %+v\n want %+v", tc.dsn, got, tc.want)
		}
	}

	for _, dsn := range []string{
		"root@tcp(127.0.0.1:3306)",      // no '/'
		"u:secret@tcp(h:port)/d",        // port not a number
		"u:secret@tcp(h:70000)/d",       // port out of range
		"u:secret@tcp(h:)/d",            // empty port
		"u:secret@pipe(x)/d",            // unknown network
		"u:secret@tcp(127.0.0.1:3306/d", // unbalanced
	} {
		_, err := parseDSN(dsn)
		if err == nil {
			t.Errorf("parseDSN(%q): no error", dsn)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("parseDSN(%q): error shows the password: %v", dsn, err)
		}
	}
}

func TestStartStopRestart(t *testing.T) {
	var dir string
	var pids []int
	t.Run("server", func(t *testing.T) {
		s := Start(t, Options{
			Args:    []string{"--max-allowed-packet=1M"},
			InitSQL: []string{"CREATE TABLE test.seen (n INT)", "INSERT INTO test.seen VALUES (7)"},
		})
		dir = s.Dir
		pids = append(pids, s.pid())
		if len(s.Socket) >= 100 {
			t.Errorf("socket path is %d bytes: %s", len(s.Socket), s.Socket)
		}
		if got := s.Query(t, "SELECT @@max_allowed_packet"); got != "1048576" {
			t.Errorf("@@max_allowed_packet = %q, want 1048576", got)
		}
		if got := s.Query(t, "SELECT @@port"); got != itoa(s.Port) {
			t.Errorf("@@port = %q, want %d", got, s.Port)
		}
		if got := s.Query(t, "SELECT GROUP_CONCAT(n) FROM test.seen"); got != "7" {
			t.Errorf("InitSQL rows = %q, want 7", got)
		}
		grants := s.Query(t, "SHOW GRANTS FOR 'amysql'@'%'")
		if !strings.Contains(grants, "GRANT ALL PRIVILEGES ON *.* TO `amysql`@`%`") || !strings.Contains(grants, "WITH GRANT OPTION") {
			t.Errorf("grants of amysql: %s", grants)
		}
		tg := s.Target()
		if tg.DSN != "amysql:tq7-Secret-pw@tcp(127.0.0.1:"+itoa(s.Port)+")/test" || tg.Host != "127.0.0.1" || tg.Port != s.Port {
			t.Errorf("Target() = %+v", tg)
		}
		if rt := s.RootTarget(); rt.User != "root" || rt.Socket != s.Socket || rt.DSN != "root@unix("+s.Socket+")/test" {
			t.Errorf("RootTarget() = %+v", rt)
		}

		s.Stop(t)
		s.Stop(t) // idempotent
		if alive(pids[0]) {
			t.Fatalf("mariadbd %d still running after Stop", pids[0])
		}
		if !strings.Contains(s.ErrorLog(), "Shutdown complete") {
			t.Errorf("error log has no clean shutdown:\n%s", tail(s.ErrorLog(), 10))
		}

		s.Restart(t)
		pids = append(pids, s.pid())
		if got := s.Query(t, "SELECT @@max_allowed_packet, @@port"); got != "1048576\t"+itoa(s.Port) {
			t.Errorf("after Restart: %q", got)
		}
		if got := s.Query(t, "SELECT GROUP_CONCAT(n) FROM test.seen"); got != "7" {
			t.Errorf("after Restart the datadir lost its rows: %q", got)
		}
		// Restart of a running server stops it first.
		s.Restart(t)
		pids = append(pids, s.pid())
		s.Exec(t, "SELECT 1", "DO 1")
	})
	if dir == "" {
		t.Fatal("server subtest did not start a server")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still exists after cleanup (err %v)", dir, err)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("mariadbd %d still running after cleanup", pid)
		}
	}
}

func TestStartFailsOnBadOption(t *testing.T) {
	// A server that cannot start must fail the test with the tail of its
	// error log, not hang, and still be cleaned up.
	if findBinary("mariadbd") == "" || findBinary("mariadb") == "" {
		skipOrFail(t, "mariadbd or the mariadb client is not installed")
	}
	ft := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(fakeFail); !ok {
					panic(r)
				}
			}
		}()
		Start(ft, Options{Args: []string{"--no-such-option-for-amysql"}})
	}()
	<-done
	ft.runCleanups()
	if !ft.failed {
		t.Fatal("Start with a bad option did not fail")
	}
	t.Logf("Start failed with: %s", ft.msg)
	if !strings.Contains(ft.msg, "no-such-option-for-amysql") {
		t.Errorf("failure does not quote the error log:\n%s", ft.msg)
	}
	if ft.cleanups == nil {
		t.Errorf("Start registered no cleanup")
	}
}

// fakeTB records a failure instead of ending the test; FailNow's
// runtime.Goexit is emulated by a panic the caller recovers.
type fakeTB struct {
	testing.TB
	failed   bool
	msg      string
	cleanups []func()
}

type fakeFail struct{}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Fatal(args ...any) {
	f.failed, f.msg = true, fmt.Sprint(args...)
	panic(fakeFail{})
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
	panic(fakeFail{})
}
func (f *fakeTB) runCleanups() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

// pid is the running mariadbd's process id, 0 when stopped.
func (s *Server) pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

func itoa(n int) string { return strconv.Itoa(n) }

// alive reports whether pid is a live process (a zombie does not count).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile(filepath.Join("/proc", itoa(pid), "stat"))
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil { // no /proc: fall back to signal 0
		return syscall.Kill(pid, 0) == nil
	}
	fields := strings.Fields(string(b))
	return len(fields) > 2 && fields[2] != "Z"
}
