package metrics

import (
	"strings"

	"github.com/amysql/amysql/pool"
	"github.com/prometheus/client_golang/prometheus"
)

// ClusterCollector reports a pool.Cluster: each node's health, role, lag
// and pool, and the failovers, with the labels cluster (the cluster's
// name) and node (host:port), bounded by the cluster's host list.
type ClusterCollector struct {
	c     *pool.Cluster
	err   error
	pools []prometheus.Collector

	up, role, writer, readable, lag, failovers *prometheus.Desc
}

// NewClusterCollector returns a collector for c and for each node's pool
// (their series carry pool=<cluster>@<node>).
func NewClusterCollector(c *pool.Cluster, opts ...Option) prometheus.Collector {
	cc, err := newConfig(opts)
	if err != nil {
		return &ClusterCollector{c: c, err: err}
	}
	labels := cc.labelsWith(prometheus.Labels{"cluster": c.Name()})
	d := func(name, help string, variable ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "cluster", name), help, variable, labels)
	}
	col := &ClusterCollector{
		c:         c,
		up:        d("node_up", "1 when the node answered its last probe, else 0.", "node"),
		role:      d("node_role", "1 for the role the node's last probe found: primary, replica, galera (synced), galera_syncing, read_only, down.", "node", "role"),
		writer:    d("node_writer", "1 for the node the writer uses.", "node"),
		readable:  d("node_readable", "1 for a node that gets reads (healthy, and within MaxReplicaLag).", "node"),
		lag:       d("replica_lag_seconds", "How far a replica is behind the primary.", "node"),
		failovers: d("failovers_total", "Times the writer moved to another node."),
	}
	for _, p := range c.Pools() {
		col.pools = append(col.pools, NewCollector(p, opts...))
	}
	return col
}

func (c *ClusterCollector) descs() []*prometheus.Desc {
	return []*prometheus.Desc{c.up, c.role, c.writer, c.readable, c.lag, c.failovers}
}

// Describe implements prometheus.Collector.
func (c *ClusterCollector) Describe(ch chan<- *prometheus.Desc) {
	if c.err != nil {
		ch <- prometheus.NewInvalidDesc(c.err)
		return
	}
	for _, d := range c.descs() {
		ch <- d
	}
	for _, p := range c.pools {
		p.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (c *ClusterCollector) Collect(ch chan<- prometheus.Metric) {
	if c.err != nil {
		ch <- prometheus.NewInvalidMetric(prometheus.NewInvalidDesc(c.err), c.err)
		return
	}
	s := c.c.Stat()
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, n := range s.Nodes {
		g(c.up, flag(n.Err == nil), n.Addr)
		g(c.role, 1, n.Addr, roleLabel(n.Role))
		g(c.writer, flag(n.Writer), n.Addr)
		g(c.readable, flag(n.Readable), n.Addr)
		if n.Role == "replica" {
			g(c.lag, n.Lag.Seconds(), n.Addr)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.failovers, prometheus.CounterValue, float64(s.Failovers))
	for _, p := range c.pools {
		p.Collect(ch)
	}
}

func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// roleLabel maps a NodeStat role to a label value.
func roleLabel(role string) string {
	switch {
	case strings.HasPrefix(role, "galera not synced"):
		return "galera_syncing"
	case role == "read-only":
		return "read_only"
	}
	return role
}
