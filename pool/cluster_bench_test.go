package pool_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/pool"
)

// Scale-out costs, on a real replica set on this machine:
//
//	go test -run XXX -bench 'RoleCheck|GTIDTracking|ClusterReads' ./pool

// BenchmarkConnectRoleCheck opens a connection with and without a role
// check (Config.Target), which rides in the set-up's one round trip.
func BenchmarkConnectRoleCheck(b *testing.B) {
	rs := testserver.StartReplicaSet(b, testserver.ReplicaSetOptions{})
	for _, target := range []actor.Target{actor.TargetAny, actor.TargetPrimary} {
		b.Run("target="+target.String(), func(b *testing.B) {
			cfg := replicaSetConfig(b, rs.Primary().Addr())
			cfg.Target = target
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				c, err := actor.Connect(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				c.Close()
			}
		})
	}
}

// BenchmarkGTIDTracking inserts rows with and without the GTID of each
// write reported in its OK packet (Config.TrackGTIDs).
func BenchmarkGTIDTracking(b *testing.B) {
	rs := testserver.StartReplicaSet(b, testserver.ReplicaSetOptions{})
	rs.Primary().Exec(b, "CREATE TABLE test.amysql_gtid_bench (id BIGINT PRIMARY KEY AUTO_INCREMENT) ENGINE=InnoDB")
	for _, track := range []bool{false, true} {
		name := "untracked"
		if track {
			name = "tracked"
		}
		b.Run(name, func(b *testing.B) {
			cfg := replicaSetConfig(b, rs.Primary().Addr())
			cfg.TrackGTIDs = track
			c, err := actor.Connect(context.Background(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			cur := c.Cursor()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := cur.Execute(context.Background(), "INSERT INTO test.amysql_gtid_bench () VALUES ()"); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if track && c.LastGTID() == "" {
				b.Error("no GTID tracked")
			}
		})
	}
}

// BenchmarkClusterReads runs point selects from 16 workers on one server,
// and spread by a Cluster's reader over two replicas. All of them share
// this machine's cores, so it shows the reader's own cost rather than the
// capacity two machines would add.
func BenchmarkClusterReads(b *testing.B) {
	rs := testserver.StartReplicaSet(b, testserver.ReplicaSetOptions{})
	rs.Primary().Exec(b, "CREATE TABLE test.amysql_reads (id INT PRIMARY KEY, c CHAR(120)) ENGINE=InnoDB",
		"SET SESSION binlog_format = ROW, max_recursive_iterations = 100000; INSERT INTO test.amysql_reads WITH RECURSIVE s(n) AS "+
			"(SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 10000) SELECT n, REPEAT('c', 120) FROM s")
	rs.WaitCaughtUp(b)
	read := func(b *testing.B, p *pool.Pool) {
		var next atomic.Int64
		b.SetParallelism(8) // 16 workers on 2 cores
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := p.QueryRow(context.Background(), "SELECT c FROM test.amysql_reads WHERE id = ?", 1+next.Add(1)%10000); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.Run("one-server", func(b *testing.B) {
		p, err := pool.New(pool.Config{Conn: replicaSetConfig(b, rs.Replicas()[0].Addr()), MaxSize: 16, MinSize: 16})
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		read(b, p)
	})
	b.Run("cluster-reader-two-replicas", func(b *testing.B) {
		c, err := pool.NewCluster(pool.ClusterConfig{Pool: pool.Config{Conn: replicaSetConfig(b, rs.Addrs()...), MaxSize: 16}})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		read(b, c.Reader())
	})
}
