package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/amysql/amysql/pool"
)

// meta is what a report says was measured, and where.
type meta struct {
	Started  time.Time `json:"started"`
	Server   string    `json:"server_version"`
	Embedded bool      `json:"embedded"`
	DSN      string    `json:"dsn"` // without the password
	Pool     string    `json:"pool_settings"`
	PoolMax  int       `json:"pool_max"`
	Workload string    `json:"workload"`
	Command  string    `json:"command"` // the flags, the DSN's password hidden
	Go       string    `json:"go_version"`
	Machine  string    `json:"machine"`
}

// collectMeta gathers the report's header facts.
func collectMeta(ctx context.Context, p *pool.Pool, cfg pool.Config, args []string, workload string, embedded bool) meta {
	m := meta{
		Started:  time.Now(),
		Embedded: embedded,
		DSN:      redactedDSN(cfg),
		Pool:     poolSettings(cfg),
		PoolMax:  cfg.MaxSize,
		Workload: workload,
		Command:  "poolbench " + strings.Join(redactArgs(args, redactedDSN(cfg)), " "),
		Go:       runtime.Version(),
		Machine:  machine(),
	}
	if err := p.QueryRowScan(ctx, "SELECT VERSION()", nil, &m.Server); err != nil {
		m.Server = "unknown (" + err.Error() + ")"
	}
	if embedded {
		m.Server += " (embedded go-mysql-server, in process)"
	}
	return m
}

// redactedDSN is the connection's DSN with the password shown as ***.
func redactedDSN(cfg pool.Config) string {
	c := cfg.Conn
	hidden := c.Password != ""
	c.Password = ""
	s := c.FormatDSN()
	if hidden {
		if at := strings.Index(s, "@"); at >= 0 {
			s = s[:at] + ":***" + s[at:]
		}
	}
	return s
}

// redactArgs replaces the value of -dsn with dsn, and quotes what a
// shell would split.
func redactArgs(args []string, dsn string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && name == "dsn" {
			if hasValue {
				a = a[:strings.Index(a, "=")+1] + dsn
			} else if i+1 < len(args) {
				out = append(out, a)
				i++
				a = dsn
			}
		}
		if strings.ContainsAny(a, " ()?&*;'\"") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out = append(out, a)
	}
	return out
}

// poolSettings describes the pool's size and connection management.
func poolSettings(cfg pool.Config) string {
	maxSize := fmt.Sprint(cfg.MaxSize)
	if cfg.MaxSize == pool.Unlimited {
		maxSize = "unlimited"
	}
	off := func(d time.Duration) string {
		if d <= 0 {
			return "off"
		}
		return d.String()
	}
	return fmt.Sprintf("min %d, max %s, recycle %s, max lifetime %s, max idle time %s, acquire timeout %s, reset on release %v",
		cfg.MinSize, maxSize, off(cfg.Recycle), off(cfg.MaxConnLifetime), off(cfg.MaxConnIdleTime), off(cfg.AcquireTimeout), cfg.ResetOnRelease)
}

// machine names the client machine: host, OS and architecture, CPUs.
func machine() string {
	host, _ := os.Hostname()
	s := fmt.Sprintf("%s, %s/%s, %d CPUs", host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	if model := cpuModel(); model != "" {
		s += " (" + model + ")"
	}
	if n := runtime.GOMAXPROCS(0); n != runtime.NumCPU() {
		s += fmt.Sprintf(", GOMAXPROCS %d", n)
	}
	return s
}

// cpuModel is the processor's name from /proc/cpuinfo; empty elsewhere.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return ""
}
