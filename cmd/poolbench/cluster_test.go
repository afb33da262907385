package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amysql/amysql/internal/testserver"
)

func TestMultiHostDSNTargetsAndClusterSpreadReads(t *testing.T) {
	rs := testserver.StartReplicaSet(t, testserver.ReplicaSetOptions{})
	dsn := fmt.Sprintf("amysql:tq7-Secret-pw@tcp(%s)/test", strings.Join(rs.Addrs(), ","))
	if out, err := runMain(t, "-dsn", dsn, "-target", "primary", "-prepare", "-table-size", "1000", "-n", "1", "-c", "1"); err != nil {
		t.Fatalf("prepare: %v\n%s", err, out)
	}
	rs.WaitCaughtUp(t)
	tests := []struct {
		name  string
		args  []string
		nodes []string // the servers that must have run statements
	}{
		{"target primary", []string{"-target", "primary"}, []string{rs.Primary().Addr()}},
		{"target replica", []string{"-target", "replica"}, []string{rs.Replicas()[0].Addr()}},
		{"cluster", []string{"-cluster"}, []string{rs.Replicas()[0].Addr(), rs.Replicas()[1].Addr()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js := filepath.Join(t.TempDir(), "r.json")
			args := append([]string{"-dsn", dsn, "-w", "point-select", "-c", "4", "-d", "700ms", "-json", js}, tt.args...)
			out, err := runMain(t, args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			r := readJSON(t, js).Runs[0]
			if r.Errors != 0 {
				t.Fatalf("%d errors: %s", r.Errors, r.FirstError)
			}
			var sum int64
			for _, n := range r.ByNode {
				sum += n
			}
			// The counts run from the end of one operation to the end of
			// another: the 4 workers' operations at the run's edges may
			// fall either side.
			if sum < r.Successes-4 || sum > r.Successes+4 || len(r.ByNode) != len(tt.nodes) {
				t.Errorf("statements by server %v (%d in all, %d succeeded), want on %v", r.ByNode, sum, r.Successes, tt.nodes)
			}
			for _, n := range tt.nodes {
				if r.ByNode[n] == 0 {
					t.Errorf("no statement ran on %s: %v", n, r.ByNode)
				}
			}
			if len(tt.nodes) > 1 && !strings.Contains(out, "by server") {
				t.Errorf("the report does not show the traffic by server:\n%s", out)
			}
		})
	}
}
