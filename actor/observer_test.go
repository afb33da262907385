package actor_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/faultproxy"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/proto"
)

// eventLog is an Observer that also observes connects and cancellations.
type eventLog struct {
	mu       sync.Mutex
	connects []actor.ConnectEvent
	cancels  chan actor.CancelEvent
}

func newEventLog() *eventLog { return &eventLog{cancels: make(chan actor.CancelEvent, 16)} }

func (e *eventLog) ObserveCommand(actor.CommandEvent) {}

func (e *eventLog) ObserveConnect(ev actor.ConnectEvent) {
	e.mu.Lock()
	e.connects = append(e.connects, ev)
	e.mu.Unlock()
}

func (e *eventLog) ObserveCancel(ev actor.CancelEvent) { e.cancels <- ev }

// nextCancel waits for the next cancellation event.
func (e *eventLog) nextCancel(t *testing.T) actor.CancelEvent {
	t.Helper()
	select {
	case ev := <-e.cancels:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no cancellation was observed")
		return actor.CancelEvent{}
	}
}

func TestConnectObserverSeesEveryAttempt(t *testing.T) {
	log := newEventLog()
	cfg := testConfig(t)
	cfg.Observer = log
	c := connectCfg(t, cfg)
	cfg.Password = "definitely-wrong-" + cfg.Password
	if _, err := actor.Connect(ctxT(t), cfg); err == nil {
		t.Fatal("Connect with a wrong password succeeded")
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.connects) != 2 {
		t.Fatalf("observed %d connects, want 2", len(log.connects))
	}
	ok, bad := log.connects[0], log.connects[1]
	if ok.Err != nil || ok.Duration <= 0 || ok.Duration > 10*time.Second {
		t.Errorf("successful connect observed as %+v", ok)
	}
	var se *proto.Error
	if !errors.As(bad.Err, &se) || se.Code != 1045 || bad.Duration <= 0 {
		t.Errorf("failed connect observed as %+v, want error 1045", bad)
	}
	if c.Closed() {
		t.Error("the observed connection is closed")
	}
}

// proxied returns a configuration reaching the test server through a
// fault proxy.
func proxied(t *testing.T) (actor.Config, *faultproxy.Proxy) {
	tg := testserver.FromEnv(t)
	proxy := faultproxy.Start(t, fmt.Sprintf("%s:%d", tg.Host, tg.Port))
	cfg := targetConfig(t, tg)
	cfg.UnixSocket, cfg.Host, cfg.Port = "", "127.0.0.1", proxy.Port()
	return cfg, proxy
}

func TestCancelObserverSeesKillsAndDroppedConnections(t *testing.T) {
	for _, tt := range []struct {
		name     string
		compress bool // compressed connections run every command through the mailbox
		// fault, set while the statement runs: a fault that applies to
		// the connections already open only (Probability 1e-12 spares
		// new ones: the proxy draws it per connection).
		fault       *faultproxy.Fault
		killFails   bool
		wantDropped bool
	}{
		{name: "direct"},
		{name: "mailbox", compress: true},
		{name: "kill refused", fault: &faultproxy.Fault{Refuse: true}, killFails: true, wantDropped: true},
		{name: "resync timed out", fault: &faultproxy.Fault{Stall: true, Probability: 1e-12}, wantDropped: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			log := newEventLog()
			cfg, proxy := proxied(t)
			// A KILL QUERY can take a second to stop SLEEP on a loaded
			// machine: the connections meant to survive get more time.
			cfg.Observer, cfg.Compress, cfg.CancelTimeout = log, tt.compress, 3*time.Second
			if tt.wantDropped {
				cfg.CancelTimeout = time.Second
			}
			proxy.Set(faultproxy.Fault{Probability: 1}) // hit: the connection opened now
			c := connectCfg(t, cfg)
			proxy.Clear()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if tt.fault != nil {
				time.AfterFunc(100*time.Millisecond, func() { proxy.Set(*tt.fault) })
			}
			if _, err := c.Cursor().Execute(ctx, "SELECT SLEEP(10)"); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Execute = %v, want context.DeadlineExceeded", err)
			}
			ev := log.nextCancel(t)
			if (ev.KillErr != nil) != tt.killFails || ev.Dropped != tt.wantDropped {
				t.Errorf("observed %+v, want a failed kill %v and dropped %v", ev, tt.killFails, tt.wantDropped)
			}
			if tt.wantDropped {
				return
			}
			if got := queryRow(t, c, "SELECT 'next'")[0]; got != "next" {
				t.Errorf("after the cancellation: %v", got)
			}
			select {
			case ev := <-log.cancels:
				t.Errorf("a second cancellation was observed: %+v", ev)
			default:
			}
		})
	}
}
