package testserver

import (
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestGaleraClusterFormsAndReplicates(t *testing.T) {
	var dirs []string
	var pids []int
	t.Run("cluster", func(t *testing.T) {
		var down time.Time
		t.Cleanup(func() { t.Logf("torn down in %v", time.Since(down).Round(time.Millisecond)) })
		start := time.Now()
		c := StartGalera(t, GaleraOptions{})
		t.Logf("3 nodes synced in %v", time.Since(start).Round(time.Millisecond))
		t.Cleanup(func() { down = time.Now() })
		if len(c.Nodes) != 3 || len(c.Addrs()) != 3 {
			t.Fatalf("%d nodes", len(c.Nodes))
		}
		name := c.Nodes[0].Query(t, "SELECT @@wsrep_cluster_name")
		for i, n := range c.Nodes {
			dirs, pids = append(dirs, n.Dir), append(pids, n.pid())
			st := n.State(t)
			t.Logf("%s: port %d, %v, %d MB resident", n.Name, n.Port, st, rssMB(n.pid()))
			if !st.Synced() || st.ClusterSize != 3 || st.Comment != "Synced" {
				t.Errorf("%s: %v, want Synced in a primary component of 3", n.Name, st)
			}
			if got := n.Query(t, "SELECT @@wsrep_node_name, @@wsrep_cluster_name, @@wsrep_sst_method"); got != n.Name+"\t"+name+"\trsync" {
				t.Errorf("%s: node name, cluster name, SST method = %q", n.Name, got)
			}
			if c.Addrs()[i] != n.Addr() {
				t.Errorf("Addrs()[%d] = %s, want %s", i, c.Addrs()[i], n.Addr())
			}
			// As root the nodes run as mysql: as root, rsync SST fails.
			if os.Geteuid() == 0 {
				if u, err := user.Lookup("mysql"); err == nil && procUID(n.pid()) != u.Uid {
					t.Errorf("%s runs as uid %s, want mysql (%s)", n.Name, procUID(n.pid()), u.Uid)
				}
			}
		}
		if !strings.HasPrefix(name, "amysql-") {
			t.Errorf("cluster name %q", name)
		}

		// A row written on the first node through the application's user
		// is read on the third (wsrep_sync_wait: a causal read).
		first, third := c.Nodes[0], c.Nodes[2]
		if _, err := adminQuery(first.Target(), "CREATE TABLE test.seen (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO test.seen VALUES (1, 'from node1')"); err != nil {
			t.Fatal(err)
		}
		if got, err := adminQuery(third.Target(), "SET SESSION wsrep_sync_wait = 1; SELECT v FROM test.seen WHERE id = 1"); err != nil || got != "from node1" {
			t.Errorf("node3 reads %q, %v", got, err)
		}
	})
	assertGone(t, dirs, pids)
	for _, pid := range pids { // the nodes' process groups (SST helpers) too
		if err := syscall.Kill(-pid, 0); err == nil {
			t.Errorf("process group %d still has processes after cleanup", pid)
		}
	}
}

func TestGaleraSurvivesANodeLoss(t *testing.T) {
	c := StartGalera(t, GaleraOptions{})
	victim, a, b := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	victim.Exec(t, "CREATE TABLE test.loss (id INT PRIMARY KEY)", "INSERT INTO test.loss VALUES (1)")

	start := time.Now()
	victim.Kill9()
	if victim.Running() {
		t.Fatal("the node runs after Kill9")
	}
	if got := c.Running(); len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("running after Kill9: %d nodes", len(got))
	}
	c.WaitPrimary(t)
	t.Logf("survivors formed a primary component of 2 in %v", time.Since(start).Round(time.Millisecond))
	for _, n := range []*GaleraNode{a, b} {
		if st := n.State(t); !st.Synced() || st.ClusterSize != 2 {
			t.Errorf("%s: %v, want Synced in a primary component of 2", n.Name, st)
		}
		if got := n.Query(t, "SHOW STATUS LIKE 'wsrep_ready'"); got != "wsrep_ready\tON" {
			t.Errorf("%s: %q", n.Name, got)
		}
	}
	if _, err := adminQuery(a.Target(), "INSERT INTO test.loss VALUES (2)"); err != nil {
		t.Fatalf("a write on the survivors: %v", err)
	}
	if got, err := adminQuery(b.Target(), "SET SESSION wsrep_sync_wait = 1; SELECT GROUP_CONCAT(id ORDER BY id) FROM test.loss"); err != nil || got != "1,2" {
		t.Errorf("the other survivor reads %q, %v", got, err)
	}

	start = time.Now()
	victim.Restart(t)
	t.Logf("the killed node rejoined, Synced, in %v", time.Since(start).Round(time.Millisecond))
	for _, n := range c.Nodes {
		if st := n.State(t); !st.Synced() || st.ClusterSize != 3 {
			t.Errorf("%s after the rejoin: %v", n.Name, st)
		}
	}
	if got := victim.Query(t, "SET SESSION wsrep_sync_wait = 1; SELECT GROUP_CONCAT(id ORDER BY id) FROM test.loss"); got != "1,2" {
		t.Errorf("the rejoined node has rows %q, want 1,2", got)
	}
	for _, line := range strings.Split(victim.ErrorLog(), "\n") {
		if strings.Contains(line, "IST received") || strings.Contains(line, "SST succeeded") {
			t.Logf("rejoin: %s", line)
		}
	}
}

func TestGaleraRestartsAfterLosingEveryNode(t *testing.T) {
	// The last node standing bootstraps the cluster again.
	c := StartGalera(t, GaleraOptions{Nodes: 2})
	c.Nodes[0].Exec(t, "CREATE TABLE test.all_lost (id INT PRIMARY KEY)", "INSERT INTO test.all_lost VALUES (1)")
	c.Nodes[1].Kill9()
	c.Nodes[0].Kill9()
	c.Nodes[0].Restart(t)
	if st := c.Nodes[0].State(t); !st.Synced() || st.ClusterSize != 1 {
		t.Fatalf("bootstrapped again: %v", st)
	}
	c.Nodes[1].Restart(t)
	if got := c.Nodes[1].Query(t, "SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM test.all_lost"); got != "1" {
		t.Errorf("rows after both restarts: %s", got)
	}
}

// procUID is a process's real uid, "" when unknown.
func procUID(pid int) string {
	b, err := os.ReadFile(filepath.Join("/proc", itoa(pid), "status"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "Uid:" {
			return f[1]
		}
	}
	return ""
}
