package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/internal/testserver"
)

// runMain runs poolbench with args and returns its output.
func runMain(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := mainErr(ctx, args, &out, &errOut)
	return out.String() + errOut.String(), err
}

type jsonReport struct {
	Embedded bool      `json:"embedded"`
	Runs     []*result `json:"runs"`
}

func readJSON(t *testing.T, path string) jsonReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r jsonReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("JSON report does not parse: %v", err)
	}
	return r
}

func TestEveryWorkloadAgainstMariaDB(t *testing.T) {
	dsn := testserver.FromEnv(t).DSN
	dir := t.TempDir()
	if out, err := runMain(t, "-dsn", dsn, "-prepare", "-tables", "2", "-table-size", "2000", "-n", "1", "-c", "1"); err != nil {
		t.Fatalf("prepare: %v\n%s", err, out)
	}
	sqlFile := filepath.Join(dir, "custom.sql")
	os.WriteFile(sqlFile, []byte("-- custom\nSELECT k FROM sbtest1 WHERE id = ?\nSELECT COUNT(*) FROM sbtest2 WHERE id < ?;\n"), 0o644)
	for _, w := range []string{"point-select", "point-select-prepared", "batch", "range", "range-prepared", "large-result", "insert", "insert-batch",
		"update", "read-write", "cancel-heavy", "mix", "point-select=3,update=1", "sql-file"} {
		t.Run(w, func(t *testing.T) {
			js := filepath.Join(dir, "r.json")
			out, err := runMain(t, "-dsn", dsn, "-tables", "2", "-w", w, "-d", "700ms", "-c", "4", "-json", js, "-sql-file", sqlFile)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			r := readJSON(t, js).Runs[0]
			perOp := int64(1)
			if w == "batch" {
				perOp = 10 // -batch's default: each batch counts its statements
			}
			if r.Queries != (r.Successes+r.Errors)*perOp || r.Queries == 0 {
				t.Errorf("queries %d != (successes %d + errors %d) x %d", r.Queries, r.Successes, r.Errors, perOp)
			}
			if w == "cancel-heavy" {
				if r.ErrorsBy["timeout"] == 0 {
					t.Errorf("cancel-heavy cancelled nothing: %+v", r.ErrorsBy)
				}
				if r.ErrorsBy["timeout"] != r.Errors {
					t.Errorf("cancel-heavy errors other than timeouts: %+v (%s)", r.ErrorsBy, r.FirstError)
				}
			} else if r.Errors != 0 {
				t.Errorf("%d errors: %v (%s)", r.Errors, r.ErrorsBy, r.FirstError)
			}
			if r.Latency.P50 <= 0 || r.Latency.P50 > r.Latency.P99 || r.Latency.P99 > r.Latency.Max {
				t.Errorf("latency percentiles out of order: %+v", r.Latency)
			}
			if r.Pool == nil || r.Pool.Acquires == 0 {
				t.Errorf("pool stats missing: %+v", r.Pool)
			}
			if !strings.Contains(out, "throughput") {
				t.Errorf("no report printed:\n%s", out)
			}
		})
	}
	if out, err := runMain(t, "-dsn", dsn, "-tables", "2", "-cleanup"); err != nil || !strings.Contains(out, "dropped 2") {
		t.Errorf("cleanup: %v\n%s", err, out)
	}
}

func TestRTTDelaysEveryRoundTripAndABatchTakesOne(t *testing.T) {
	dsn := testserver.FromEnv(t).DSN
	if out, err := runMain(t, "-dsn", dsn, "-prepare", "-table-size", "1000", "-n", "1", "-c", "1"); err != nil {
		t.Fatalf("prepare: %v\n%s", err, out)
	}
	const rtt = 20 * time.Millisecond
	p50 := map[string]float64{}
	for _, w := range []string{"point-select", "batch"} {
		js := filepath.Join(t.TempDir(), "r.json")
		if out, err := runMain(t, "-dsn", dsn, "-w", w, "-c", "1", "-d", "1s", "-rtt", rtt.String(), "-json", js); err != nil {
			t.Fatalf("%s: %v\n%s", w, err, out)
		}
		r := readJSON(t, js).Runs[0]
		if r.Errors != 0 {
			t.Fatalf("%s: %d errors (%s)", w, r.Errors, r.FirstError)
		}
		p50[w] = r.Latency.P50
	}
	if p50["point-select"] < ms(rtt) {
		t.Errorf("a point select's p50 %.1f ms with a %v round trip added", p50["point-select"], rtt)
	}
	if p50["batch"] > 2*ms(rtt)+p50["point-select"]-ms(rtt) {
		t.Errorf("a batch of 10 took %.1f ms at the p50 against %.1f ms for one statement: not one round trip", p50["batch"], p50["point-select"])
	}
}

func TestOpenLoopHoldsTheRequestedRate(t *testing.T) {
	dsn := testserver.FromEnv(t).DSN
	js := filepath.Join(t.TempDir(), "r.json")
	if out, err := runMain(t, "-dsn", dsn, "-prepare", "-table-size", "1000", "-rate", "400", "-d", "3s", "-c", "8", "-json", js); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	r := readJSON(t, js).Runs[0]
	if d := (r.Throughput - 400) / 400; d < -0.05 || d > 0.05 {
		t.Errorf("open loop ran at %.1f q/s, want 400 ± 5%%", r.Throughput)
	}
	if r.Rate != 400 {
		t.Errorf("target rate %v in the report", r.Rate)
	}
}

func TestSweepCompareHTMLAndMetrics(t *testing.T) {
	dsn := testserver.FromEnv(t).DSN
	dir := t.TempDir()
	html := filepath.Join(dir, "r.html")
	out, err := runMain(t, "-dsn", dsn, "-prepare", "-table-size", "1000", "-c", "1,4", "-d", "600ms", "-html", html)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "workers") || len(regexp.MustCompile(`(?m)^ +[14] +\S+k? +\d`).FindAllString(out, -1)) != 2 {
		t.Errorf("sweep table missing rows:\n%s", out)
	}
	page, _ := os.ReadFile(html)
	external := strings.Contains(strings.NewReplacer("http://www.w3.org/2000/svg", "", "http://www.w3.org/1999/xlink", "").Replace(string(page)), "http")
	// The sweep, the latency spectrum, and the time series of each run.
	if c := strings.Count(string(page), `<figure class="chart"`); c != 4 || strings.Count(string(page), "<svg") != 4 || external {
		t.Errorf("HTML report: %d charts; want 4 and no external assets", c)
	}

	out, err = runMain(t, "-dsn", dsn, "-compare", "-d", "300ms", "-c", "2")
	if err != nil || !strings.Contains(out, "compare: amysql/go-sql-driver throughput ratio") {
		t.Errorf("compare: %v\n%s", err, out)
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	done := make(chan error, 1)
	go func() {
		_, err := runMain(t, "-dsn", dsn, "-d", "2s", "-c", "2", "-metrics-addr", addr)
		done <- err
	}()
	var body string
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(300 * time.Millisecond)
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		if strings.Contains(body, "amysql_command_duration_seconds_bucket") {
			break
		}
	}
	if !strings.Contains(body, `amysql_pool_acquires_total{pool="poolbench"}`) || !strings.Contains(body, "amysql_command_duration_seconds_bucket") {
		t.Errorf("metrics endpoint served:\n%.500s", body)
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
}

func TestEmbeddedDefaultRunsEndToEnd(t *testing.T) {
	js := filepath.Join(t.TempDir(), "r.json")
	out, err := runMain(t, "-d", "1s", "-c", "2", "-json", js)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "embedded go-mysql-server") || !strings.Contains(out, "not a real MySQL/MariaDB server") {
		t.Errorf("the embedded run does not say so:\n%s", out)
	}
	r := readJSON(t, js)
	if !r.Embedded || r.Runs[0].Successes == 0 || r.Runs[0].Errors != 0 {
		t.Errorf("embedded run: %+v", r.Runs[0])
	}
}

func TestBadInputFailsWithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"-c", "zero"}, {"-driver", "odbc"}, {"-w", "nonsense", "-dsn", "root@tcp(127.0.0.1:1)/x"},
		{"-dsn", "root@tcp(127.0.0.1:1)/x?connect_timeout=1s"}, {"-dsn", "not a dsn"}, {"stray"},
	} {
		out, err := runMain(t, args...)
		if err == nil {
			t.Errorf("%v: no error\n%s", args, out)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: multi-line error %q", args, err)
		}
	}
	_ = fmt.Sprint()
}

func TestInterruptStillPrintsTheReport(t *testing.T) {
	dsn := testserver.FromEnv(t).DSN
	var out bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(1500 * time.Millisecond); cancel() }() // as Ctrl-C does
	start := time.Now()
	err := mainErr(ctx, []string{"-dsn", dsn, "-prepare", "-table-size", "1000", "-d", "30s", "-c", "2"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("interrupted run took %v", d)
	}
	if !strings.Contains(out.String(), "throughput") || !strings.Contains(out.String(), "interrupted") {
		t.Errorf("no report after the interrupt:\n%s", out.String())
	}
}
