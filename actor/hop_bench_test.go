package actor_test

import (
	"context"
	"testing"

	"github.com/amysql/amysql/actor"
)

// BenchmarkRoundTripNoIO measures the cost of delivering a command and
// getting its answer, without touching the socket: through the actor's
// mailbox (two goroutine hand-offs) and directly on the caller's goroutine
// (what an idle connection does).
func BenchmarkRoundTripNoIO(b *testing.B) {
	c := connect(b)
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		mailbox bool
	}{
		{"mailbox", context.Background(), true},
		{"mailbox-cancellable-ctx", cancellable, true},
		{"direct", context.Background(), false},
	} {
		ctx := tc.ctx
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := actor.RoundTripNoIO(ctx, c, tc.mailbox); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
