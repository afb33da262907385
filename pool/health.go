package pool

import (
	"context"
	"time"

	"github.com/amysql/amysql/actor"
)

// healthLoop closes expired and idle-too-long connections and keeps
// MinSize connections open, every HealthCheckPeriod.
func (p *Pool) healthLoop() {
	defer p.bg.Done()
	t := time.NewTicker(p.cfg.HealthCheckPeriod)
	defer t.Stop()
	for {
		select {
		case <-p.quit:
			return
		case <-t.C:
			p.checkHealth()
		}
	}
}

// checkHealth runs one health pass; exported to tests through CheckHealth.
func (p *Pool) checkHealth() {
	for _, res := range p.p.AcquireAllIdle() {
		cr := res.Value()
		switch {
		case !cr.conn.Alive():
			p.destroy(res, reasonBroken)
		case !cr.expires.IsZero() && time.Now().After(cr.expires):
			p.destroy(res, reasonLifetime)
		case p.cfg.MaxConnIdleTime > 0 && res.IdleDuration() > p.cfg.MaxConnIdleTime &&
			p.Size() > p.cfg.MinSize:
			p.destroy(res, reasonIdle)
		case !p.hasTargetRole(cr.conn):
			p.destroy(res, reasonRole)
		default:
			res.ReleaseUnused()
		}
	}
	p.fillMin()
}

// hasTargetRole reports whether an idle connection's server still has the
// role Conn.Target asks for (a switchover turns a primary read-only); a
// connection that cannot say is not kept either.
func (p *Pool) hasTargetRole(c *actor.Conn) bool {
	t := p.cfg.Conn.Target
	if t == actor.TargetAny {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.connectTimeout())
	defer cancel()
	role, err := c.Role(ctx)
	return err == nil && t.Accepts(role)
}

// fillMin opens connections until MinSize are open; failures are counted
// and retried at the next check.
func (p *Pool) fillMin() {
	for p.Size() < p.cfg.MinSize {
		if p.closed.Load() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), p.connectTimeout())
		err := p.p.CreateResource(ctx)
		cancel()
		if err != nil {
			p.connectErrors.Add(1)
			return
		}
	}
}

// CheckHealth runs a health pass now instead of waiting for the period.
func (p *Pool) CheckHealth() {
	if p.route != nil {
		for _, m := range p.route.members() {
			m.checkHealth()
		}
		return
	}
	p.checkHealth()
}
