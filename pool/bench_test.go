package pool_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/amysql/amysql/pool"
)

// BenchmarkAcquireRelease measures one Acquire and Release of an idle
// connection, with no statement in between.
func BenchmarkAcquireRelease(b *testing.B) {
	p := newPool(b, func(c *pool.Config) { c.MinSize, c.MaxSize = 1, 1 })
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := p.Acquire(ctx)
		if err != nil {
			b.Fatal(err)
		}
		c.Release()
	}
}

// BenchmarkPooledPointSelect runs primary-key lookups through the pool at
// several concurrency levels (pool size = concurrency, capped at 16).
func BenchmarkPooledPointSelect(b *testing.B) {
	for _, conc := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("c=%d", conc), func(b *testing.B) {
			size := min(conc, 16)
			p := newPool(b, func(c *pool.Config) { c.MinSize, c.MaxSize = size, size })
			ctx := context.Background()
			if _, err := p.Execute(ctx, "CREATE TABLE IF NOT EXISTS amysql_pool_bench (id INT PRIMARY KEY, v BIGINT)"); err != nil {
				b.Fatal(err)
			}
			p.Execute(ctx, "INSERT IGNORE INTO amysql_pool_bench SELECT seq, seq*3 FROM seq_1_to_10000")
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			per := b.N / conc
			for w := 0; w < conc; w++ {
				n := per
				if w == 0 {
					n += b.N % conc
				}
				wg.Add(1)
				go func(w, n int) {
					defer wg.Done()
					var v int64
					for i := 0; i < n; i++ {
						c, err := p.Acquire(ctx)
						if err != nil {
							b.Error(err)
							return
						}
						cur := c.Cursor()
						if _, err := cur.Execute(ctx, "SELECT v FROM amysql_pool_bench WHERE id = ?", (w*n+i)%10000+1); err != nil {
							b.Error(err)
						}
						for cur.Next(ctx) {
							cur.Scan(&v)
						}
						c.Release()
					}
				}(w, n)
			}
			wg.Wait()
		})
	}
}
