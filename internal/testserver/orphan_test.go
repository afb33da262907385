package testserver

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTopologyNodesDieWithTheTestBinary runs a copy of this test binary
// that starts a replica set and a one-node Galera cluster, kills it with
// SIGKILL (no cleanup runs), and checks that every node died with it.
// Their directories stay behind; this test removes them.
func TestTopologyNodesDieWithTheTestBinary(t *testing.T) {
	if out := os.Getenv("AMYSQL_TOPOLOGY_ORPHAN_OUT"); out != "" {
		startAndHang(t, out)
		return
	}
	requireGalera(t)
	out := filepath.Join(t.TempDir(), "nodes")
	cmd := exec.Command(os.Args[0], "-test.run=^TestTopologyNodesDieWithTheTestBinary$", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), "AMYSQL_TOPOLOGY_ORPHAN_OUT="+out)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	var lines []string
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if b, err := os.ReadFile(out); err == nil && strings.HasSuffix(string(b), "ready\n") {
			lines = strings.Fields(strings.TrimSuffix(string(b), "ready\n"))
			break
		}
		select {
		case <-exited:
			t.Fatalf("the child test binary ended before its nodes were up:\n%s", log.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the child's nodes not up after 2 minutes:\n%s", log.String())
		}
	}
	var pids []int
	for i := 0; i+1 < len(lines); i += 2 {
		pid, _ := strconv.Atoi(lines[i])
		pids = append(pids, pid)
		t.Cleanup(func() { os.RemoveAll(lines[i+1]) })
	}
	if len(pids) != 4 {
		t.Fatalf("the child reported %d nodes, want 4: %q", len(pids), lines)
	}
	for _, pid := range pids {
		if !alive(pid) {
			t.Fatalf("node %d is not running before the kill", pid)
		}
	}
	_ = cmd.Process.Kill()
	<-exited
	err := waitFor(10*time.Second, "the nodes dying with the test binary", func() (bool, string, error) {
		var left []string
		for _, pid := range pids {
			if alive(pid) {
				left = append(left, itoa(pid))
			}
		}
		return len(left) == 0, "still running: " + strings.Join(left, " "), nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// startAndHang is the child's part: start the nodes, report their pids
// and directories, and wait to be killed.
func startAndHang(t *testing.T, out string) {
	rs := StartReplicaSet(t, ReplicaSetOptions{})
	g := StartGalera(t, GaleraOptions{Nodes: 1})
	var b strings.Builder
	for _, n := range rs.Nodes {
		b.WriteString(itoa(n.pid()) + " " + n.Dir + "\n")
	}
	b.WriteString(itoa(g.Nodes[0].pid()) + " " + g.Nodes[0].Dir + "\n")
	b.WriteString("ready\n")
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Minute)
}
