package pool

import (
	"strconv"
	"time"
)

// ClusterStat is a snapshot of a Cluster.
type ClusterStat struct {
	Nodes []NodeStat
	// Writer is the address of the node writes go to ("" while none can
	// take them).
	Writer string
	// Galera reports a Galera cluster.
	Galera bool
	// Failovers counts the times the writer moved to another node.
	Failovers int64
}

// NodeStat describes one node of a Cluster as its last probe found it.
type NodeStat struct {
	Addr string // host:port
	// Role is "primary", "replica", "galera" (a synced member), "galera
	// not synced (state N)", "read-only" (read-only, not replicating), or
	// "down".
	Role     string
	Writer   bool          // writes go here
	Readable bool          // reads may go here
	Lag      time.Duration // how far behind the primary a replica is
	// ReplicationRunning reports a replica whose SQL thread runs.
	ReplicationRunning bool
	GTID               string    // its applied GTID position
	Err                error     // why the probe failed, for a node that is down
	Checked            time.Time // when it was probed
	Pool               *Stat     // the node's own pool
}

// Stat describes the cluster: each node's role, health and lag, and its
// pool.
func (c *Cluster) Stat() *ClusterStat {
	s := &ClusterStat{Galera: c.galera.Load(), Failovers: c.failovers.Load()}
	w := c.writerNode()
	if w != nil {
		s.Writer = w.addr
	}
	for _, n := range c.nodes {
		st := n.state.Load()
		ns := NodeStat{Addr: n.addr, Role: nodeRole(st), Writer: n == w, Readable: n != w && c.readable(st),
			Checked: st.checked, Err: st.err, Pool: n.pool.Stat()}
		if st.up() {
			ns.Lag, ns.ReplicationRunning, ns.GTID = st.lag, st.sqlRunning, st.applied.String()
		}
		s.Nodes = append(s.Nodes, ns)
	}
	return s
}

func nodeRole(st *nodeState) string {
	switch {
	case !st.up():
		return "down"
	case st.role.Galera && st.synced():
		return "galera"
	case st.role.Galera:
		return "galera not synced (state " + strconv.Itoa(st.role.State) + ")"
	case st.replica:
		return "replica"
	case st.role.ReadOnly:
		return "read-only"
	}
	return "primary"
}
