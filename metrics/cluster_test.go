package metrics_test

import (
	"bytes"
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/metrics"
	"github.com/amysql/amysql/pool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

func TestClusterSeriesPerNode(t *testing.T) {
	rs := testserver.StartReplicaSet(t, testserver.ReplicaSetOptions{})
	obs := metrics.NewObserver("")
	cfg := actor.Config{User: "amysql", Password: "tq7-Secret-pw", DB: "test", Hosts: rs.Addrs()}
	c, err := pool.NewCluster(pool.ClusterConfig{Pool: pool.Config{Name: "orders", Conn: cfg, MaxSize: 2, Observer: obs}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Reader().QueryRow(ctx, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(obs, metrics.NewClusterCollector(c))
	values := scrape(t, reg)
	primary, replica := rs.Primary().Addr(), rs.Replicas()[0].Addr()
	check(t, values, []want{
		{`amysql_cluster_node_up{cluster="orders",node="` + primary + `"}`, 1},
		{`amysql_cluster_node_role{cluster="orders",node="` + primary + `",role="primary"}`, 1},
		{`amysql_cluster_node_role{cluster="orders",node="` + replica + `",role="replica"}`, 1},
		{`amysql_cluster_node_writer{cluster="orders",node="` + primary + `"}`, 1},
		{`amysql_cluster_node_readable{cluster="orders",node="` + replica + `"}`, 1},
		{`amysql_cluster_node_readable{cluster="orders",node="` + primary + `"}`, 0},
		{`amysql_cluster_replica_lag_seconds{cluster="orders",node="` + replica + `"}`, 0},
		{`amysql_cluster_failovers_total{cluster="orders"}`, 0},
		{`amysql_pool_max_connections{pool="orders@` + primary + `"}`, 2},
	})
	if _, ok := values[`amysql_cluster_replica_lag_seconds{cluster="orders",node="`+primary+`"}`]; ok {
		t.Error("the primary has a replica lag series")
	}
	reads := 0.0
	for _, r := range rs.Replicas() {
		reads += values[`amysql_command_duration_seconds_count{kind="query",pool="orders@`+r.Addr()+`"}`]
	}
	if reads < 1 {
		t.Errorf("no command series for the replicas' pools: %v", values)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range families {
		enc.Encode(mf)
	}
	if promtool, err := exec.LookPath("promtool"); err == nil {
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = &buf
		if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	}
}
