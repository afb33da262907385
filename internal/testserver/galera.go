package testserver

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// GaleraOptions configure StartGalera.
type GaleraOptions struct {
	// Nodes is the number of nodes; 0 means 3.
	Nodes int
	// Args are extra mariadbd options for every node.
	Args []string
}

// Galera is a Galera 4 cluster of private mariadbd (wsrep, rsync SST).
// Failure detection is faster than the default (evs.suspect_timeout 2 s):
// after a node dies, the survivors form a new primary component within
// about 3 s, blocking commits meanwhile.
type Galera struct {
	// Nodes are the cluster's nodes; Nodes[0] bootstrapped it.
	Nodes []*GaleraNode

	mu sync.Mutex // serialises Restart
}

// GaleraNode is one node of a Galera cluster. Its embedded Server gives
// the port, socket, Target, Exec, Query and Kill9 (which also kills the
// node's SST helpers).
type GaleraNode struct {
	*Server
	// Name is the node's wsrep_node_name: node1, node2, ...
	Name string

	cluster *Galera
	args    []string // leanArgs and GaleraOptions.Args
}

// GaleraState is what a node says of itself and of its component.
type GaleraState struct {
	LocalState    int    // wsrep_local_state: 4 is Synced
	Comment       string // wsrep_local_state_comment: Synced, Joining, Donor/Desynced, ...
	ClusterSize   int    // wsrep_cluster_size: nodes in its component
	ClusterStatus string // wsrep_cluster_status: Primary, non-Primary, Disconnected
	Ready         bool   // wsrep_ready: it accepts queries
}

// Synced reports whether the node serves reads and writes: synced, in a
// primary component, ready.
func (s GaleraState) Synced() bool {
	return s.LocalState == 4 && s.ClusterStatus == "Primary" && s.Ready
}

func (s GaleraState) String() string {
	return fmt.Sprintf("%s (state %d), %s component of %d, ready %v", s.Comment, s.LocalState, s.ClusterStatus, s.ClusterSize, s.Ready)
}

// galeraLibrary is the wsrep provider's path, "" when not installed.
func galeraLibrary() string {
	for _, p := range []string{
		"/usr/lib/galera/libgalera_smm.so",     // Debian, Ubuntu (galera-4)
		"/usr/lib64/galera-4/libgalera_smm.so", // RPM distributions
		"/usr/lib64/galera/libgalera_smm.so",
	} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// galeraUser is whom the nodes run as: the mysql user when the tests run
// as root (rsync SST fails as root), else the tests' own user (nil).
func galeraUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("mysql")
	if err != nil {
		return nil, fmt.Errorf("no mysql user to run Galera nodes as (rsync SST fails as root): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// requireGalera skips (or fails, when a server is required) a test on a
// machine that cannot run a Galera cluster.
func requireGalera(t testing.TB) *syscall.Credential {
	t.Helper()
	requireServer(t)
	if galeraLibrary() == "" {
		skipOrFail(t, "the Galera library (libgalera_smm.so) is not installed (Debian: galera-4, with mariadb-server)")
	}
	for _, b := range []string{"rsync", "wsrep_sst_rsync"} {
		if findBinary(b) == "" {
			skipOrFail(t, b+" is not installed (Debian: mariadb-server brings it)")
		}
	}
	cred, err := galeraUser()
	if err != nil {
		skipOrFail(t, err.Error())
	}
	return cred
}

// StartGalera starts a Galera cluster: the first node bootstraps it
// (--wsrep-new-cluster) and gets user amysql, the others join at once
// (rsync SST from the first). It returns when every node is Synced in one
// primary component. The nodes run as the mysql user when the tests run
// as root, with their own free ports for group communication, IST and
// SST, so parallel test binaries do not collide. Everything is killed and
// removed when the test ends. Without mariadbd, the Galera library or
// rsync the test is skipped (failed under CI=true or
// AMYSQL_TEST_REQUIRE_SERVER=1).
func StartGalera(t testing.TB, opts GaleraOptions) *Galera {
	t.Helper()
	cred := requireGalera(t)
	seed, err := galeraSeed(cred)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newGalera(opts, cred, seed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { teardown(t, c.servers()) })
	if err := c.boot(true); err != nil {
		t.Fatal(err)
	}
	return c
}

// newGalera prepares a cluster whose nodes start from a copy of datadir
// (the bootstrap datadir when "").
func newGalera(opts GaleraOptions, cred *syscall.Credential, datadir string) (*Galera, error) {
	if opts.Nodes <= 0 {
		opts.Nodes = 3
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	name := "amysql-" + hex.EncodeToString(b[:])
	// Group communication, IST and SST ports for every node, all picked
	// before any is used so that they differ.
	ports, err := freePorts(3 * opts.Nodes)
	if err != nil {
		return nil, err
	}
	var gcomm []string
	for i := 0; i < opts.Nodes; i++ {
		gcomm = append(gcomm, fmt.Sprintf("127.0.0.1:%d", ports[3*i]))
	}
	c := &Galera{}
	for i := 0; i < opts.Nodes; i++ {
		s, err := newServer(Options{}, datadir)
		if err != nil {
			teardown(nopTB{}, c.servers())
			return nil, err
		}
		n := &GaleraNode{Server: s, Name: "node" + strconv.Itoa(i+1), cluster: c, args: slices.Concat(leanArgs, opts.Args)}
		c.Nodes = append(c.Nodes, n)
		cnf := n.optionFile(name, strings.Join(gcomm, ","), ports[3*i], ports[3*i+1], ports[3*i+2])
		if err := n.prepare(cnf, cred); err != nil {
			teardown(nopTB{}, c.servers())
			return nil, err
		}
	}
	return c, nil
}

// optionFile is a node's my.cnf: the SST scripts read it too.
func (n *GaleraNode) optionFile(cluster, gcomm string, gport, istPort, sstPort int) string {
	return strings.Join([]string{
		"[mysqld]",
		"datadir=" + filepath.Join(n.Dir, "data"),
		"socket=" + n.Socket,
		"port=" + strconv.Itoa(n.Port),
		"bind-address=127.0.0.1",
		"wsrep_on=ON",
		"wsrep_provider=" + galeraLibrary(),
		"wsrep_cluster_name=" + cluster,
		"wsrep_cluster_address=gcomm://" + gcomm,
		"wsrep_node_name=" + n.Name,
		fmt.Sprintf("wsrep_node_address=127.0.0.1:%d", gport),
		// Failure detection: keepalive below a third of suspect; a
		// shorter suspect (1 s) split a loaded 2-core machine into
		// non-primary singletons. A small gcache is quick to create.
		// Without pc.recovery a killed node does not restart into the
		// component it saw last (gvwstate.dat), which made rejoins
		// churn in non-primary views for seconds; Restart bootstraps
		// explicitly when no other node runs.
		fmt.Sprintf(`wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:%d;ist.recv_addr=127.0.0.1:%d;`+
			`gcache.size=32M;pc.recovery=FALSE;evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S"`, gport, istPort),
		fmt.Sprintf("wsrep_sst_receive_address=127.0.0.1:%d", sstPort),
		"wsrep_sst_method=rsync",
		"binlog_format=ROW",
		"innodb_autoinc_lock_mode=2",
		// As for the replica set: the tests kill processes, not machines.
		"innodb_flush_log_at_trx_commit=2",
		"",
	}, "\n")
}

// prepare writes the option file and hands the node's directory to the
// user the node runs as.
func (n *GaleraNode) prepare(cnf string, cred *syscall.Credential) error {
	path := filepath.Join(n.Dir, "my.cnf")
	if err := os.WriteFile(path, []byte(cnf), 0o644); err != nil {
		return err
	}
	n.launch = launch{defaultsFile: path, cred: cred, group: true,
		probe: "SHOW STATUS LIKE 'wsrep_ready'", readyTimeout: 120 * time.Second}
	if cred != nil {
		own := fmt.Sprintf("%d:%d", cred.Uid, cred.Gid)
		if out, err := exec.Command("chown", "-R", own, n.Dir).CombinedOutput(); err != nil {
			return fmt.Errorf("chown %s %s: %v %s", own, n.Dir, err, out)
		}
	}
	return nil
}

func (c *Galera) servers() []*Server {
	out := make([]*Server, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Server
	}
	return out
}

// boot bootstraps the cluster on the first node, then starts the others
// together. Nodes started from the seed share its state, user amysql
// included, so they join without a state transfer; otherwise the first
// node creates the user.
func (c *Galera) boot(seeded bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.Nodes {
		n.opts.Args = n.args
	}
	first := c.Nodes[0]
	if err := first.startAs(true); err != nil {
		return err
	}
	if !seeded {
		for _, q := range createUser {
			if _, err := first.query(q); err != nil {
				return fmt.Errorf("%s: %w", first.Name, err)
			}
		}
	}
	// Joiners enter the component one at a time (two joining at once
	// churn in non-primary views for seconds), each without waiting for
	// the previous one's state transfer.
	joiners := c.Nodes[1:]
	errs := make([]chan error, len(joiners))
	for i, n := range joiners {
		errs[i] = make(chan error, 1)
		go func() { errs[i] <- n.startAs(false) }()
		err := waitFor(120*time.Second, n.Name+" joining the component", func() (bool, string, error) {
			select {
			case err := <-errs[i]: // started (and synced) or failed
				errs[i] <- err
				return true, "", err
			default:
			}
			size, err := first.statusInt("wsrep_cluster_size")
			return size >= i+2, fmt.Sprintf("component of %d", size), err
		})
		if err != nil {
			return err // the cleanup kills the nodes still starting
		}
	}
	for _, ch := range errs {
		if err := <-ch; err != nil {
			return err
		}
	}
	return c.waitPrimary(120 * time.Second)
}

// startAs starts the node, bootstrapping a new cluster or joining, and
// waits until it is Synced.
func (n *GaleraNode) startAs(bootstrap bool) error {
	if bootstrap {
		n.opts.Args = append(slices.Clip(n.opts.Args), "--wsrep-new-cluster")
	}
	if err := n.start(); err != nil {
		return err
	}
	return waitFor(120*time.Second, n.Name+" syncing", func() (bool, string, error) {
		if !n.Running() {
			return true, "", fmt.Errorf("%s exited:\n%s", n.Name, tail(n.ErrorLog(), 20))
		}
		st, err := n.state()
		return st.Synced(), st.String(), err
	})
}

// State returns what the node reports of itself and its component.
func (n *GaleraNode) State(t testing.TB) GaleraState {
	t.Helper()
	st, err := n.state()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (n *GaleraNode) state() (GaleraState, error) {
	m, err := n.status("wsrep_local_state", "wsrep_local_state_comment", "wsrep_cluster_size", "wsrep_cluster_status", "wsrep_ready")
	if err != nil {
		return GaleraState{}, err
	}
	st := GaleraState{Comment: m["wsrep_local_state_comment"], ClusterStatus: m["wsrep_cluster_status"], Ready: m["wsrep_ready"] == "ON"}
	st.LocalState, _ = strconv.Atoi(m["wsrep_local_state"])
	st.ClusterSize, _ = strconv.Atoi(m["wsrep_cluster_size"])
	return st, nil
}

// Addr returns "127.0.0.1:port".
func (n *GaleraNode) Addr() string { return "127.0.0.1:" + strconv.Itoa(n.Port) }

// Addrs returns every node's "127.0.0.1:port", in node order.
func (c *Galera) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr()
	}
	return out
}

// Running returns the nodes whose process is up.
func (c *Galera) Running() []*GaleraNode {
	var out []*GaleraNode
	for _, n := range c.Nodes {
		if n.Running() {
			out = append(out, n)
		}
	}
	return out
}

// WaitPrimary waits (up to 60 s) until every running node is Synced and
// ready in one primary component made of exactly the running nodes: after
// a Kill9, the survivors' new component.
func (c *Galera) WaitPrimary(t testing.TB) {
	t.Helper()
	if err := c.waitPrimary(60 * time.Second); err != nil {
		t.Fatal(err)
	}
}

func (c *Galera) waitPrimary(timeout time.Duration) error {
	return waitFor(timeout, "a primary component of the running nodes", func() (bool, string, error) {
		running := c.Running()
		var seen []string
		done := len(running) > 0
		for _, n := range running {
			st, err := n.state()
			if err != nil {
				return false, strings.Join(seen, "; "), err
			}
			seen = append(seen, n.Name+": "+st.String())
			done = done && st.Synced() && st.ClusterSize == len(running)
		}
		return done, strings.Join(seen, "; "), nil
	})
}

// Restart stops the node if it runs (SIGTERM: it leaves the cluster
// cleanly) and starts it again: it rejoins the running nodes (by IST, or
// SST when IST cannot serve it), or bootstraps the cluster again when no
// other node runs. It returns once every running node is Synced in one
// primary component.
func (n *GaleraNode) Restart(t testing.TB) {
	t.Helper()
	if err := n.restart(); err != nil {
		t.Fatal(err)
	}
}

func (n *GaleraNode) restart() error {
	c := n.cluster
	c.mu.Lock()
	defer c.mu.Unlock()
	n.Stop(nil)
	alone := true
	for _, o := range c.Nodes {
		if o != n && o.Running() {
			alone = false
		}
	}
	if alone {
		// A node that did not stop cleanly is not marked safe to
		// bootstrap from; as the only one left, it is.
		if err := n.markSafeToBootstrap(); err != nil {
			return err
		}
	}
	n.opts.Args = n.args
	if pos, err := n.recoverPosition(); err != nil {
		return err
	} else if pos != "" {
		n.opts.Args = append(slices.Clip(n.args), "--wsrep-start-position="+pos)
	}
	if err := n.startAs(alone); err != nil {
		return err
	}
	return c.waitPrimary(60 * time.Second)
}

var (
	unknownSeqno      = regexp.MustCompile(`(?m)^seqno:\s*-1\s*$`)
	recoveredPosition = regexp.MustCompile(`WSREP: Recovered position: ([0-9a-f-]{36}:-?[0-9]+)`)
)

// recoverPosition returns the position of a node that did not stop
// cleanly (grastate.dat says seqno -1), read from its InnoDB by mariadbd
// --wsrep-recover as galera_recovery does, so that it can rejoin by IST
// rather than a full SST; "" when grastate.dat knows the position.
func (n *GaleraNode) recoverPosition() (string, error) {
	state, err := os.ReadFile(filepath.Join(n.Dir, "data", "grastate.dat"))
	if err != nil || !unknownSeqno.Match(state) {
		return "", nil
	}
	log := filepath.Join(n.Dir, "recover.log")
	cmd := n.command("--wsrep-recover", "--skip-networking", "--log-error="+log,
		"--socket="+filepath.Join(n.Dir, "recover.sock"), "--pid-file="+filepath.Join(n.Dir, "recover.pid"))
	if out, err := cmd.CombinedOutput(); err != nil {
		b, _ := os.ReadFile(log)
		return "", fmt.Errorf("%s: mariadbd --wsrep-recover: %v %s\n%s", n.Name, err, out, tail(string(b), 20))
	}
	b, _ := os.ReadFile(log)
	m := recoveredPosition.FindSubmatch(b)
	if m == nil || strings.HasSuffix(string(m[1]), ":-1") {
		return "", nil // SST it is
	}
	return string(m[1]), nil
}

var safeToBootstrap = regexp.MustCompile(`(?m)^safe_to_bootstrap:\s*0`)

func (n *GaleraNode) markSafeToBootstrap() error {
	path := filepath.Join(n.Dir, "data", "grastate.dat")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, safeToBootstrap.ReplaceAll(b, []byte("safe_to_bootstrap: 1")), 0o644)
}
