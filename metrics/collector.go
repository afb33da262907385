// Package metrics exposes amysql pools and connections to Prometheus. The
// core packages know nothing of Prometheus: a Collector reads a pool's
// Stat on every scrape, and an Observer plugs into the connection and pool
// hook interfaces.
//
// Wiring, for any number of pools on one registry:
//
//	obs := metrics.NewObserver("")
//	writer, _ := pool.New(pool.Config{Name: "writer", Observer: obs, ...})
//	reader, _ := pool.New(pool.Config{Name: "reader", Observer: obs, ...})
//	reg.MustRegister(obs, metrics.NewCollector(writer), metrics.NewCollector(reader),
//		metrics.NewBuildInfoCollector())
//
// Every series carries the label pool=<pool.Config.Name>. That label is
// the pool's name and nothing else: WithConstLabels refuses a label named
// "pool", and registering such a collector fails with the reason.
package metrics

import (
	"errors"
	"fmt"

	"github.com/amysql/amysql/pool"
	"github.com/prometheus/client_golang/prometheus"
)

const namespace = "amysql"

// poolLabel is the label naming the pool, set from pool.Config.Name.
const poolLabel = "pool"

// errPoolLabel refuses a const label that would hide the pool's name.
var errPoolLabel = errors.New(`amysql/metrics: the const label "pool" is reserved: it is set from pool.Config.Name`)

// collectorConfig holds Collector options.
type collectorConfig struct {
	constLabels prometheus.Labels
}

// Option configures a Collector or an Observer.
type Option func(*collectorConfig)

// WithConstLabels adds labels to every series (e.g. the service name). A
// label named "pool" is refused: the pool's name sets it.
func WithConstLabels(l prometheus.Labels) Option {
	return func(c *collectorConfig) { c.constLabels = l }
}

func newConfig(opts []Option) (collectorConfig, error) {
	var cc collectorConfig
	for _, o := range opts {
		o(&cc)
	}
	if _, ok := cc.constLabels[poolLabel]; ok {
		return cc, errPoolLabel
	}
	return cc, nil
}

// labelsWith returns the const labels plus extra.
func (cc collectorConfig) labelsWith(extra prometheus.Labels) prometheus.Labels {
	l := prometheus.Labels{}
	for k, v := range cc.constLabels {
		l[k] = v
	}
	for k, v := range extra {
		l[k] = v
	}
	return l
}

// Collector reports a pool's Stat.
type Collector struct {
	p   *pool.Pool
	err error // a configuration error, reported at registration

	conns, minConns, maxConns, waiting     *prometheus.Desc
	acquires, emptyAcquires, canceled      *prometheus.Desc
	exhausted                              *prometheus.Desc
	acquireErrors, acquireSeconds, waitSec *prometheus.Desc
	created, destroyed, pingFailures       *prometheus.Desc
	connectErrors                          *prometheus.Desc
}

// NewCollector returns a collector for p; its series carry the const label
// pool=<p.Name()>, so collectors of differently named pools register side
// by side.
func NewCollector(p *pool.Pool, opts ...Option) prometheus.Collector {
	cc, err := newConfig(opts)
	if err != nil {
		return &Collector{p: p, err: fmt.Errorf("%w (pool %q)", err, p.Name())}
	}
	labels := cc.labelsWith(prometheus.Labels{poolLabel: p.Name()})
	d := func(name, help string, variable ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "pool", name), help, variable, labels)
	}
	return &Collector{
		p:              p,
		conns:          d("connections", "Connections in the pool by state: acquired (in use), idle, constructing (being opened).", "state"),
		minConns:       d("min_connections", "The pool's MinSize."),
		maxConns:       d("max_connections", "The pool's MaxSize; -1 when unlimited."),
		waiting:        d("waiting_acquires", "Callers inside Acquire waiting for a connection."),
		acquires:       d("acquires_total", "Successful acquires."),
		emptyAcquires:  d("empty_acquires_total", "Acquires that found no idle connection and waited or opened one."),
		canceled:       d("canceled_acquires_total", "Acquires ended by their context before getting a connection."),
		exhausted:      d("exhausted_acquires_total", "Acquires that AcquireTimeout ended while every connection was in use (ErrExhausted)."),
		acquireErrors:  d("acquire_errors_total", "Acquires that failed, for any reason."),
		acquireSeconds: d("acquire_duration_seconds_total", "Total time spent in successful acquires."),
		waitSec:        d("empty_acquire_wait_seconds_total", "Total time acquires waited for a connection."),
		created:        d("connections_created_total", "Connections opened."),
		destroyed:      d("connections_destroyed_total", "Connections closed by the pool, by reason.", "reason"),
		pingFailures:   d("ping_failures_total", "Idle connections that failed their liveness ping on acquire."),
		connectErrors:  d("connect_errors_total", "Failed attempts to open connections in the background."),
	}
}

func (c *Collector) descs() []*prometheus.Desc {
	return []*prometheus.Desc{c.conns, c.minConns, c.maxConns, c.waiting, c.acquires, c.emptyAcquires, c.canceled,
		c.exhausted, c.acquireErrors, c.acquireSeconds, c.waitSec, c.created, c.destroyed, c.pingFailures, c.connectErrors}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	if c.err != nil {
		ch <- prometheus.NewInvalidDesc(c.err)
		return
	}
	for _, d := range c.descs() {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	if c.err != nil {
		ch <- prometheus.NewInvalidMetric(prometheus.NewInvalidDesc(c.err), c.err)
		return
	}
	s := c.p.Stat()
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	n := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	g(c.conns, float64(s.Acquired), "acquired")
	g(c.conns, float64(s.Idle), "idle")
	g(c.conns, float64(s.Constructing), "constructing")
	g(c.minConns, float64(s.Min))
	max := float64(s.Max)
	if s.Max == pool.Unlimited {
		max = -1
	}
	g(c.maxConns, max)
	g(c.waiting, float64(s.Waiting))
	n(c.acquires, float64(s.AcquireCount))
	n(c.emptyAcquires, float64(s.EmptyAcquireCount))
	n(c.canceled, float64(s.CanceledAcquireCount))
	n(c.exhausted, float64(s.ExhaustedAcquireCount))
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
