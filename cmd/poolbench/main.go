// Command poolbench load-tests a MySQL or MariaDB server through amysql's
// pool (or go-sql-driver/mysql, to compare): closed or open loop, a
// concurrency sweep, live progress, latency percentiles from an HDR-style
// histogram, client CPU and allocations per query, pool statistics, JSON
// and HTML reports, and Prometheus metrics while it runs. Without -dsn it
// starts an in-process go-mysql-server so it works on a fresh machine.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/term"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/metrics"
	"github.com/amysql/amysql/pool"
)

type options struct {
	dsn                string
	workload           string
	conc               []int
	rate               float64
	duration, warmup   time.Duration
	count              int64
	minSize, maxSize   int
	prepare            prepareMode
	cleanup            bool
	tables, tableSize  int
	driver             string
	compare            bool
	jsonFile, htmlFile string
	metricsAddr        string
	sqlFile            string
	cancelShare        float64
	cpuProfile         string
	rtt                time.Duration
	batch              int
	target             string
	cluster            bool
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("poolbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	conc := fs.String("c", "16", "workers (goroutines); a comma list sweeps: 1,4,16,64")
	fs.StringVar(&o.dsn, "dsn", os.Getenv("AMYSQL_DSN"), "server DSN with pool parameters (default $AMYSQL_DSN; empty: embedded go-mysql-server)")
	fs.StringVar(&o.workload, "w", "point-select", "workload: "+strings.Join(workloadNames, ", ")+", or a weighted mix like point-select=8,update=2")
	fs.Float64Var(&o.rate, "rate", 0, "open loop: issue this many queries per second at fixed times (latency from the intended start)")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "duration of each measured run")
	fs.Int64Var(&o.count, "n", 0, "stop after this many queries (instead of -d)")
	fs.DurationVar(&o.warmup, "warmup", 0, "unmeasured warm-up before each run")
	fs.IntVar(&o.minSize, "min", 0, "pool MinSize (default: workers, capped at -max)")
	fs.IntVar(&o.maxSize, "max", 0, "pool MaxSize (default: workers)")
	fs.Var(&o.prepare, "prepare", "create and fill the sbtest tables the run needs in the DSN's database, reusing those that fit, then run;\n"+
		"-prepare=force also replaces tables poolbench did not create")
	fs.BoolVar(&o.cleanup, "cleanup", false, "drop the sbtest tables poolbench created and exit")
	fs.IntVar(&o.tables, "tables", 1, "number of sbtest tables (as sysbench --tables)")
	fs.IntVar(&o.tableSize, "table-size", 10000, "rows per table (as sysbench --table-size)")
	fs.StringVar(&o.driver, "driver", "amysql", "amysql or go-sql-driver")
	fs.BoolVar(&o.compare, "compare", false, "run amysql and go-sql-driver alternately and print the ratio")
	fs.StringVar(&o.jsonFile, "json", "", "write the results as JSON to this file")
	fs.StringVar(&o.htmlFile, "html", "", "write a self-contained HTML report with charts to this file")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus metrics on this address during the run (e.g. :9100)")
	fs.StringVar(&o.sqlFile, "sql-file", "", "statements for the sql-file workload, one per line; ? gets a random id")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	fs.Float64Var(&o.cancelShare, "cancel-share", 0.2, "cancel-heavy: share of queries cancelled by their deadline")
	fs.DurationVar(&o.rtt, "rtt", 0, "put this round-trip delay (e.g. 1ms) between the clients and the server, both directions, as a network would")
	fs.IntVar(&o.batch, "batch", 10, "batch: point selects per batch (amysql pipelines them; go-sql-driver runs them one by one)")
	fs.StringVar(&o.target, "target", "", "the role the servers of a multi-host DSN must have: any, primary, replica, prefer-replica (the DSN's target= otherwise)")
	fs.BoolVar(&o.cluster, "cluster", false, "treat the DSN's hosts as a pool.Cluster: writes to its writer, reads spread over its replicas")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, s := range strings.Split(*conc, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-c: bad worker count %q", s)
		}
		o.conc = append(o.conc, n)
	}
	if o.driver != "amysql" && o.driver != "go-sql-driver" {
		return nil, fmt.Errorf("-driver: want amysql or go-sql-driver, not %q", o.driver)
	}
	if o.rtt < 0 || o.batch < 1 {
		return nil, errors.New("-rtt must not be negative, -batch must be positive")
	}
	if o.rate < 0 || o.tables < 1 || o.tableSize < 1 || o.duration <= 0 && o.count <= 0 {
		return nil, errors.New("-rate, -tables, -table-size, and -d or -n must be positive")
	}
	return o, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := mainErr(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "poolbench:", err)
		os.Exit(1)
	}
}

// terminal says whether w is a terminal, and its width in columns (0
// when unknown).
func terminal(w io.Writer) (bool, int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false, 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return true, 0
	}
	return true, width
}

func mainErr(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	dsn := o.dsn
	embeddedRun := dsn == ""
	if embeddedRun {
		emb, err := startEmbedded()
		if err != nil {
			return err
		}
		defer emb.Close()
		dsn = emb.DSN()
		if o.prepare == prepareOff {
			o.prepare = prepareOn
		}
		fmt.Fprintln(stdout, "poolbench: no -dsn given: running against an embedded go-mysql-server (in process).")
		fmt.Fprintln(stdout, "           These figures measure that engine, not a real MySQL/MariaDB server; use -dsn for real numbers.")
	}
	workers := o.conc[len(o.conc)-1]
	cfg, err := pool.ParseConfig(dsn)
	if err != nil {
		return err
	}
	if o.maxSize > 0 {
		cfg.MaxSize = o.maxSize
	} else if !strings.Contains(dsn, "maxsize=") {
		cfg.MaxSize = workers
	}
	switch {
	case o.minSize > 0:
		cfg.MinSize = min(o.minSize, cfg.MaxSize)
	case !strings.Contains(dsn, "minsize="):
		cfg.MinSize = min(workers, cfg.MaxSize)
	}
	if o.target != "" {
		if cfg.Conn.Target, err = actor.ParseTarget(o.target); err != nil {
			return fmt.Errorf("-target: %w", err)
		}
	}
	if o.cluster && len(cfg.Conn.Hosts) < 2 {
		return errors.New("-cluster needs a DSN with several hosts: tcp(h1:3306,h2:3306)")
	}
	if o.rtt > 0 {
		proxy, err := delayed(&cfg.Conn, o.rtt)
		if err != nil {
			return err
		}
		defer proxy.Close()
		fmt.Fprintf(stdout, "poolbench: %v round trip added between the clients and the server (an in-process delay proxy)\n", o.rtt)
	}
	cfg.Name = "poolbench"
	obs := metrics.NewObserver("") // pool.New labels the connections with cfg.Name
	cfg.Observer = obs
	amysql := &amysqlClient{nodes: &sync.Map{}}
	var p *pool.Pool
	var cluster *pool.Cluster
	if o.cluster {
		if cluster, err = pool.NewCluster(pool.ClusterConfig{Pool: cfg}); err != nil {
			return fmt.Errorf("cannot reach the cluster: %w", err)
		}
		defer cluster.Close()
		p, amysql.reader = cluster.Writer(), cluster.Reader()
	} else {
		if p, err = pool.New(cfg); err != nil {
			return fmt.Errorf("cannot reach the server: %w", err)
		}
		defer func() {
			p.Close()
			wctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			p.WaitClosed(wctx)
		}()
	}
	amysql.p = p
	if o.metricsAddr != "" {
		reg := prometheus.NewRegistry()
		reg.MustRegister(obs, metrics.NewBuildInfoCollector())
		if cluster != nil {
			reg.MustRegister(metrics.NewClusterCollector(cluster))
		} else {
			reg.MustRegister(metrics.NewCollector(p))
		}
		ln, err := net.Listen("tcp", o.metricsAddr)
		if err != nil {
			return fmt.Errorf("-metrics-addr: %w", err)
		}
		srv := &http.Server{Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{})}
		go srv.Serve(ln)
		defer srv.Close()
		fmt.Fprintf(stdout, "poolbench: Prometheus metrics on http://%s/metrics\n", ln.Addr())
	}
	if o.cleanup {
		n, err := cleanupTables(ctx, p, o.tables, stdout)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "poolbench: dropped %d sbtest tables\n", n)
		return nil
	}
	if o.prepare != prepareOff {
		size := o.tableSize
		if embeddedRun && size > 1000 {
			// The embedded engine scans its in-memory tables: keep them
			// small enough for point queries to stay point queries.
			size = 1000
		}
		if err := prepareTables(ctx, p, o.tables, size, o.prepare, stdout); err != nil {
			return err
		}
		o.tableSize = size
	} else {
		n, err := tableRows(ctx, p)
		if err != nil {
			return err
		}
		o.tableSize = n
	}
	e := &env{tables: o.tables, size: o.tableSize, cancelShare: o.cancelShare, batch: o.batch}
	if o.sqlFile != "" {
		if e.sqlFile, err = readSQLFile(o.sqlFile); err != nil {
			return err
		}
	}
	wl, err := e.workload(o.workload)
	if err != nil {
		return err
	}
	var gosql *sqlClient
	if o.driver == "go-sql-driver" || o.compare {
		if gosql, err = openSQLClient(cfg.Conn, cfg.MaxSize); err != nil {
			return err
		}
		defer gosql.Close()
	}
	m := collectMeta(ctx, p, cfg, args, o.workload, embeddedRun)
	if gosql != nil {
		m.Pool += fmt.Sprintf("; go-sql-driver: database/sql, at most %d open and %d idle", cfg.MaxSize, cfg.MaxSize)
	}
	var results []*result
	tty, width := terminal(stdout)
	runOne := func(driver string, workers, round int) (*result, error) {
		var c client = amysql
		var pl *pool.Pool = p
		if driver == "go-sql-driver" {
			c, pl = gosql, nil
		}
		rc := runConfig{workers: workers, rate: o.rate, duration: o.duration, count: o.count, warmup: o.warmup,
			progress: stdout, tty: tty, width: width, perOp: e.perOp(o.workload)}
		if o.count > 0 {
			rc.duration = 0
		}
		fmt.Fprintf(stdout, "-- %s, %s, %s", driver, o.workload, workersText(workers))
		if round > 0 {
			fmt.Fprintf(stdout, ", round %d", round)
		}
		fmt.Fprintln(stdout)
		before := amysql.nodeCounts()
		r, err := run(ctx, rc, c, wl, pl)
		if err != nil {
			return nil, err
		}
		if driver == "amysql" {
			r.ByNode = map[string]int64{}
			for node, n := range amysql.nodeCounts() {
				if d := (n - before[node]) * int64(rc.perOp); d > 0 {
					r.ByNode[node] = d
				}
			}
		}
		r.Driver, r.Workload, r.Round = driver, o.workload, round
		results = append(results, r)
		return r, nil
	}
	switch {
	case o.compare:
		// Alternate the drivers so drift on a noisy machine hits both.
		var sums [2]float64
		var cpu [2]float64
		rounds := 3
		for i := 0; i < rounds && ctx.Err() == nil; i++ {
			for d, name := range []string{"amysql", "go-sql-driver"} {
				r, err := runOne(name, workers, i+1)
				if err != nil {
					return err
				}
				printReport(stdout, r)
				sums[d] += r.Throughput
				cpu[d] += r.CPUPerQueryUs
			}
		}
		if sums[1] > 0 && cpu[0] > 0 {
			fmt.Fprintf(stdout, "\ncompare: amysql/go-sql-driver throughput ratio %.2f, client CPU per query ratio %.2f (over %d alternating rounds)\n",
				sums[0]/sums[1], cpu[0]/cpu[1], rounds)
		}
	case len(o.conc) > 1:
		for _, w := range o.conc {
			if ctx.Err() != nil {
				break
			}
			if _, err := runOne(o.driver, w, 0); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "\nsweep: %s, workload %s, pool max %d\n", o.driver, o.workload, cfg.MaxSize)
		printSweep(stdout, results)
	default:
		r, err := runOne(o.driver, workers, 0)
		if err != nil {
			return err
		}
		printReport(stdout, r)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stdout, "poolbench: interrupted; results so far are above")
	}
	if o.jsonFile != "" {
		b, err := json.MarshalIndent(map[string]any{"embedded": embeddedRun, "meta": m, "runs": results}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.jsonFile, b, 0o644); err != nil {
			return err
		}
	}
	if o.htmlFile != "" {
		f, err := os.Create(o.htmlFile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := writeHTML(f, m, results); err != nil {
			return err
		}
	}
	return nil
}
