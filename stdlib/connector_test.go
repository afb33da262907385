package stdlib

import (
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
)

// A connector's connections share one SpinGroup when they spin, so a busy
// *sql.DB never spins; a group the caller gave is kept.
func TestConnectorGivesSpinningConnectionsOneGroup(t *testing.T) {
	mine := new(actor.SpinGroup)
	cases := []struct {
		name string
		cfg  actor.Config
		want func(*actor.SpinGroup) bool
	}{
		{"no spinning", actor.Config{}, func(g *actor.SpinGroup) bool { return g == nil }},
		{"spinning", actor.Config{SpinWait: 50 * time.Microsecond}, func(g *actor.SpinGroup) bool { return g != nil && g != mine }},
		{"caller's group", actor.Config{SpinWait: 50 * time.Microsecond, SpinGroup: mine}, func(g *actor.SpinGroup) bool { return g == mine }},
	}
	for _, tc := range cases {
		if g := NewConnector(tc.cfg, Options{}).cfg.SpinGroup; !tc.want(g) {
			t.Errorf("%s: SpinGroup %p (caller's %p)", tc.name, g, mine)
		}
	}
}
