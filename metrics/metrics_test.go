package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/faultproxy"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/metrics"
	"github.com/amysql/amysql/pool"
	"github.com/amysql/amysql/proto"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

func connConfig(t *testing.T) actor.Config {
	t.Helper()
	conn, err := actor.ParseDSN(testserver.FromEnv(t).DSN)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// newPool opens a pool closed at cleanup.
func newPool(t *testing.T, cfg pool.Config) *pool.Pool {
	t.Helper()
	p, err := pool.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p.WaitClosed(ctx)
	})
	return p
}

// setup is the wiring the docs show before one observer could serve
// several pools: a named observer set on the connections by hand.
func setup(t *testing.T) (*pool.Pool, *prometheus.Registry, string) {
	t.Helper()
	conn := connConfig(t)
	obs := metrics.NewObserver("test")
	conn.Observer = obs
	p := newPool(t, pool.Config{Conn: conn, Name: "test", MinSize: 1, MaxSize: 2})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(obs, metrics.NewCollector(p))
	return p, reg, conn.Password
}

// scrape gathers reg into series name{label="value",...} -> value, labels
// sorted by name; a histogram gives its _count and _sum.
func scrape(t *testing.T, reg prometheus.Gatherer) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]float64{}
	for _, mf := range families {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			sort.Strings(labels)
			suffix := "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Gauge != nil:
				values[mf.GetName()+suffix] = m.Gauge.GetValue()
			case m.Counter != nil:
				values[mf.GetName()+suffix] = m.Counter.GetValue()
			case m.Histogram != nil:
				values[mf.GetName()+"_count"+suffix] = float64(m.Histogram.GetSampleCount())
				values[mf.GetName()+"_sum"+suffix] = m.Histogram.GetSampleSum()
			}
		}
	}
	return values
}

type want struct {
	series string
	value  float64
}

func check(t *testing.T, values map[string]float64, wants []want) {
	t.Helper()
	for _, w := range wants {
		if got, ok := values[w.series]; !ok || got != w.value {
			t.Errorf("%s = %v (present %v), want %v", w.series, got, ok, w.value)
		}
	}
}

func TestMetricsMatchStatAfterAKnownWorkload(t *testing.T) {
	p, reg, _ := setup(t)
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		if _, err := p.QueryRow(ctx, "SELECT ?", i); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Execute(ctx, "SELECT * FROM no_such_table_metrics"); err == nil {
		t.Fatal("expected a server error")
	}
	held, _ := p.Acquire(ctx)
	defer held.Release()
	st := p.Stat()
	values := scrape(t, reg)
	check(t, values, []want{
		{`amysql_pool_acquires_total{pool="test"}`, float64(st.AcquireCount)},
		{`amysql_pool_connections{pool="test",state="acquired"}`, 1},
		{`amysql_pool_connections{pool="test",state="idle"}`, float64(st.Idle)},
		{`amysql_pool_min_connections{pool="test"}`, 1},
		{`amysql_pool_max_connections{pool="test"}`, 2},
		{`amysql_pool_connections_created_total{pool="test"}`, float64(st.NewConns)},
		{`amysql_command_errors_total{class="server",kind="query",pool="test"}`, 1},
		{`amysql_server_errors_total{code="other",kind="query",pool="test"}`, 1},
		{`amysql_command_duration_seconds_count{kind="query",pool="test"}`, 11},
	})
	if st.AcquireCount != 12 {
		t.Errorf("Stat().AcquireCount = %d, want 12", st.AcquireCount)
	}
	if v := values[`amysql_sent_bytes_total{pool="test"}`]; v <= 0 {
		t.Errorf("sent bytes = %v", v)
	}
	// Kinds that never occurred have no series.
	for _, kind := range []string{"next_result", "quit", "other"} {
		if s := `amysql_command_duration_seconds_count{kind="` + kind + `",pool="test"}`; values[s] != 0 {
			t.Errorf("%s = %v", s, values[s])
		} else if _, ok := values[s]; ok {
			t.Errorf("%s exists though no such command ran", s)
		}
	}
}

// TestTwoPoolsOnOneRegistry: one observer, set once per pool, and a
// collector per pool register side by side, and each pool's series carry
// its own name and counts.
func TestTwoPoolsOnOneRegistry(t *testing.T) {
	obs := metrics.NewObserver("", metrics.WithConstLabels(prometheus.Labels{"service": "billing"}))
	writer := newPool(t, pool.Config{Conn: connConfig(t), Name: "writer", Observer: obs, MinSize: 1, MaxSize: 2})
	reader := newPool(t, pool.Config{Conn: connConfig(t), Name: "reader", Observer: obs, MinSize: 2, MaxSize: pool.Unlimited})
	reg := prometheus.NewPedanticRegistry()
	for _, c := range []prometheus.Collector{obs, metrics.NewBuildInfoCollector(),
		metrics.NewCollector(writer, metrics.WithConstLabels(prometheus.Labels{"service": "billing"})),
		metrics.NewCollector(reader, metrics.WithConstLabels(prometheus.Labels{"service": "billing"}))} {
		if err := reg.Register(c); err != nil {
			t.Fatalf("Register: %v", err)
		}
	}
	ctx := context.Background()
	for p, n := range map[*pool.Pool]int{writer: 3, reader: 5} {
		for i := 0; i < n; i++ {
			if _, err := p.QueryRow(ctx, "SELECT ?", i); err != nil {
				t.Fatal(err)
			}
		}
	}
	values := scrape(t, reg)
	ws, rs := writer.Stat(), reader.Stat()
	if rs.Max != pool.Unlimited {
		t.Errorf("unlimited pool: Stat().Max = %d, want pool.Unlimited", rs.Max)
	}
	check(t, values, []want{
		{`amysql_command_duration_seconds_count{kind="query",pool="writer",service="billing"}`, 3},
		{`amysql_command_duration_seconds_count{kind="query",pool="reader",service="billing"}`, 5},
		{`amysql_pool_acquires_total{pool="writer",service="billing"}`, float64(ws.AcquireCount)},
		{`amysql_pool_acquires_total{pool="reader",service="billing"}`, float64(rs.AcquireCount)},
		{`amysql_pool_acquire_wait_seconds_count{pool="writer",result="ok",service="billing"}`, 3},
		{`amysql_pool_acquire_wait_seconds_count{pool="reader",result="ok",service="billing"}`, 5},
		{`amysql_connect_duration_seconds_count{pool="writer",result="ok",service="billing"}`, float64(ws.NewConns)},
		{`amysql_connect_duration_seconds_count{pool="reader",result="ok",service="billing"}`, float64(rs.NewConns)},
		{`amysql_pool_min_connections{pool="reader",service="billing"}`, 2},
		{`amysql_pool_max_connections{pool="writer",service="billing"}`, 2},
		{`amysql_pool_max_connections{pool="reader",service="billing"}`, float64(rs.Max)},
		{`amysql_build_info{goversion="` + runtime.Version() + `",version="` + actor.Version + `"}`, 1},
	})
	if values[`amysql_sent_bytes_total{pool="writer",service="billing"}`] <= 0 || values[`amysql_sent_bytes_total{pool="reader",service="billing"}`] <= 0 {
		t.Error("bytes sent are not counted per pool")
	}
	for s := range values {
		if strings.Contains(s, `pool="default"`) || strings.Contains(s, `pool=""`) {
			t.Errorf("series %s names no pool of the test", s)
		}
	}

	// Observers made for one pool each still register side by side.
	reg2 := prometheus.NewPedanticRegistry()
	if err := reg2.Register(metrics.NewObserver("a")); err != nil {
		t.Fatal(err)
	}
	if err := reg2.Register(metrics.NewObserver("b")); err != nil {
		t.Errorf("a second named observer: %v", err)
	}
}

func TestAConstLabelNamedPoolIsRefused(t *testing.T) {
	p, _, _ := setup(t)
	labels := metrics.WithConstLabels(prometheus.Labels{"pool": "mine"})
	for name, c := range map[string]prometheus.Collector{
		"collector": metrics.NewCollector(p, labels),
		"observer":  metrics.NewObserver("", labels),
	} {
		err := prometheus.NewRegistry().Register(c)
		if err == nil || !strings.Contains(err.Error(), `amysql/metrics: the const label "pool" is reserved`) {
			t.Errorf("registering a %s with a const label pool = %v", name, err)
		}
	}
	if _, err := pool.New(pool.Config{Conn: connConfig(t), Observer: metrics.NewObserver("", labels)}); !errors.Is(err, pool.ErrConfig) {
		t.Errorf("pool.New with that observer = %v, want ErrConfig", err)
	}
	if _, err := pool.New(pool.Config{Conn: connConfig(t), Name: "other", Observer: metrics.NewObserver("test")}); !errors.Is(err, pool.ErrConfig) {
		t.Errorf("pool.New with an observer made for another pool = %v, want ErrConfig", err)
	}
}

// dashboard runs a workload that makes every series of a pool exist: it
// returns the registry and the pool's Stat at the end.
func dashboard(t *testing.T) (*prometheus.Registry, *pool.Stat) {
	t.Helper()
	obs := metrics.NewObserver("")
	p := newPool(t, pool.Config{Conn: connConfig(t), Name: "app", Observer: obs, MinSize: 1, MaxSize: 2,
		AcquireTimeout: 300 * time.Millisecond})
	bad := connConfig(t)
	bad.Password = "definitely-wrong-" + bad.Password
	badPool := newPool(t, pool.Config{Conn: bad, Name: "bad", Observer: obs, MinSize: 0})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(obs, metrics.NewCollector(p), metrics.NewCollector(badPool), metrics.NewBuildInfoCollector())
	ctx := context.Background()

	// Server errors: a duplicate key, a lock wait timeout, a deadlock.
	table := fmt.Sprintf("amysql_metrics_locks_%d", time.Now().UnixNano()%1e9)
	mustExec(t, p, "CREATE TABLE "+table+" (id INT PRIMARY KEY, v INT) ENGINE=InnoDB")
	t.Cleanup(func() { p.Execute(context.Background(), "DROP TABLE IF EXISTS "+table) })
	mustExec(t, p, "INSERT INTO "+table+" VALUES (1, 0), (2, 0)")
	if _, err := p.Execute(ctx, "INSERT INTO "+table+" VALUES (1, 0)"); serverCode(err) != 1062 {
		t.Fatalf("duplicate insert = %v, want 1062", err)
	}
	a, b := acquire(t, p), acquire(t, p)
	for _, q := range []string{"BEGIN", "UPDATE " + table + " SET v = v + 1 WHERE id = 1"} {
		mustExecOn(t, a, q)
	}
	mustExecOn(t, b, "SET SESSION innodb_lock_wait_timeout = 1")
	if _, err := b.Cursor().Execute(ctx, "UPDATE "+table+" SET v = v + 1 WHERE id = 1"); serverCode(err) != 1205 {
		t.Fatalf("update of a locked row = %v, want 1205", err)
	}
	mustExecOn(t, b, "BEGIN")
	mustExecOn(t, b, "UPDATE "+table+" SET v = v + 1 WHERE id = 2")
	aDone := make(chan error, 1)
	go func() {
		_, err := a.Cursor().Execute(ctx, "UPDATE "+table+" SET v = v + 1 WHERE id = 2")
		aDone <- err
	}()
	time.Sleep(200 * time.Millisecond) // a waits for b's row
	_, berr := b.Cursor().Execute(ctx, "UPDATE "+table+" SET v = v + 1 WHERE id = 1")
	aerr := <-aDone
	if codes := []uint16{serverCode(aerr), serverCode(berr)}; codes[0]+codes[1] != 1213 {
		t.Fatalf("crossed updates = %v, %v; want one deadlock (1213)", aerr, berr)
	}
	mustExecOn(t, a, "ROLLBACK")
	mustExecOn(t, b, "ROLLBACK")

	// Both connections in use: a caller waits, then AcquireTimeout ends it.
	waited := make(chan error, 1)
	go func() {
		_, err := p.Acquire(ctx)
		waited <- err
	}()
	for deadline := time.Now().Add(5 * time.Second); p.Stat().Waiting != 1 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	check(t, scrape(t, reg), []want{{`amysql_pool_waiting_acquires{pool="app"}`, 1}})
	if err := <-waited; !errors.Is(err, pool.ErrExhausted) {
		t.Fatalf("Acquire on a full pool = %v, want ErrExhausted", err)
	}
	a.Release()
	b.Release()

	// A cancelled statement is stopped with KILL QUERY.
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := p.Execute(cctx, "SELECT SLEEP(10)"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled statement = %v", err)
	}
	eventually(t, reg, want{`amysql_kill_queries_total{pool="app",result="ok"}`, 1})

	// A pool that cannot log in.
	if _, err := badPool.Acquire(ctx); serverCode(err) != 1045 {
		t.Fatalf("Acquire with a wrong password = %v, want 1045", err)
	}
	return reg, p.Stat()
}

func TestDashboardMetrics(t *testing.T) {
	reg, st := dashboard(t)
	values := scrape(t, reg)
	check(t, values, []want{
		{`amysql_server_errors_total{code="duplicate_key",kind="query",pool="app"}`, 1},
		{`amysql_server_errors_total{code="lock_wait_timeout",kind="query",pool="app"}`, 1},
		{`amysql_server_errors_total{code="deadlock",kind="query",pool="app"}`, 1},
		{`amysql_command_errors_total{class="server",kind="query",pool="app"}`, 3},
		{`amysql_pool_waiting_acquires{pool="app"}`, 0},
		{`amysql_pool_exhausted_acquires_total{pool="app"}`, 1},
		{`amysql_pool_acquire_wait_seconds_count{pool="app",result="exhausted"}`, 1},
		{`amysql_pool_acquire_wait_seconds_count{pool="app",result="ok"}`, float64(st.AcquireCount)},
		{`amysql_pool_acquire_wait_seconds_count{pool="bad",result="connect"}`, 1},
		{`amysql_connect_duration_seconds_count{pool="app",result="ok"}`, float64(st.NewConns)},
		{`amysql_connect_duration_seconds_count{pool="bad",result="error"}`, 1},
		{`amysql_kill_queries_total{pool="app",result="ok"}`, 1},
		{`amysql_pool_min_connections{pool="app"}`, 1},
		{`amysql_pool_max_connections{pool="app"}`, 2},
	})
	if s := values[`amysql_pool_acquire_wait_seconds_sum{pool="app",result="exhausted"}`]; s < 0.3 || s > 1 {
		t.Errorf("the exhausted acquire waited %vs, want the 0.3s AcquireTimeout", s)
	}
	for s := range values {
		if strings.HasPrefix(s, "amysql_cancel_dropped_connections_total") {
			t.Errorf("%s exists though no connection was dropped", s)
		}
	}
}

func TestCancellationsAreCounted(t *testing.T) {
	for _, tt := range []struct {
		name       string
		refuseKill bool
		want       []want
	}{
		{"KILL QUERY sent", false, []want{{`amysql_kill_queries_total{pool="p",result="ok"}`, 1}}},
		{"KILL QUERY refused", true, []want{
			{`amysql_kill_queries_total{pool="p",result="error"}`, 1},
			{`amysql_cancel_dropped_connections_total{pool="p"}`, 1},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tg := testserver.FromEnv(t)
			proxy := faultproxy.Start(t, fmt.Sprintf("%s:%d", tg.Host, tg.Port))
			conn := connConfig(t)
			conn.UnixSocket, conn.Host, conn.Port = "", "127.0.0.1", proxy.Port()
			obs := metrics.NewObserver("")
			p := newPool(t, pool.Config{Conn: conn, Name: "p", Observer: obs, MinSize: 1, MaxSize: 1})
			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(obs)
			if tt.refuseKill {
				time.AfterFunc(50*time.Millisecond, func() { proxy.Set(faultproxy.Fault{Refuse: true}) })
			}
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			if _, err := p.Execute(ctx, "SELECT SLEEP(10)"); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("cancelled statement = %v", err)
			}
			eventually(t, reg, tt.want...)
		})
	}
}

func TestScrapeIsPromtoolClean(t *testing.T) {
	_, reg, password := setup(t)
	full, _ := dashboard(t)
	for _, g := range []prometheus.Gatherer{reg, full} {
		families, err := g.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
		names := map[string]bool{}
		for _, mf := range families {
			names[mf.GetName()] = true
			if err := enc.Encode(mf); err != nil {
				t.Fatal(err)
			}
		}
		if password != "" && strings.Contains(buf.String(), password) {
			t.Error("the scrape contains the password")
		}
		if g == full {
			for _, n := range []string{"amysql_pool_acquire_wait_seconds", "amysql_pool_waiting_acquires", "amysql_pool_min_connections",
				"amysql_pool_exhausted_acquires_total", "amysql_kill_queries_total", "amysql_server_errors_total",
				"amysql_connect_duration_seconds", "amysql_build_info"} {
				if !names[n] {
					t.Errorf("the full scrape has no %s", n)
				}
			}
		}
		promtool, err := exec.LookPath("promtool")
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("promtool not installed (Debian package prometheus)")
			}
			t.Skip("promtool not installed (Debian package prometheus)")
		}
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = &buf
		out, err := cmd.CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	}
}

func TestErrorClass(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{context.Canceled, "canceled"},
		{context.DeadlineExceeded, "timeout"},
		{actor.ErrConnClosed, "bad_conn"},
		{errors.New("x"), "client"},
		{&proto.Error{Code: 1213}, "server"},
	} {
		if got := metrics.ErrorClass(tt.err); got != tt.want {
			t.Errorf("ErrorClass(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}

func TestServerErrorCode(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&proto.Error{Code: 1213}, "deadlock"},
		{fmt.Errorf("wrapped: %w", &proto.Error{Code: 1205}), "lock_wait_timeout"},
		{&proto.Error{Code: 1062}, "duplicate_key"},
		{&proto.Error{Code: 1586}, "duplicate_key"},
		{&proto.Error{Code: 1146}, "other"},
		{context.DeadlineExceeded, ""},
	} {
		if got := metrics.ServerErrorCode(tt.err); got != tt.want {
			t.Errorf("ServerErrorCode(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// eventually waits until every wanted series has its value.
func eventually(t *testing.T, reg prometheus.Gatherer, wants ...want) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		values := scrape(t, reg)
		ok := true
		for _, w := range wants {
			ok = ok && values[w.series] == w.value
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			check(t, values, wants)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func serverCode(err error) uint16 {
	var se *proto.Error
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

func acquire(t *testing.T, p *pool.Pool) *pool.Conn {
	t.Helper()
	c, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustExec(t *testing.T, p *pool.Pool, q string) {
	t.Helper()
	if _, err := p.Execute(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func mustExecOn(t *testing.T, c *pool.Conn, q string) {
	t.Helper()
	if _, err := c.Cursor().Execute(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

var benchEvent = actor.CommandEvent{Kind: "query", Duration: 300 * time.Microsecond, BytesSent: 40, BytesReceived: 200}

// BenchmarkObserveCommand is the observer's cost on every command a
// connection runs: it allocates nothing.
func BenchmarkObserveCommand(b *testing.B) {
	o := metrics.NewObserver("bench")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		o.ObserveCommand(benchEvent)
	}
}

// BenchmarkObserveCommandOfOnePool is the same through the view a shared
// observer gives one pool's connections.
func BenchmarkObserveCommandOfOnePool(b *testing.B) {
	o := metrics.NewObserver("").ConnObserver("bench")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		o.ObserveCommand(benchEvent)
	}
}

func TestObservingACommandAllocatesNothing(t *testing.T) {
	for name, o := range map[string]actor.Observer{
		"named":    metrics.NewObserver("n"),
		"per pool": metrics.NewObserver("").ConnObserver("p"),
	} {
		o.ObserveCommand(benchEvent)
		if n := testing.AllocsPerRun(100, func() { o.ObserveCommand(benchEvent) }); n != 0 {
			t.Errorf("%s: ObserveCommand allocates %v times", name, n)
		}
	}
}
