package pool_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/pool"
	"github.com/amysql/amysql/proto"
)

// holdAll acquires every connection of p until the test ends.
func holdAll(t *testing.T, p *pool.Pool) {
	t.Helper()
	for i := 0; i < p.MaxSize(); i++ {
		c, err := p.Acquire(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Release)
	}
}

// silentPort returns a loopback port that accepts connections and never
// answers, as a server too slow to greet.
func silentPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().(*net.TCPAddr).Port
}

func TestAcquireSaysWhetherThePoolWasExhausted(t *testing.T) {
	for _, tt := range []struct {
		name           string
		acquireTimeout time.Duration
		callerTimeout  time.Duration // 0: the caller cancels after 100ms
		slowServer     bool          // connections cannot be opened in time; the pool is not full
		wantErr        error
		wantExhausted  bool
		wantText       []string
	}{
		{name: "AcquireTimeout on a full pool", acquireTimeout: 100 * time.Millisecond, callerTimeout: 10 * time.Second,
			wantErr: context.DeadlineExceeded, wantExhausted: true,
			wantText: []string{"pool exhausted", "100ms AcquireTimeout", "all 2 connections in use"}},
		{name: "caller's deadline before AcquireTimeout", acquireTimeout: 10 * time.Second, callerTimeout: 100 * time.Millisecond,
			wantErr: context.DeadlineExceeded, wantText: []string{"context deadline exceeded"}},
		{name: "caller's deadline, no AcquireTimeout", callerTimeout: 100 * time.Millisecond,
			wantErr: context.DeadlineExceeded, wantText: []string{"context deadline exceeded"}},
		{name: "caller cancels", acquireTimeout: 10 * time.Second,
			wantErr: context.Canceled, wantText: []string{"context canceled"}},
		{name: "AcquireTimeout while connecting", acquireTimeout: 100 * time.Millisecond, callerTimeout: 10 * time.Second, slowServer: true,
			wantErr: context.DeadlineExceeded, wantText: []string{"AcquireTimeout 100ms reached with 0 connections in use and 1 being opened"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t, func(c *pool.Config) {
				c.MinSize, c.MaxSize, c.AcquireTimeout = 0, 2, tt.acquireTimeout
				if tt.slowServer {
					c.Conn = actor.Config{Host: "127.0.0.1", Port: silentPort(t), User: "x", ConnectTimeout: time.Second}
				}
			})
			if !tt.slowServer {
				holdAll(t, p)
			}
			var ctx context.Context
			var cancel context.CancelFunc
			if tt.callerTimeout > 0 {
				ctx, cancel = context.WithTimeout(context.Background(), tt.callerTimeout)
			} else {
				ctx, cancel = context.WithCancel(context.Background())
				time.AfterFunc(100*time.Millisecond, cancel)
			}
			defer cancel()
			_, err := p.Acquire(ctx)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Acquire = %v, want %v", err, tt.wantErr)
			}
			if got := errors.Is(err, pool.ErrExhausted); got != tt.wantExhausted {
				t.Errorf("errors.Is(%v, ErrExhausted) = %v, want %v", err, got, tt.wantExhausted)
			}
			if !actor.SafeToRetry(err) {
				t.Errorf("SafeToRetry(%v) = false: nothing was sent", err)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			st := p.Stat()
			if want := map[bool]int64{true: 1}[tt.wantExhausted]; st.ExhaustedAcquireCount != want || st.AcquireErrors != 1 {
				t.Errorf("ExhaustedAcquireCount = %d, AcquireErrors = %d, want %d, 1", st.ExhaustedAcquireCount, st.AcquireErrors, want)
			}
		})
	}
}

// TestAcquireKeepsTheRetrySemanticsOfConnectFailures: a connection that
// could not be opened fails Acquire as it fails Connect.
func TestAcquireKeepsTheRetrySemanticsOfConnectFailures(t *testing.T) {
	wrongPassword := connConfig(t)
	wrongPassword.Password = "definitely-wrong-" + wrongPassword.Password
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	for _, tt := range []struct {
		name      string
		conn      actor.Config
		wantRetry bool
		wantCode  uint16
	}{
		{"wrong password", wrongPassword, false, 1045},
		{"refused dial", actor.Config{Host: "127.0.0.1", Port: closed, User: "x"}, true, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, cerr := actor.Connect(ctxT(t), tt.conn)
			p := newPool(t, func(c *pool.Config) { c.Conn, c.MinSize = tt.conn, 0 })
			_, err := p.Acquire(ctxT(t))
			if err == nil || cerr == nil {
				t.Fatalf("Acquire = %v, Connect = %v, want failures", err, cerr)
			}
			if got := actor.SafeToRetry(err); got != tt.wantRetry || got != actor.SafeToRetry(cerr) {
				t.Errorf("SafeToRetry: Acquire %v (%v), Connect %v (%v), want %v", got, err, actor.SafeToRetry(cerr), cerr, tt.wantRetry)
			}
			var se *proto.Error
			if tt.wantCode != 0 && (!errors.As(err, &se) || se.Code != tt.wantCode) {
				t.Errorf("Acquire = %v, want server error %d", err, tt.wantCode)
			}
			if !strings.HasPrefix(err.Error(), "amysql/pool: acquire: ") {
				t.Errorf("error %q lacks the pool's prefix", err)
			}
		})
	}
}

func TestStatCountsWaitersAndAgreesWithTheConfiguredSizes(t *testing.T) {
	p := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize = 1, 1 })
	held, err := p.Acquire(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	const waiters = 3
	var wg sync.WaitGroup
	for i := 0; i < waiters; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c, err := p.Acquire(ctxT(t)); err == nil {
				c.Release()
			}
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for p.Stat().Waiting != waiters && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if st := p.Stat(); st.Waiting != waiters || st.Min != 1 || st.Max != 1 {
		t.Errorf("Stat: Waiting %d, Min %d, Max %d, want %d, 1, 1", st.Waiting, st.Min, st.Max, waiters)
	}
	held.Release()
	wg.Wait()
	if st := p.Stat(); st.Waiting != 0 {
		t.Errorf("Stat().Waiting = %d after every waiter was served", st.Waiting)
	}

	unlimited := newPool(t, func(c *pool.Config) { c.MinSize, c.MaxSize = 0, pool.Unlimited })
	if st := unlimited.Stat(); st.Max != pool.Unlimited || st.Max != unlimited.MaxSize() {
		t.Errorf("unlimited pool: Stat().Max = %d, MaxSize() = %d, want both Unlimited", st.Max, unlimited.MaxSize())
	}
}

// poolEvents is an Observer that also hands out connection observers and
// observes acquires.
type poolEvents struct {
	mu       sync.Mutex
	served   []string // pools given a connection observer
	acquires []string // pool name and error of each acquire
	commands map[string]int
}

func (e *poolEvents) ConnCreated(string)           {}
func (e *poolEvents) ConnDestroyed(string, string) {}

func (e *poolEvents) ConnObserver(name string) actor.Observer {
	e.mu.Lock()
	defer e.mu.Unlock()
	if name == "refused" {
		return nil
	}
	e.served = append(e.served, name)
	return connEvents{e, name}
}

func (e *poolEvents) ObserveAcquire(name string, ev pool.AcquireEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	what := "ok"
	if ev.Err != nil {
		what = ev.Err.Error()
	}
	if ev.Wait <= 0 {
		what += " without a wait time"
	}
	e.acquires = append(e.acquires, name+": "+what)
}

// ObserveCommand makes poolEvents an actor.Observer too, for a pool that
// sets it as its Conn.Observer as well.
func (e *poolEvents) ObserveCommand(actor.CommandEvent) {
	e.mu.Lock()
	e.commands["the observer itself"]++
	e.mu.Unlock()
}

type connEvents struct {
	e    *poolEvents
	pool string
}

func (c connEvents) ObserveCommand(actor.CommandEvent) {
	c.e.mu.Lock()
	c.e.commands[c.pool]++
	c.e.mu.Unlock()
}

func TestNewGivesConnectionsTheObserversOwnObserverForThePool(t *testing.T) {
	ev := &poolEvents{commands: map[string]int{}}
	writer := newPool(t, func(c *pool.Config) {
		c.Name, c.Observer, c.MaxSize, c.AcquireTimeout = "writer", ev, 1, 50*time.Millisecond
	})
	reader := newPool(t, func(c *pool.Config) { c.Name, c.Observer = "reader", ev })
	mine := connEvents{ev, "mine"}
	explicit := newPool(t, func(c *pool.Config) { c.Name, c.Observer, c.Conn.Observer = "explicit", ev, mine })
	twice := newPool(t, func(c *pool.Config) { c.Name, c.Observer, c.Conn.Observer = "twice", ev, ev })
	if _, err := pool.New(pool.Config{Name: "refused", Observer: ev, Conn: connConfig(t)}); !errors.Is(err, pool.ErrConfig) {
		t.Errorf("New with an Observer that serves no such pool = %v, want ErrConfig", err)
	}
	if got := explicit.Config().Conn.Observer; got != actor.Observer(mine) {
		t.Errorf("an explicit Conn.Observer was replaced by %v", got)
	}
	for _, p := range []*pool.Pool{writer, reader, explicit, twice} {
		if _, err := p.Execute(ctxT(t), "SELECT 1"); err != nil {
			t.Fatal(err)
		}
	}
	held, err := writer.Acquire(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	_, exhausted := writer.Acquire(context.Background())
	held.Release()

	ev.mu.Lock()
	defer ev.mu.Unlock()
	if strings.Join(ev.served, ",") != "writer,reader,twice" {
		t.Errorf("connection observers handed out for %v, want writer, reader and twice", ev.served)
	}
	if n := ev.commands["the observer itself"]; n != 0 {
		t.Errorf("%d commands observed by the pool Observer as a Conn.Observer, not by its view of the pool", n)
	}
	for _, name := range []string{"writer", "reader", "mine", "twice"} {
		if ev.commands[name] == 0 {
			t.Errorf("no commands observed for %s: %v", name, ev.commands)
		}
	}
	want := []string{"writer: ok", "reader: ok", "explicit: ok", "twice: ok", "writer: ok", "writer: " + exhausted.Error()}
	if strings.Join(ev.acquires, "\n") != strings.Join(want, "\n") {
		t.Errorf("acquires observed:\n%s\nwant:\n%s", strings.Join(ev.acquires, "\n"), strings.Join(want, "\n"))
	}
}
