package testserver

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// What the replica set and the Galera cluster share: ports, polling, the
// root queries their bookkeeping runs, and teardown.

// leanArgs shrink buffers a topology's nodes never fill (Aria and MyISAM
// caches, the redo log buffer): 55 MB resident per node instead of 90.
var leanArgs = []string{"--aria-pagecache-buffer-size=1M", "--key-buffer-size=1M", "--innodb-log-buffer-size=2M"}

// freePorts returns n distinct TCP ports free on 127.0.0.1 right now
// (another process may still take one before the server binds it).
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close() // held until all are picked, so they differ
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// waitFor polls cond every 100 ms until it reports done, or fails after
// timeout with what cond last said and its last error. A cond that
// reports done with an error ends the wait with that error.
func waitFor(timeout time.Duration, what string, cond func() (done bool, seen string, err error)) error {
	deadline := time.Now().Add(timeout)
	for {
		done, seen, err := cond()
		if done {
			return err // an error with done is final: waiting cannot help
		}
		if time.Now().After(deadline) {
			if err != nil {
				seen += " (last error: " + err.Error() + ")"
			}
			return fmt.Errorf("%s: not after %v; last seen: %s", what, timeout, seen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// row runs q, which returns one row, as root and maps its column names
// to its values; a query with no row gives an empty map.
func (s *Server) row(q string) (map[string]string, error) {
	cmd := exec.Command(findBinary("mariadb"), "--no-defaults", "--socket="+s.Socket, "-uroot", "-B", "-e", q)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %v: %s", q, err, strings.TrimSpace(errb.String()))
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	m := map[string]string{}
	if len(lines) < 2 {
		return m, nil
	}
	names, values := strings.Split(lines[0], "\t"), strings.Split(lines[1], "\t")
	for i, n := range names {
		if i < len(values) {
			m[n] = values[i]
		}
	}
	return m, nil
}

// status returns the named global status variables.
func (s *Server) status(names ...string) (map[string]string, error) {
	q := "SHOW GLOBAL STATUS WHERE Variable_name IN ('" + strings.Join(names, "','") + "')"
	out, err := s.query(q)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "\t"); ok {
			m[k] = v
		}
	}
	return m, nil
}

// statusInt is one numeric status variable.
func (s *Server) statusInt(name string) (int, error) {
	m, err := s.status(name)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(m[name])
}

// teardown kills every server at once (SIGKILL: their data is thrown
// away, so a clean shutdown would only cost time) and removes their
// directories. When the test failed, the tails of their error logs go to
// its log first.
func teardown(t testing.TB, servers []*Server) {
	if t.Failed() {
		for _, s := range servers {
			t.Logf("error log of %s (port %d):\n%s", s.Dir, s.Port, tail(s.ErrorLog(), 30))
		}
	}
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Add(1)
		go func(s *Server) {
			defer wg.Done()
			s.Kill9()
			os.RemoveAll(s.Dir)
		}(s)
	}
	wg.Wait()
}

// parallel runs fn for each server at once and returns the first error.
func parallel[S any](items []S, fn func(S) error) error {
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		go func(i int, it S) {
			defer wg.Done()
			errs[i] = fn(it)
		}(i, it)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
