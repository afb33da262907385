package metrics_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/faultproxy"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/metrics"
	"github.com/amysql/amysql/pool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The dashboard and the alerting rules that come with the library, in
// metrics/dashboards/, checked against what the library exports.

// promtool finds Debian's promtool, skipping the test without it (failing
// under CI=true, where the test command installs it).
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool not installed (Debian package prometheus)")
		}
		t.Skip("promtool not installed (Debian package prometheus)")
	}
	return p
}

func TestAlertingRulesPassPromtool(t *testing.T) {
	bin := promtool(t)
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		cmd := exec.Command(bin, args...)
		cmd.Dir = "dashboards"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// exported scrapes, over HTTP as Prometheus does, registries on which
// every series the dashboard draws exists: dashboard()'s workload (server
// errors, an exhausted pool, a KILL QUERY, a pool that cannot log in) and a
// pool whose KILL QUERY is refused, so a connection is dropped. It returns
// each series name with the label names it has.
func exported(t *testing.T) map[string]map[string]bool {
	t.Helper()
	full, _ := dashboard(t)

	tg := testserver.FromEnv(t)
	proxy := faultproxy.Start(t, fmt.Sprintf("%s:%d", tg.Host, tg.Port))
	conn := connConfig(t)
	conn.UnixSocket, conn.Host, conn.Port = "", "127.0.0.1", proxy.Port()
	obs := metrics.NewObserver("")
	p := newPool(t, pool.Config{Conn: conn, Name: "dropped", Observer: obs, MinSize: 1, MaxSize: 1})
	dropped := prometheus.NewPedanticRegistry()
	dropped.MustRegister(obs, metrics.NewCollector(p))
	time.AfterFunc(50*time.Millisecond, func() { proxy.Set(faultproxy.Fault{Refuse: true}) })
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if _, err := p.Execute(ctx, "SELECT SLEEP(10)"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled statement = %v", err)
	}
	eventually(t, dropped, want{`amysql_cancel_dropped_connections_total{pool="dropped"}`, 1})

	// A pool.Cluster on a real replica set, for the cluster panels.
	rs := testserver.StartReplicaSet(t, testserver.ReplicaSetOptions{Replicas: 1})
	cl, err := pool.NewCluster(pool.ClusterConfig{Pool: pool.Config{Name: "orders", MaxSize: 1,
		Conn: actor.Config{User: "amysql", Password: "tq7-Secret-pw", DB: "test", Hosts: rs.Addrs()}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	cluster := prometheus.NewPedanticRegistry()
	cluster.MustRegister(metrics.NewClusterCollector(cl))

	srv := httptest.NewServer(promhttp.HandlerFor(prometheus.Gatherers{full, dropped, cluster}, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("scrape does not parse: %v", err)
	}
	series := map[string]map[string]bool{}
	add := func(name string, labels map[string]bool, extra ...string) {
		if series[name] == nil {
			series[name] = map[string]bool{}
		}
		for l := range labels {
			series[name][l] = true
		}
		for _, l := range extra {
			series[name][l] = true
		}
	}
	for name, mf := range families {
		for _, m := range mf.GetMetric() {
			labels := map[string]bool{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = true
			}
			if m.GetHistogram() != nil {
				add(name+"_bucket", labels, "le")
				add(name+"_sum", labels)
				add(name+"_count", labels)
				continue
			}
			add(name, labels)
		}
	}
	return series
}

// grafana is the part of a dashboard the test reads.
type grafana struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Definition string `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID      int    `json:"id"`
	Type    string `json:"type"`
	Title   string `json:"title"`
	GridPos struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr       string `json:"expr"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a collapsed row's
}

// grafanaVars are the dashboard's variables as PromQL can take them.
var grafanaVars = strings.NewReplacer("$__rate_interval", "5m", "$job", ".*", "$instance", ".*", "$pool", ".*", "$kind", ".*")

var (
	metricRE   = regexp.MustCompile(`\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}`)
	amysqlRE   = regexp.MustCompile(`\bamysql_[a-zA-Z0-9_]+`)
	matcherRE  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)`)
	groupingRE = regexp.MustCompile(`\b(?:by|without|on|ignoring)\s*\(([^)]*)\)`)
	labelsRE   = regexp.MustCompile(`^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$`)
)

// targetLabels are added by Prometheus when it scrapes, not by the library.
var targetLabels = map[string]bool{"job": true, "instance": true}

// checkExpr checks that expr's metrics are exported with the labels it
// selects and groups by.
func checkExpr(t *testing.T, where, expr string, series map[string]map[string]bool) {
	t.Helper()
	names := amysqlRE.FindAllString(expr, -1)
	if len(names) == 0 {
		t.Errorf("%s: %q uses no amysql metric", where, expr)
	}
	used := map[string]bool{}
	for _, n := range names {
		used[n] = true
		if series[n] == nil {
			t.Errorf("%s: %s is not exported", where, n)
		}
	}
	for _, m := range metricRE.FindAllStringSubmatch(expr, -1) {
		name := m[1]
		if !strings.HasPrefix(name, "amysql_") {
			t.Errorf("%s: selector of %s, not an amysql metric", where, name)
			continue
		}
		for _, l := range matcherRE.FindAllStringSubmatch(m[2], -1) {
			if !targetLabels[l[1]] && series[name] != nil && !series[name][l[1]] {
				t.Errorf("%s: %s has no label %s", where, name, l[1])
			}
		}
	}
	for _, g := range groupingRE.FindAllStringSubmatch(expr, -1) {
		for _, l := range strings.Split(g[1], ",") {
			l = strings.TrimSpace(l)
			if l == "" || targetLabels[l] {
				continue
			}
			found := false
			for n := range used {
				found = found || series[n][l]
			}
			if !found {
				t.Errorf("%s: grouping by %s, which none of %v has", where, l, keys(used))
			}
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestDashboardQueriesUseMetricsThatExist reads the Grafana dashboard and
// checks every query against a real scrape: each amysql_* name is
// exported, each label it selects or groups by is on it, and the queries
// are PromQL (promtool checks them as recording rules). The alerting
// rules' expressions get the same name and label check.
func TestDashboardQueriesUseMetricsThatExist(t *testing.T) {
	bin := promtool(t)
	b, err := os.ReadFile("dashboards/amysql.json")
	if err != nil {
		t.Fatal(err)
	}
	var d grafana
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	if d.UID == "" || d.Title == "" {
		t.Errorf("dashboard uid %q title %q", d.UID, d.Title)
	}
	series := exported(t)

	type query struct{ where, expr string }
	var queries []query
	ids := map[int]bool{}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			where := fmt.Sprintf("panel %d %q", p.ID, p.Title)
			if ids[p.ID] || p.Title == "" {
				t.Errorf("%s: duplicate id or no title", where)
			}
			ids[p.ID] = true
			if p.GridPos.W < 1 || p.GridPos.X+p.GridPos.W > 24 || p.GridPos.H < 1 {
				t.Errorf("%s: does not fit the 24-column grid: %+v", where, p.GridPos)
			}
			if p.Type != "row" && (p.Datasource == nil || p.Datasource.UID != "${datasource}" || len(p.Targets) == 0) {
				t.Errorf("%s: no query on the dashboard's data source", where)
			}
			for _, tg := range p.Targets {
				if tg.Datasource.UID != "${datasource}" {
					t.Errorf("%s: a query on data source %q", where, tg.Datasource.UID)
				}
				queries = append(queries, query{where, tg.Expr})
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	vars := map[string]bool{}
	for _, v := range d.Templating.List {
		vars[v.Name] = true
		if v.Type != "query" {
			continue
		}
		m := labelsRE.FindStringSubmatch(v.Definition)
		if m == nil {
			t.Errorf("variable %s: %q is not label_values(selector, label)", v.Name, v.Definition)
			continue
		}
		where := "variable " + v.Name
		queries = append(queries, query{where, m[1]})
		if sel := amysqlRE.FindString(m[1]); !targetLabels[m[2]] && !series[sel][m[2]] {
			t.Errorf("%s: %s has no label %s", where, sel, m[2])
		}
	}
	for _, v := range []string{"datasource", "job", "instance", "pool", "kind"} {
		if !vars[v] {
			t.Errorf("no variable %s", v)
		}
	}
	if len(queries) < 30 {
		t.Fatalf("only %d queries found in the dashboard", len(queries))
	}

	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	for i, q := range queries {
		checkExpr(t, q.where, q.expr, series)
		for _, v := range regexp.MustCompile(`\$[a-zA-Z_]+`).FindAllString(grafanaVars.Replace(q.expr), -1) {
			t.Errorf("%s: unknown variable %s", q.where, v)
		}
		fmt.Fprintf(&rules, "      - record: dashboard:query_%d\n        expr: %q\n", i, grafanaVars.Replace(q.expr))
	}
	file := filepath.Join(t.TempDir(), "dashboard-rules.yml")
	if err := os.WriteFile(file, []byte(rules.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "check", "rules", file).CombinedOutput(); err != nil {
		t.Errorf("the dashboard's queries are not all PromQL: %v\n%s", err, out)
	}

	alerts, err := os.ReadFile("dashboards/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ruleExprs(string(alerts)) {
		n++
		checkExpr(t, "alerting rule", e, series)
	}
	if n < 5 {
		t.Errorf("found %d alerting rule expressions", n)
	}
}

// ruleExprs are the `expr: |` blocks of a rules file.
func ruleExprs(yml string) []string {
	var out []string
	lines := strings.Split(yml, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) != "expr: |" {
			continue
		}
		indent := len(l) - len(strings.TrimLeft(l, " "))
		var b strings.Builder
		for i+1 < len(lines) {
			next := lines[i+1]
			if strings.TrimSpace(next) != "" && len(next)-len(strings.TrimLeft(next, " ")) <= indent {
				break
			}
			b.WriteString(next + "\n")
			i++
		}
		out = append(out, b.String())
	}
	return out
}
