package testserver

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options configure a private mariadbd.
type Options struct {
	// Args are extra mariadbd options, e.g. "--max-allowed-packet=8M".
	Args []string
	// InitSQL runs as root over the socket once the server is up.
	InitSQL []string
}

// Server is a private mariadbd in a temporary directory.
type Server struct {
	Dir    string
	Port   int
	Socket string

	opts   Options
	launch launch
	cmd    *exec.Cmd
	exit   chan struct{}
	mu     sync.Mutex
}

// launch is how a topology's node differs from a plain private server.
type launch struct {
	defaultsFile string              // an option file read first, instead of --no-defaults
	cred         *syscall.Credential // run as this user (Galera nodes run as mysql)
	group        bool                // own process group: Kill9 also kills its helpers (SST scripts)
	probe        string              // the statement that answers once the server is ready
	readyTimeout time.Duration       // how long start waits for probe
}

var (
	bootOnce sync.Once
	bootDir  string
	bootErr  error
)

func findBinary(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range []string{"/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"} {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func runAsRoot() []string {
	if os.Geteuid() == 0 {
		return []string{"--user=root"}
	}
	return nil
}

// innodbLogFileSize is used both to bootstrap and to start servers, so a
// copied datadir needs no redo log resize and stays small (~26 MB).
const innodbLogFileSize = "--innodb-log-file-size=8M"

// bootstrap returns a pristine datadir that servers copy. It is made once
// per user, server version and bootstrap options under the temp directory
// and kept, so test runs (and parallel test binaries) share it.
func bootstrap() (string, error) {
	bootOnce.Do(func() {
		install := findBinary("mariadb-install-db")
		if install == "" {
			bootErr = fmt.Errorf("mariadb-install-db not installed")
			return
		}
		ver, _ := exec.Command(findBinary("mariadbd"), "--version").Output()
		sum := 0
		for _, c := range append(ver, innodbLogFileSize...) {
			sum = sum*31 + int(c)
		}
		final := filepath.Join(os.TempDir(), fmt.Sprintf("amysql-boot-%d-%x", os.Geteuid(), uint32(sum)))
		if _, err := os.Stat(filepath.Join(final, "mysql")); err == nil {
			bootDir = final
			return
		}
		dir, err := os.MkdirTemp("", "amyboot")
		if err != nil {
			bootErr = err
			return
		}
		defer os.RemoveAll(dir)
		args := append([]string{"--no-defaults", "--datadir=" + filepath.Join(dir, "data"),
			"--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve",
			innodbLogFileSize}, runAsRoot()...)
		out, err := exec.Command(install, args...).CombinedOutput()
		if err != nil {
			bootErr = fmt.Errorf("mariadb-install-db: %v\n%s", err, out)
			return
		}
		// Publish atomically; a parallel test binary may have won the race.
		if err := os.Rename(filepath.Join(dir, "data"), final); err != nil {
			if _, serr := os.Stat(filepath.Join(final, "mysql")); serr != nil {
				bootErr = err
				return
			}
		}
		bootDir = final
	})
	return bootDir, bootErr
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Start launches a private mariadbd with opts and stops it and removes its
// directory when the test ends. Without mariadbd installed the test is
// skipped (failed under CI=true or AMYSQL_TEST_REQUIRE_SERVER=1).
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	requireServer(t)
	s, err := newServer(opts, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop(t)
		os.RemoveAll(s.Dir)
	})
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	s.Exec(t, createUser...)
	if len(opts.InitSQL) > 0 {
		s.Exec(t, opts.InitSQL...)
	}
	return s
}

// createUser makes the database and the user Target names.
var createUser = []string{
	"CREATE DATABASE IF NOT EXISTS test",
	"CREATE USER 'amysql'@'%' IDENTIFIED BY 'tq7-Secret-pw'",
	"GRANT ALL ON *.* TO 'amysql'@'%' WITH GRANT OPTION",
}

// requireServer skips (or fails, when a server is required) a test on a
// machine without mariadbd and the mariadb client.
func requireServer(t testing.TB) {
	t.Helper()
	if findBinary("mariadbd") == "" || findBinary("mariadb") == "" {
		skipOrFail(t, "mariadbd or the mariadb client is not installed")
	}
	if _, err := bootstrap(); err != nil {
		skipOrFail(t, "cannot bootstrap a private MariaDB: "+err.Error())
	}
}

// newServer makes a server's directory, with a copy of datadir (the
// bootstrap datadir when ""), and picks its port; it starts nothing. On
// error nothing is left.
func newServer(opts Options, datadir string) (*Server, error) {
	boot, err := bootstrap()
	if err != nil {
		return nil, err
	}
	if datadir != "" {
		boot = datadir
	}
	// Directly under /tmp, not $TMPDIR or t.TempDir(): the socket path
	// must stay short (unix socket paths are limited to 108 bytes).
	dir, err := os.MkdirTemp("/tmp", "amy")
	if err != nil {
		return nil, err
	}
	if out, err := exec.Command("cp", "-a", boot, filepath.Join(dir, "data")).CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("copying datadir: %v %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Server{Dir: dir, Port: port, Socket: filepath.Join(dir, "s.sock"), opts: opts}, nil
}

// start launches mariadbd and waits until it answers. The wait holds no
// lock, so Kill9 or Stop can end a start that hangs.
func (s *Server) start() error {
	exit, err := s.spawn()
	if err != nil {
		return err
	}
	probe, wait := "SELECT 1", 30*time.Second
	if s.launch.probe != "" {
		probe = s.launch.probe
	}
	if s.launch.readyTimeout > 0 {
		wait = s.launch.readyTimeout
	}
	deadline := time.Now().Add(wait)
	for {
		if err := exec.Command(findBinary("mariadb"), "--no-defaults", "--socket="+s.Socket, "-uroot", "-e", probe).Run(); err == nil {
			return nil
		}
		select {
		case <-exit:
			s.mu.Lock()
			if s.exit == exit {
				s.cmd = nil
			}
			s.mu.Unlock()
			return fmt.Errorf("mariadbd (%s) exited during start:\n%s", s.Dir, tail(s.ErrorLog(), 20))
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mariadbd (%s) not ready after %v:\n%s", s.Dir, wait, tail(s.ErrorLog(), 20))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// spawn starts the mariadbd process and returns a channel closed when it
// exits.
func (s *Server) spawn() (chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return nil, fmt.Errorf("mariadbd (%s) is already running", s.Dir)
	}
	cmd := s.command()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting mariadbd: %w", err)
	}
	exit := make(chan struct{})
	s.cmd, s.exit = cmd, exit
	go func() { cmd.Wait(); close(exit) }()
	return exit, nil
}

// command is the mariadbd command line of s, with extra options last
// (the last of a repeated option wins).
func (s *Server) command(extra ...string) *exec.Cmd {
	args := []string{"--no-defaults"}
	if s.launch.defaultsFile != "" {
		args = []string{"--defaults-file=" + s.launch.defaultsFile}
	}
	if s.launch.cred == nil {
		args = append(args, runAsRoot()...)
	}
	args = append(args,
		"--datadir="+filepath.Join(s.Dir, "data"),
		"--socket="+s.Socket,
		"--port="+strconv.Itoa(s.Port),
		"--bind-address=127.0.0.1",
		"--skip-name-resolve",
		"--character-set-server=utf8mb4",
		"--collation-server=utf8mb4_general_ci",
		"--pid-file="+filepath.Join(s.Dir, "pid"),
		"--log-error="+filepath.Join(s.Dir, "error.log"),
		"--innodb-buffer-pool-size=32M",
		innodbLogFileSize,
		"--innodb-buffer-pool-dump-at-shutdown=0",
		"--innodb-buffer-pool-load-at-startup=0",
	)
	args = append(append(args, s.opts.Args...), extra...)
	cmd := exec.Command(findBinary("mariadbd"), args...)
	// Pdeathsig: the server dies with the test binary, however it ends.
	// Go sets it after switching to cred, so a change of user keeps it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Credential: s.launch.cred, Setpgid: s.launch.group}
	if s.launch.cred != nil { // another user: a home it can read
		cmd.Env = append(withoutEnv(os.Environ(), "HOME"), "HOME="+s.Dir)
	}
	return cmd
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Target returns the TCP address as user amysql/amysql on database test.
func (s *Server) Target() Target {
	return Target{
		Host: "127.0.0.1", Port: s.Port, User: "amysql", Password: "tq7-Secret-pw", DB: "test", Socket: s.Socket,
		DSN: fmt.Sprintf("amysql:tq7-Secret-pw@tcp(127.0.0.1:%d)/test", s.Port),
	}
}

// RootTarget returns how to reach the server as root (no password) over its
// unix socket on database test. With --skip-name-resolve, root@localhost
// matches socket connections only, not TCP from 127.0.0.1.
func (s *Server) RootTarget() Target {
	return Target{
		User: "root", DB: "test", Socket: s.Socket,
		DSN: fmt.Sprintf("root@unix(%s)/test", s.Socket),
	}
}

// Exec runs statements as root over the socket with the mariadb client.
func (s *Server) Exec(t testing.TB, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := s.query(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// Query runs one statement as root and returns its tab-separated output.
func (s *Server) Query(t testing.TB, q string) string {
	t.Helper()
	out, err := s.query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

func (s *Server) query(q string) (string, error) {
	cmd := exec.Command(findBinary("mariadb"), "--no-defaults", "--socket="+s.Socket, "-uroot", "-N", "-B", "-e", q)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%v: %s", err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimRight(out.String(), "\n"), nil
}

// Stop shuts the server down (SIGTERM, then SIGKILL after 15 s). It is
// idempotent.
func (s *Server) Stop(t testing.TB) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exit:
	case <-time.After(15 * time.Second):
		s.kill()
	}
	s.cmd = nil
}

// Kill9 kills the server with SIGKILL, as a crash would (its process
// group too, for a topology's node), and returns once it is gone. It is
// idempotent; Restart brings the server back.
func (s *Server) Kill9() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kill()
}

func (s *Server) kill() {
	if s.cmd == nil {
		return
	}
	if s.launch.group {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	} else {
		_ = s.cmd.Process.Kill()
	}
	<-s.exit
	s.cmd = nil
}

// Running reports whether the server process is up (started and neither
// stopped nor killed; a server that crashed on its own counts as down).
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return false
	}
	select {
	case <-s.exit:
		return false
	default:
		return true
	}
}

// Restart starts a stopped server again on the same port and datadir.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop(t)
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
}

// ErrorLog returns the server's error log.
func (s *Server) ErrorLog() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "error.log"))
	return string(b)
}
