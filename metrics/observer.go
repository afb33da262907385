package metrics

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/pool"
	"github.com/prometheus/client_golang/prometheus"
)

// Observer records connection and pool events: command durations, errors
// and bytes, connect latency, cancellations and acquire waits. Set it as
// pool.Config.Observer: pool.New then gives the pool's connections the
// observer's view of that pool (ConnObserver), so one Observer serves any
// number of pools. It can also be set as actor.Config.Observer directly.
// Register it once.
type Observer struct {
	pool string // the pool given to NewObserver; "" serves every pool
	err  error  // a configuration error, reported at registration

	duration   *prometheus.HistogramVec
	errors     *prometheus.CounterVec
	serverErrs *prometheus.CounterVec
	sent       *prometheus.CounterVec
	received   *prometheus.CounterVec
	connects   *prometheus.HistogramVec
	kills      *prometheus.CounterVec
	dropped    *prometheus.CounterVec
	acquires   *prometheus.HistogramVec

	mu     sync.Mutex                             // serialises adding views
	views  atomic.Pointer[map[string]*poolEvents] // copied on write
	direct atomic.Pointer[poolEvents]             // the view used as actor.Observer itself
}

var (
	_ actor.Observer          = (*Observer)(nil)
	_ actor.ConnectObserver   = (*Observer)(nil)
	_ actor.CancelObserver    = (*Observer)(nil)
	_ pool.Observer           = (*Observer)(nil)
	_ pool.ConnObserverSource = (*Observer)(nil)
	_ pool.AcquireObserver    = (*Observer)(nil)
)

// defaultPool is the name a pool gets when its Config.Name is empty.
const defaultPool = "default"

// NewObserver returns an observer. With poolName "" it serves every pool
// and labels each pool's series with that pool's name; used directly as
// an actor.Config.Observer it labels them pool="default". With a poolName
// it serves that pool only, as a const label, and pool.New refuses it for
// a pool of another name. Named and unnamed observers cannot share a
// registry; several named ones can.
func NewObserver(poolName string, opts ...Option) *Observer {
	cc, err := newConfig(opts)
	o := &Observer{pool: poolName}
	if err != nil {
		o.err = err
		return o
	}
	labels := cc.constLabels
	var byPool []string // the variable pool label, when the observer serves any pool
	if poolName != "" {
		labels = cc.labelsWith(prometheus.Labels{poolLabel: poolName})
	} else {
		byPool = []string{poolLabel}
	}
	with := func(l ...string) []string { return append(append([]string(nil), byPool...), l...) }
	o.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "command_duration_seconds",
		Help:        "Time connections spent on a command, from receiving it to its reply, by kind.",
		ConstLabels: labels,
		Buckets:     []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
	}, with("kind"))
	o.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "command_errors_total",
		Help:        "Failed commands by kind and error class (server, canceled, timeout, bad_conn, connect, client).",
		ConstLabels: labels,
	}, with("kind", "class"))
	o.serverErrs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "server_errors_total",
		Help:        "Commands that failed with a server error, by kind and code (deadlock 1213, lock_wait_timeout 1205, duplicate_key 1062/1586, other).",
		ConstLabels: labels,
	}, with("kind", "code"))
	o.sent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "sent_bytes_total", Help: "Bytes written to servers, packet headers included.",
		ConstLabels: labels,
	}, with())
	o.received = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "received_bytes_total", Help: "Bytes read from servers, packet headers included.",
		ConstLabels: labels,
	}, with())
	o.connects = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "connect_duration_seconds",
		Help:        "Time to open a connection (dial, TLS, authentication, session set-up), by result (ok, error).",
		ConstLabels: labels,
		Buckets:     []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, with("result"))
	o.kills = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "kill_queries_total",
		Help:        "KILL QUERY sent because a running command's context ended, by result (ok, error).",
		ConstLabels: labels,
	}, with("result"))
	o.dropped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "cancel_dropped_connections_total",
		Help:        "Connections closed because a cancelled command did not stop: the KILL QUERY failed, or the command had not ended CancelTimeout after it.",
		ConstLabels: labels,
	}, with())
	o.acquires = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "pool", Name: "acquire_wait_seconds",
		Help:        "Time Acquire took, by result (ok, exhausted, canceled, timeout, connect, error).",
		ConstLabels: labels,
		Buckets:     []float64{.00001, .000025, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, with("result"))
	return o
}

// ConnObserver implements pool.ConnObserverSource: the observer's view of
// the named pool, or nil when the observer was made for another pool.
func (o *Observer) ConnObserver(poolName string) actor.Observer {
	if v := o.view(poolName); v != nil {
		return v
	}
	return nil
}

// view returns the events of one pool, made on first use; nil when the
// observer does not serve that pool.
func (o *Observer) view(poolName string) *poolEvents {
	if o.err != nil || (o.pool != "" && poolName != o.pool) {
		return nil
	}
	if m := o.views.Load(); m != nil {
		if v := (*m)[poolName]; v != nil {
			return v
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	old := o.views.Load()
	if old != nil {
		if v := (*old)[poolName]; v != nil {
			return v
		}
	}
	m := make(map[string]*poolEvents, 1)
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	v := o.newPoolEvents(poolName)
	m[poolName] = v
	o.views.Store(&m)
	return v
}

// self is the view used when the Observer is an actor.Observer itself.
func (o *Observer) self() *poolEvents {
	if v := o.direct.Load(); v != nil {
		return v
	}
	name := o.pool
	if name == "" {
		name = defaultPool
	}
	v := o.view(name)
	if v == nil {
		v = &poolEvents{} // a misconfigured observer records nothing
	}
	o.direct.Store(v)
	return v
}

// ObserveCommand implements actor.Observer.
func (o *Observer) ObserveCommand(ev actor.CommandEvent) { o.self().ObserveCommand(ev) }

// ObserveConnect implements actor.ConnectObserver.
func (o *Observer) ObserveConnect(ev actor.ConnectEvent) { o.self().ObserveConnect(ev) }

// ObserveCancel implements actor.CancelObserver.
func (o *Observer) ObserveCancel(ev actor.CancelEvent) { o.self().ObserveCancel(ev) }

// ObserveAcquire implements pool.AcquireObserver.
func (o *Observer) ObserveAcquire(poolName string, ev pool.AcquireEvent) {
	if v := o.view(poolName); v != nil {
		v.observeAcquire(ev)
	}
}

// ConnCreated implements pool.Observer; the Collector counts connections
// from the pool's Stat.
func (o *Observer) ConnCreated(string) {}

// ConnDestroyed implements pool.Observer; the Collector counts connections
// from the pool's Stat.
func (o *Observer) ConnDestroyed(string, string) {}

func (o *Observer) vecs() []prometheus.Collector {
	return []prometheus.Collector{o.duration, o.errors, o.serverErrs, o.sent, o.received, o.connects, o.kills, o.dropped, o.acquires}
}

// Describe implements prometheus.Collector.
func (o *Observer) Describe(ch chan<- *prometheus.Desc) {
	if o.err != nil {
		ch <- prometheus.NewInvalidDesc(fmt.Errorf("%w (observer)", o.err))
		return
	}
	for _, v := range o.vecs() {
		v.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (o *Observer) Collect(ch chan<- prometheus.Metric) {
	if o.err != nil {
		ch <- prometheus.NewInvalidMetric(prometheus.NewInvalidDesc(o.err), o.err)
		return
	}
	for _, v := range o.vecs() {
		v.Collect(ch)
	}
}
