package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/metrics"
	"github.com/amysql/amysql/pool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
)

func setup(t *testing.T) (*pool.Pool, *prometheus.Registry, string) {
	t.Helper()
	conn, err := actor.ParseDSN(testserver.FromEnv(t).DSN)
	if err != nil {
		t.Fatal(err)
	}
	obs := metrics.NewObserver("test")
	conn.Observer = obs
	p, err := pool.New(pool.Config{Conn: conn, Name: "test", MinSize: 1, MaxSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p.WaitClosed(ctx)
	})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(obs, metrics.NewCollector(p))
	return p, reg, conn.Password
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
	tests := []struct {
		name, series string
		want         float64
	}{
		{"acquires", `amysql_pool_acquires_total{pool="test"}`, float64(st.AcquireCount)},
		{"acquired", `amysql_pool_connections{pool="test",state="acquired"}`, 1},
		{"idle", `amysql_pool_connections{pool="test",state="idle"}`, float64(st.Idle)},
		{"max", `amysql_pool_max_connections{pool="test"}`, 2},
		{"created", `amysql_pool_connections_created_total{pool="test"}`, float64(st.NewConns)},
		{"server errors", `amysql_command_errors_total{class="server",kind="query",pool="test"}`, 1},
	}
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
			key := mf.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Gauge != nil:
				values[key] = m.Gauge.GetValue()
			case m.Counter != nil:
				values[key] = m.Counter.GetValue()
			}
		}
	}
	for _, tt := range tests {
		if got, ok := values[tt.series]; !ok || got != tt.want {
			t.Errorf("%s: %s = %v (present %v), want %v", tt.name, tt.series, got, ok, tt.want)
		}
	}
	if st.AcquireCount != 12 {
		t.Errorf("Stat().AcquireCount = %d, want 12", st.AcquireCount)
	}
	if n := testutil.CollectAndCount(reg, "amysql_command_duration_seconds"); n == 0 {
		t.Error("no command duration series")
	}
	if v := values[`amysql_sent_bytes_total{pool="test"}`]; v <= 0 {
		t.Errorf("sent bytes = %v", v)
	}
}

func TestScrapeIsPromtoolClean(t *testing.T) {
	p, reg, password := setup(t)
	p.QueryRow(context.Background(), "SELECT 1")
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range families {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	if password != "" && strings.Contains(buf.String(), password) {
		t.Error("the scrape contains the password")
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

func TestErrorClass(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{context.Canceled, "canceled"},
		{context.DeadlineExceeded, "timeout"},
		{actor.ErrConnClosed, "bad_conn"},
		{errors.New("x"), "client"},
	} {
		if got := metrics.ErrorClass(tt.err); got != tt.want {
			t.Errorf("ErrorClass(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}

// BenchmarkObserveCommand is the observer's cost on every command a
// connection runs: it allocates nothing.
func BenchmarkObserveCommand(b *testing.B) {
	o := metrics.NewObserver("bench")
	ev := actor.CommandEvent{Kind: "query", Duration: 300 * time.Microsecond, BytesSent: 40, BytesReceived: 200}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		o.ObserveCommand(ev)
	}
}
