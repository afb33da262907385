package metrics

import (
	"sync/atomic"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/pool"
	"github.com/prometheus/client_golang/prometheus"
)

// poolEvents is an Observer's view of one pool: its vectors curried with
// the pool's name. It is the actor.Observer of that pool's connections.
// The zero value records nothing.
type poolEvents struct {
	duration   prometheus.ObserverVec
	errors     *prometheus.CounterVec
	serverErrs *prometheus.CounterVec
	sent       prometheus.Counter
	received   prometheus.Counter
	connects   prometheus.ObserverVec
	kills      *prometheus.CounterVec
	dropped    *prometheus.CounterVec
	acquires   prometheus.ObserverVec

	// Series of the common label values, resolved on first use: resolving
	// hashes the values under a lock, too dear for every command, and a
	// series made up front would show kinds that never occur.
	byKind    [len(commandKinds)]series
	connectOK series
	acquireOK series
}

// commandKinds are the kinds CommandEvent.Kind takes.
var commandKinds = [...]string{"query", "fetch", "next_result", "command", "quit", "other"}

func kindIndex(kind string) int {
	switch kind {
	case "query":
		return 0
	case "fetch":
		return 1
	case "next_result":
		return 2
	case "command":
		return 3
	case "quit":
		return 4
	case "other":
		return 5
	}
	return -1
}

// series is a histogram series resolved once.
type series struct {
	p atomic.Pointer[prometheus.Observer]
}

func (s *series) get(vec prometheus.ObserverVec, value string) prometheus.Observer {
	if h := s.p.Load(); h != nil {
		return *h
	}
	h := vec.WithLabelValues(value) // a racing resolution finds the same series
	s.p.Store(&h)
	return h
}

func (o *Observer) newPoolEvents(poolName string) *poolEvents {
	byPool := prometheus.Labels{}
	var values []string
	if o.pool == "" {
		byPool[poolLabel] = poolName
		values = []string{poolName}
	}
	return &poolEvents{
		duration:   o.duration.MustCurryWith(byPool),
		errors:     o.errors.MustCurryWith(byPool),
		serverErrs: o.serverErrs.MustCurryWith(byPool),
		sent:       o.sent.WithLabelValues(values...),
		received:   o.received.WithLabelValues(values...),
		connects:   o.connects.MustCurryWith(byPool),
		kills:      o.kills.MustCurryWith(byPool),
		dropped:    o.dropped.MustCurryWith(byPool),
		acquires:   o.acquires.MustCurryWith(byPool),
	}
}

// ObserveCommand implements actor.Observer.
func (v *poolEvents) ObserveCommand(ev actor.CommandEvent) {
	if v.duration == nil {
		return
	}
	var h prometheus.Observer
	if i := kindIndex(ev.Kind); i >= 0 {
		h = v.byKind[i].get(v.duration, commandKinds[i])
	} else {
		h = v.duration.WithLabelValues(ev.Kind)
	}
	h.Observe(ev.Duration.Seconds())
	if ev.Err != nil {
		v.errors.WithLabelValues(ev.Kind, ErrorClass(ev.Err)).Inc()
		if code := ServerErrorCode(ev.Err); code != "" {
			v.serverErrs.WithLabelValues(ev.Kind, code).Inc()
		}
	}
	v.sent.Add(float64(ev.BytesSent))
	v.received.Add(float64(ev.BytesReceived))
}

// ObserveConnect implements actor.ConnectObserver.
func (v *poolEvents) ObserveConnect(ev actor.ConnectEvent) {
	if v.connects == nil {
		return
	}
	h := v.connectOK.get(v.connects, "ok")
	if ev.Err != nil {
		h = v.connects.WithLabelValues("error")
	}
	h.Observe(ev.Duration.Seconds())
}

// ObserveCancel implements actor.CancelObserver.
func (v *poolEvents) ObserveCancel(ev actor.CancelEvent) {
	if v.kills == nil {
		return
	}
	result := "ok"
	if ev.KillErr != nil {
		result = "error"
	}
	v.kills.WithLabelValues(result).Inc()
	if ev.Dropped {
		v.dropped.WithLabelValues().Inc()
	}
}

func (v *poolEvents) observeAcquire(ev pool.AcquireEvent) {
	if ev.Err == nil {
		v.acquireOK.get(v.acquires, "ok").Observe(ev.Wait.Seconds())
		return
	}
	v.acquires.WithLabelValues(acquireResult(ev.Err)).Observe(ev.Wait.Seconds())
}
