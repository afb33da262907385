package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/amysql/amysql/internal/testserver"
)

// need finds an external program, skipping the test without it (failing
// under CI=true, where the test command installs it).
func need(t *testing.T, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not installed", names[0])
	}
	t.Skipf("%s not installed", names[0])
	return ""
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestPrometheusScrapesMetricsAddr runs a real Prometheus against
// -metrics-addr and queries the series it stored.
func TestPrometheusScrapesMetricsAddr(t *testing.T) {
	prom := need(t, "prometheus")
	dsn := testserver.FromEnv(t).DSN
	dir := t.TempDir()
	target, web := freeAddr(t), freeAddr(t)
	cfg := fmt.Sprintf("global:\n  scrape_interval: 500ms\nscrape_configs:\n  - job_name: poolbench\n    static_configs:\n      - targets: ['%s']\n", target)
	os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644)
	cmd := exec.Command(prom, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+web)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	done := make(chan error, 1)
	go func() {
		_, err := runMain(t, "-dsn", dsn, "-prepare", "-table-size", "1000", "-d", "6s", "-c", "2", "-metrics-addr", target)
		done <- err
	}()
	deadline := time.Now().Add(20 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		resp, err := http.Get("http://" + web + "/api/v1/query?query=amysql_pool_acquires_total")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var r struct {
			Data struct {
				Result []struct {
					Metric map[string]string `json:"metric"`
				} `json:"result"`
			} `json:"data"`
		}
		if json.Unmarshal(b, &r) == nil && len(r.Data.Result) > 0 {
			got = r.Data.Result[0].Metric["pool"]
			break
		}
	}
	if got != "poolbench" {
		t.Errorf("Prometheus has no amysql_pool_acquires_total{pool=\"poolbench\"} series")
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
}
