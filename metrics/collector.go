// Package metrics exposes amysql pools and connections to Prometheus. The
// core packages know nothing of Prometheus: a Collector reads a pool's
// Stat on every scrape, and an Observer plugs into the connection and pool
// hook interfaces.
//
// Wiring:
//
//	obs := metrics.NewObserver("main")
//	cfg.Conn.Observer = obs
//	p, _ := pool.New(cfg)
//	prometheus.MustRegister(obs, metrics.NewCollector(p))
package metrics

import (
	"github.com/amysql/amysql/pool"
	"github.com/prometheus/client_golang/prometheus"
)

const namespace = "amysql"

// collectorConfig holds Collector options.
type collectorConfig struct {
	constLabels prometheus.Labels
}

// Option configures a Collector or an Observer.
type Option func(*collectorConfig)

// WithConstLabels adds labels to every series (e.g. the service name).
func WithConstLabels(l prometheus.Labels) Option {
	return func(c *collectorConfig) { c.constLabels = l }
}

// Collector reports a pool's Stat.
type Collector struct {
	p    *pool.Pool
	name string

	conns, maxConns                        *prometheus.Desc
	acquires, emptyAcquires, canceled      *prometheus.Desc
	acquireErrors, acquireSeconds, waitSec *prometheus.Desc
	created, destroyed, pingFailures       *prometheus.Desc
	connectErrors                          *prometheus.Desc
}

// NewCollector returns a collector for p; its series carry the label
// pool=<p.Name()>.
func NewCollector(p *pool.Pool, opts ...Option) prometheus.Collector {
	var cc collectorConfig
	for _, o := range opts {
		o(&cc)
	}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "pool", name), help,
			append([]string{"pool"}, labels...), cc.constLabels)
	}
	return &Collector{
		p:              p,
		name:           p.Name(),
		conns:          d("connections", "Connections in the pool by state: acquired (in use), idle, constructing (being opened).", "state"),
		maxConns:       d("max_connections", "The pool's MaxSize; -1 when unlimited."),
		acquires:       d("acquires_total", "Successful acquires."),
		emptyAcquires:  d("empty_acquires_total", "Acquires that found no idle connection and waited or opened one."),
		canceled:       d("canceled_acquires_total", "Acquires ended by their context before getting a connection."),
		acquireErrors:  d("acquire_errors_total", "Acquires that failed, for any reason."),
		acquireSeconds: d("acquire_duration_seconds_total", "Total time spent in successful acquires."),
		waitSec:        d("empty_acquire_wait_seconds_total", "Total time acquires waited for a connection."),
		created:        d("connections_created_total", "Connections opened."),
		destroyed:      d("connections_destroyed_total", "Connections closed by the pool, by reason.", "reason"),
		pingFailures:   d("ping_failures_total", "Idle connections that failed their liveness ping on acquire."),
		connectErrors:  d("connect_errors_total", "Failed attempts to open connections in the background."),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.conns, c.maxConns, c.acquires, c.emptyAcquires, c.canceled,
		c.acquireErrors, c.acquireSeconds, c.waitSec, c.created, c.destroyed, c.pingFailures, c.connectErrors} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.p.Stat()
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{c.name}, labels...)...)
	}
	n := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, append([]string{c.name}, labels...)...)
	}
	g(c.conns, float64(s.Acquired), "acquired")
	g(c.conns, float64(s.Idle), "idle")
	g(c.conns, float64(s.Constructing), "constructing")
	max := float64(c.p.MaxSize())
	if c.p.MaxSize() == pool.Unlimited {
		max = -1
	}
	g(c.maxConns, max)
	n(c.acquires, float64(s.AcquireCount))
	n(c.emptyAcquires, float64(s.EmptyAcquireCount))
	n(c.canceled, float64(s.CanceledAcquireCount))
	n(c.acquireErrors, float64(s.AcquireErrors))
	n(c.acquireSeconds, s.AcquireDuration.Seconds())
	n(c.waitSec, s.EmptyAcquireWaitTime.Seconds())
	n(c.created, float64(s.NewConns))
	for _, r := range pool.DestroyReasons {
		n(c.destroyed, float64(s.Destroyed[r]), r)
	}
	n(c.pingFailures, float64(s.PingFailures))
	n(c.connectErrors, float64(s.ConnectErrors))
}
