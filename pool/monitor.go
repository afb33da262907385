package pool

import (
	"context"
	"sync"
	"time"

	"github.com/amysql/amysql/actor"
)

// monitor probes the nodes every CheckPeriod, and at once when an acquire
// found a node gone.
func (c *Cluster) monitor() {
	defer close(c.done)
	t := time.NewTicker(c.cfg.CheckPeriod)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
			c.probe(context.Background())
		case <-c.kick:
			c.probeAtMostEvery(context.Background(), failoverFirstPause)
		}
	}
}

// probeAtMostEvery probes unless a probe ended less than d ago.
func (c *Cluster) probeAtMostEvery(ctx context.Context, d time.Duration) {
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	if time.Since(c.lastProbe) >= d {
		c.probeLocked(ctx)
	}
}

func (c *Cluster) probe(ctx context.Context) {
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	c.probeLocked(ctx)
}

// probeLocked reads every node's state at once, elects the writer and
// works out the replicas' lag. The caller holds probeMu.
func (c *Cluster) probeLocked(ctx context.Context) {
	limit := max(c.cfg.CheckPeriod, 500*time.Millisecond)
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	states := make([]*nodeState, len(c.nodes))
	var wg sync.WaitGroup
	for i, n := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			states[i] = c.probeNode(ctx, n)
		}()
	}
	wg.Wait()
	now := time.Now()
	for _, st := range states {
		if st.up() && st.role.Galera {
			c.galera.Store(true)
		}
	}
	w := c.elect(states)
	if old := c.writerAt.Swap(int32(w)); old != int32(w) && old >= 0 {
		c.failovers.Add(1)
	}
	if w >= 0 && !states[w].role.Galera {
		c.history.add(now, states[w].binlog)
	}
	for _, st := range states {
		if st.up() && st.replica {
			st.lag = c.history.lag(st.applied, now)
			if b := time.Duration(st.behind) * time.Second; b > st.lag {
				st.lag = b
			}
		}
	}
	for i, n := range c.nodes {
		n.state.Store(states[i])
	}
	c.lastProbe = time.Now()
}

// probeNode probes one node over its monitor connection, opening it when
// needed.
func (c *Cluster) probeNode(ctx context.Context, n *node) *nodeState {
	if n.mon == nil || n.mon.Closed() {
		cfg := c.cfg.Pool.Conn
		host, port := splitAddr(n.addr)
		cfg.Hosts, cfg.Host, cfg.Port, cfg.DenyList = nil, host, port, nil
		cfg.Target, cfg.TrackGTIDs, cfg.Observer = actor.TargetAny, false, nil
		mon, err := actor.Connect(ctx, cfg)
		if err != nil {
			return &nodeState{err: err, behind: -1, checked: time.Now()}
		}
		n.mon = mon
	}
	st := probe(ctx, n.mon)
	if st.err != nil {
		n.mon.Close()
		n.mon = nil
	}
	return st
}

// elect picks the writer: the current one while it can still take writes,
// else the first node in Hosts order that can (on Galera, a synced one);
// -1 when none can.
func (c *Cluster) elect(states []*nodeState) int {
	ok := func(st *nodeState) bool {
		if st.up() && st.role.Galera {
			return st.synced() && st.role.Writable()
		}
		return st.writable()
	}
	if cur := int(c.writerAt.Load()); cur >= 0 && ok(states[cur]) {
		return cur
	}
	for i, st := range states {
		if ok(st) {
			return i
		}
	}
	return -1
}
