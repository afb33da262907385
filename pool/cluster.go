package pool

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amysql/amysql/actor"
)

// ClusterConfig configures a Cluster.
type ClusterConfig struct {
	// Pool configures the pool of each node; Pool.Conn.Hosts lists the
	// nodes (a primary and its replicas, or the members of a Galera
	// cluster), in the order the writer is chosen from.
	Pool Config
	// ReadYourWrites makes a read from Reader see every write that
	// Writer finished before it (see docs/scale-out.md): on a replica the
	// read first waits for the writes' GTIDs (MASTER_GTID_WAIT), for at
	// most CausalWait, and goes to the writer instead if they do not
	// arrive; on Galera the readers' sessions wait for causality
	// (wsrep_sync_wait).
	ReadYourWrites bool
	// MaxReplicaLag keeps reads off a replica that is further behind the
	// primary than this (0: no limit). A Galera node gets reads only while
	// it is Synced.
	MaxReplicaLag time.Duration
	// CausalWait bounds a ReadYourWrites wait on a replica (default 1s).
	CausalWait time.Duration
	// CheckPeriod is how often every node's role, GTID position and lag
	// are read (default 1s); a failed or waiting acquire reads them at
	// once.
	CheckPeriod time.Duration
}

// Defaults of ClusterConfig.
const (
	DefaultCheckPeriod = time.Second
	DefaultCausalWait  = time.Second
)

// Cluster is a set of pools, one per node of a replicated or Galera
// cluster, with a writer that follows the primary and a reader that
// spreads over the healthy replicas.
type Cluster struct {
	cfg    ClusterConfig
	nodes  []*node
	writer *Pool
	reader *Pool

	writerAt  atomic.Int32 // index of the writer node, -1 while there is none
	next      atomic.Uint32
	galera    atomic.Bool
	failovers atomic.Int64

	probeMu   sync.Mutex // one probe round at a time
	lastProbe time.Time
	history   primaryHistory // guarded by probeMu

	kick chan struct{}
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

// node is one server of the cluster.
type node struct {
	addr  string
	pool  *Pool
	mon   *actor.Conn // the monitor's own connection, nil while down
	state atomic.Pointer[nodeState]
	// waited is the position a ReadYourWrites wait last saw it reach.
	waited atomic.Pointer[gtidPos]
}

// NewCluster opens a pool to each node of cfg.Pool.Conn.Hosts and reads
// their roles; it fails when no node can be reached.
func NewCluster(cfg ClusterConfig) (*Cluster, error) {
	if len(cfg.Pool.Conn.Hosts) == 0 {
		return nil, fmt.Errorf("%w: a Cluster needs Pool.Conn.Hosts", ErrConfig)
	}
	if cfg.CheckPeriod <= 0 {
		cfg.CheckPeriod = DefaultCheckPeriod
	}
	if cfg.CausalWait <= 0 {
		cfg.CausalWait = DefaultCausalWait
	}
	if cfg.Pool.Name == "" {
		cfg.Pool.Name = "default"
	}
	c := &Cluster{cfg: cfg, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	c.writerAt.Store(-1)
	for _, h := range cfg.Pool.Conn.Hosts {
		host, port, err := net.SplitHostPort(h)
		if err != nil {
			return nil, fmt.Errorf("%w: host %q: %v", ErrConfig, h, err)
		}
		if _, err := strconv.Atoi(port); err != nil {
			return nil, fmt.Errorf("%w: host %q: bad port", ErrConfig, h)
		}
		c.nodes = append(c.nodes, &node{addr: net.JoinHostPort(host, port)})
	}
	c.probe(context.Background())
	reached := false
	for _, n := range c.nodes {
		reached = reached || n.state.Load().up()
	}
	if !reached {
		var errs []error
		for _, n := range c.nodes {
			errs = append(errs, fmt.Errorf("%s: %w", n.addr, n.state.Load().err))
		}
		c.closeMonitors()
		return nil, fmt.Errorf("amysql/pool: no node of the cluster answers: %w", errors.Join(errs...))
	}
	for _, n := range c.nodes {
		p, err := New(c.nodeConfig(n))
		if err != nil {
			c.closeNodes()
			return nil, err
		}
		n.pool = p
	}
	base := c.nodes[0].pool.cfg
	c.writer = newRouted(base, cfg.Pool.Name+"-writer", c.acquireWriter, c.pools)
	c.reader = newRouted(base, cfg.Pool.Name+"-reader", c.acquireReader, c.pools)
	go c.monitor()
	return c, nil
}

// nodeConfig is the pool configuration of one node.
func (c *Cluster) nodeConfig(n *node) Config {
	pc := c.cfg.Pool
	pc.Name = c.cfg.Pool.Name + "@" + n.addr
	pc.MinSize = 0 // connections open where the traffic goes
	pc.Conn.Host, pc.Conn.Port = splitAddr(n.addr)
	pc.Conn.Hosts, pc.Conn.DenyList = nil, nil
	pc.Conn.Target = actor.TargetAny // the cluster decides who writes
	pc.Conn.RejectReadOnly = true    // a writer connection to a demoted primary goes
	pc.FailoverWait = -1
	if c.cfg.ReadYourWrites && !c.galera.Load() {
		pc.Conn.TrackGTIDs = true
	}
	if c.cfg.ReadYourWrites && c.galera.Load() {
		after := pc.AfterConnect
		pc.AfterConnect = func(ctx context.Context, conn *actor.Conn) error {
			if _, err := conn.Cursor().Execute(ctx, "SET SESSION wsrep_sync_wait = 1"); err != nil {
				return err
			}
			if after != nil {
				return after(ctx, conn)
			}
			return nil
		}
	}
	return pc
}

// Writer returns the pool that writes go to: the primary, or on Galera
// one synced node at a time, followed across failovers. Its Acquire waits
// while no node can take writes (within ctx, AcquireTimeout and
// FailoverWait). Close the Cluster, not the Writer.
func (c *Cluster) Writer() *Pool { return c.writer }

// Reader returns the pool that reads go to: the healthy replicas (on
// Galera the synced nodes other than the writer's), or the writer when
// there are none. Close the Cluster, not the Reader.
func (c *Cluster) Reader() *Pool { return c.reader }

// Name returns the cluster's name (ClusterConfig.Pool.Name); its nodes'
// pools are named name@host:port.
func (c *Cluster) Name() string { return c.cfg.Pool.Name }

// Pools returns the nodes' pools in Hosts order (for metrics; route
// statements through Writer and Reader).
func (c *Cluster) Pools() []*Pool { return c.pools() }

func (c *Cluster) pools() []*Pool {
	ps := make([]*Pool, 0, len(c.nodes))
	for _, n := range c.nodes {
		if n.pool != nil {
			ps = append(ps, n.pool)
		}
	}
	return ps
}

// acquireWriter hands out a connection to the writer node, waiting for
// one to exist.
func (c *Cluster) acquireWriter(ctx context.Context) (*Conn, error) {
	ctx, cancel := c.acquireBounds(ctx)
	defer cancel()
	var last error
	for pause := failoverFirstPause; ; pause = min(2*pause, failoverMaxPause) {
		if n := c.writerNode(); n != nil {
			conn, err := n.pool.Acquire(ctx)
			if err == nil {
				return conn, nil
			}
			if !actor.SafeToRetry(err) || errors.Is(err, ErrExhausted) {
				return nil, err
			}
			last = err
			c.lost(n)
		}
		if err := c.waitForProbe(ctx, pause); err != nil {
			if last == nil {
				last = errors.New("no node takes writes")
			}
			return nil, fmt.Errorf("amysql/pool: cluster writer: %w (%w)", last, err)
		}
	}
}

// acquireBounds applies AcquireTimeout and FailoverWait to an acquire.
func (c *Cluster) acquireBounds(ctx context.Context) (context.Context, context.CancelFunc) {
	d := c.cfg.Pool.FailoverWait
	if d == 0 {
		d = DefaultFailoverWait
	}
	if t := c.cfg.Pool.AcquireTimeout; t > 0 && (d < 0 || t < d) {
		d = t
	}
	if d < 0 {
		d = 0
	}
	return context.WithTimeout(ctx, d)
}

// acquireReader hands out a connection to a healthy reader node, or to
// the writer; with ReadYourWrites, one that has the writes already made.
func (c *Cluster) acquireReader(ctx context.Context) (*Conn, error) {
	n := c.pickReader()
	if n == nil {
		return c.acquireWriter(ctx)
	}
	conn, err := n.pool.Acquire(ctx)
	if err != nil {
		c.lost(n)
		return c.acquireWriter(ctx)
	}
	if !c.cfg.ReadYourWrites || c.galera.Load() {
		return conn, nil
	}
	want := c.written()
	if len(want) == 0 {
		return conn, nil
	}
	if seen := n.waited.Load(); seen != nil && seen.covers(want) {
		return conn, nil
	}
	if c.waitForGTID(ctx, conn, want) {
		n.waited.Store(&want)
		return conn, nil
	}
	conn.Release()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return c.acquireWriter(ctx)
}

// waitForGTID waits on a replica connection until it has applied want,
// for at most CausalWait.
func (c *Cluster) waitForGTID(ctx context.Context, conn *Conn, want gtidPos) bool {
	cur := conn.Cursor()
	secs := strconv.FormatFloat(c.cfg.CausalWait.Seconds(), 'f', 3, 64)
	if _, err := cur.Execute(ctx, "SELECT MASTER_GTID_WAIT(?, "+secs+")", want.String()); err != nil {
		return false
	}
	var res int64
	return cur.Next(ctx) && cur.Scan(&res) == nil && res == 0
}

// written is the position of every write the cluster's connections made,
// as their servers reported it.
func (c *Cluster) written() gtidPos {
	var pos gtidPos
	for _, n := range c.nodes {
		n.pool.each(func(conn *actor.Conn) {
			if g := conn.LastGTID(); g != "" {
				if pos == nil {
					pos = gtidPos{}
				}
				pos.merge(parseGTIDPos(g))
			}
		})
	}
	return pos
}

// writerNode is the node writes go to now, nil while there is none.
func (c *Cluster) writerNode() *node {
	i := c.writerAt.Load()
	if i < 0 {
		return nil
	}
	return c.nodes[i]
}

// pickReader chooses a node for a read: among the readable nodes other
// than the writer, the one with the fewest connections in use (round
// robin among equals); nil when there is none.
func (c *Cluster) pickReader() *node {
	w := c.writerNode()
	start := int(c.next.Add(1))
	var best *node
	bestUse := 0
	for k := range c.nodes {
		n := c.nodes[(start+k)%len(c.nodes)]
		if n == w || !c.readable(n.state.Load()) {
			continue
		}
		if use := int(n.pool.inUse.Load()); best == nil || use < bestUse {
			best, bestUse = n, use
		}
	}
	return best
}

// readable reports whether a node may serve reads.
func (c *Cluster) readable(st *nodeState) bool {
	switch {
	case !st.up():
		return false
	case st.role.Galera:
		return st.synced()
	case !st.role.ReadOnly || !st.replica:
		return false
	}
	return c.cfg.MaxReplicaLag <= 0 || st.lag <= c.cfg.MaxReplicaLag
}

// lost notes that a node failed an acquire: it is probed again at once.
func (c *Cluster) lost(n *node) {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// waitForProbe pauses, then probes the nodes (unless another caller just
// did); it fails when ctx ends or the cluster closes.
func (c *Cluster) waitForProbe(ctx context.Context, pause time.Duration) error {
	t := time.NewTimer(pause)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-c.quit:
		return ErrClosed
	}
	c.probeAtMostEvery(ctx, failoverFirstPause)
	return nil
}

// Close closes every node's pool and stops the monitor.
func (c *Cluster) Close() {
	c.once.Do(func() {
		close(c.quit)
		<-c.done
		c.closeNodes()
		c.closeMonitors()
	})
}

func (c *Cluster) closeNodes() {
	for _, n := range c.nodes {
		if n.pool != nil {
			n.pool.Close()
		}
	}
}

func (c *Cluster) closeMonitors() {
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	for _, n := range c.nodes {
		if n.mon != nil {
			n.mon.Close()
			n.mon = nil
		}
	}
}

// splitAddr splits a host:port checked by NewCluster.
func splitAddr(addr string) (string, int) {
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	return host, n
}
