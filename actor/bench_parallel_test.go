package actor_test

import (
	"context"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
)

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPointSelectParallel runs point selects from 16 goroutines, each
// on its own connection, as a loaded service does; cpu-µs/op is the client
// process's CPU per query, the figure that decides throughput when client
// and server share cores. The workers' queries run under
// context.Background, or under one cancellable ctx they all share.
func BenchmarkPointSelectParallel(b *testing.B) {
	for _, mode := range []string{"background", "shared-ctx"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			if mode == "shared-ctx" {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				defer cancel()
			}
			pointSelectParallel(b, ctx)
		})
	}
}

func pointSelectParallel(b *testing.B, ctx context.Context) {
	const workers = 16
	conns := make([]*actor.Conn, workers)
	for i := range conns {
		conns[i] = connect(b)
	}
	tbl := benchTable(b, conns[0], 10000)
	q := "SELECT id, v FROM " + tbl + " WHERE id = ?"
	var next atomic.Int32
	b.SetParallelism((workers + 1) / 2)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		c := conns[int(next.Add(1)-1)%workers]
		cur := c.Cursor()
		var id, v int64
		i := 0
		for pb.Next() {
			i++
			if _, err := cur.Execute(ctx, q, i%10000+1); err != nil {
				b.Error(err)
				return
			}
			for cur.Next(ctx) {
				if err := cur.Scan(&id, &v); err != nil {
					b.Error(err)
					return
				}
			}
		}
	})
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}
