package pool

import (
	"reflect"
	"time"

	"github.com/amysql/amysql/actor"
)

// Observer receives pool events (for metrics). It may also implement
// ConnObserverSource and AcquireObserver, which New checks for once.
type Observer interface {
	ConnCreated(pool string)
	ConnDestroyed(pool, reason string)
}

// ConnObserverSource is implemented by an Observer that also observes the
// pool's connections. When Config.Conn.Observer is nil (or the Observer
// itself), New sets it to ConnObserver(Config.Name), so the pool's and its
// connections' events carry the same name without it being given twice. ConnObserver returns
// nil for a pool it cannot serve, and New then fails with ErrConfig.
type ConnObserverSource interface {
	ConnObserver(pool string) actor.Observer
}

// AcquireObserver is implemented by an Observer that is told about every
// Acquire as it returns.
type AcquireObserver interface {
	ObserveAcquire(pool string, ev AcquireEvent)
}

// AcquireEvent describes one Acquire.
type AcquireEvent struct {
	// Wait is the time from the call to its return.
	Wait time.Duration
	// Err is nil when a connection was handed out; else what Acquire
	// returned (ErrExhausted, the caller's ctx error, a connect error,
	// ErrClosed).
	Err error
}

// sameObserver reports whether conn is the pool Observer o itself. Only
// pointers are compared: comparing other values may panic.
func sameObserver(conn actor.Observer, o Observer) bool {
	a, b := reflect.ValueOf(conn), reflect.ValueOf(o)
	return a.Kind() == reflect.Pointer && a.Type() == b.Type() && a.Pointer() == b.Pointer()
}
