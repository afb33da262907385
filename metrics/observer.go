package metrics

import (
	"context"
	"errors"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
	"github.com/prometheus/client_golang/prometheus"
)

// Observer records connection commands: a duration histogram and an error
// counter by command kind, and bytes moved. Set it as actor.Config.Observer
// (for a pool: pool.Config.Conn.Observer) and register it.
type Observer struct {
	duration *prometheus.HistogramVec
	byKind   map[string]prometheus.Observer // duration's series for the known kinds
	errors   *prometheus.CounterVec
	sent     prometheus.Counter
	received prometheus.Counter
}

var _ actor.Observer = (*Observer)(nil)

// NewObserver returns an observer whose series carry the label
// pool=<poolName>.
func NewObserver(poolName string, opts ...Option) *Observer {
	var cc collectorConfig
	for _, o := range opts {
		o(&cc)
	}
	labels := prometheus.Labels{"pool": poolName}
	for k, v := range cc.constLabels {
		labels[k] = v
	}
	o := &Observer{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "command_duration_seconds",
			Help:        "Time connections spent on a command, from receiving it to its reply, by kind.",
			ConstLabels: labels,
			Buckets:     []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "command_errors_total",
			Help:        "Failed commands by kind and error class (server, canceled, timeout, bad_conn, connect, client).",
			ConstLabels: labels,
		}, []string{"kind", "class"}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "sent_bytes_total", Help: "Bytes written to servers, packet headers included.",
			ConstLabels: labels,
		}),
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "received_bytes_total", Help: "Bytes read from servers, packet headers included.",
			ConstLabels: labels,
		}),
	}
	// Resolving a label value hashes it under a lock; the kinds a
	// connection reports are few and known, so their series are looked up
	// once here rather than on every command.
	o.byKind = map[string]prometheus.Observer{}
	for _, k := range []string{"query", "fetch", "next_result", "command", "quit", "other"} { // CommandEvent.Kind
		o.byKind[k] = o.duration.WithLabelValues(k)
	}
	return o
}

// ObserveCommand implements actor.Observer.
func (o *Observer) ObserveCommand(ev actor.CommandEvent) {
	h, ok := o.byKind[ev.Kind]
	if !ok {
		h = o.duration.WithLabelValues(ev.Kind)
	}
	h.Observe(ev.Duration.Seconds())
	if ev.Err != nil {
		o.errors.WithLabelValues(ev.Kind, ErrorClass(ev.Err)).Inc()
	}
	o.sent.Add(float64(ev.BytesSent))
	o.received.Add(float64(ev.BytesReceived))
}

// ErrorClass names the class of an error, for labels: canceled, timeout,
// bad_conn (the connection broke or was closed), connect (a new connection
// could not be opened), server (the server's own error), client (anything
// else, such as an argument that cannot be sent).
func ErrorClass(err error) string {
	var se *proto.Error
	var ae *actor.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case actor.IsBadConn(err):
		return "bad_conn"
	case errors.As(err, &ae) && ae.Op == "connect":
		return "connect"
	case errors.As(err, &se):
		return "server"
	}
	return "client"
}

// Describe implements prometheus.Collector.
func (o *Observer) Describe(ch chan<- *prometheus.Desc) {
	o.duration.Describe(ch)
	o.errors.Describe(ch)
	o.sent.Describe(ch)
	o.received.Describe(ch)
}

// Collect implements prometheus.Collector.
func (o *Observer) Collect(ch chan<- prometheus.Metric) {
	o.duration.Collect(ch)
	o.errors.Collect(ch)
	o.sent.Collect(ch)
	o.received.Collect(ch)
}
