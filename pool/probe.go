package pool

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/amysql/amysql/actor"
)

// nodeState is what one probe of a cluster node found.
type nodeState struct {
	err     error // the probe failed: the node is down or unreachable
	role    actor.ServerRole
	replica bool // it replicates from another server (SHOW SLAVE STATUS has a row)
	// sqlRunning: its SQL thread runs; behind is Seconds_Behind_Master
	// (-1 when NULL or not a replica).
	sqlRunning bool
	behind     int64
	// applied is what it has applied (@@gtid_current_pos), binlog what
	// its binary log holds (@@gtid_binlog_pos): a primary's latest writes.
	applied, binlog gtidPos
	// lag is how far behind the primary it was found (replicas only).
	lag     time.Duration
	checked time.Time
}

func (s *nodeState) up() bool { return s != nil && s.err == nil }

// synced reports a Galera node that is a synced member of the primary
// component.
func (s *nodeState) synced() bool {
	return s.up() && s.role.Galera && s.role.Ready && s.role.State == 4
}

// writable reports a node that takes writes and is not a replica.
func (s *nodeState) writable() bool {
	return s.up() && s.role.Writable() && !s.replica
}

// probe reads a node's role, GTID position and replication state over its
// monitor connection.
func probe(ctx context.Context, c *actor.Conn) *nodeState {
	st := &nodeState{behind: -1, checked: time.Now()}
	role, err := c.Role(ctx)
	if err != nil {
		st.err = err
		return st
	}
	st.role = role
	cur := c.Cursor(actor.TupleCursor)
	if _, err := cur.Execute(ctx, "SELECT @@global.gtid_current_pos, @@global.gtid_binlog_pos"); err == nil {
		var applied, binlog string
		if cur.Next(ctx) && cur.Scan(&applied, &binlog) == nil {
			st.applied, st.binlog = parseGTIDPos(applied), parseGTIDPos(binlog)
		}
	} else if actor.IsBadConn(err) {
		st.err = err
		return st
	}
	slave := c.Cursor(actor.DictCursor)
	if _, err := slave.Execute(ctx, "SHOW SLAVE STATUS"); err != nil {
		if actor.IsBadConn(err) {
			st.err = err
		}
		return st
	}
	row, err := slave.FetchOneDict(ctx)
	if err != nil || row == nil {
		return st
	}
	st.replica = true
	st.sqlRunning = strings.EqualFold(asText(row["Slave_SQL_Running"]), "Yes")
	if n, err := strconv.ParseInt(asText(row["Seconds_Behind_Master"]), 10, 64); err == nil {
		st.behind = n
	}
	return st
}

func asText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	}
	return ""
}

// primaryHistory remembers the primary's GTID position at recent probes,
// so a replica's lag is the age of the newest position it has applied.
type primaryHistory struct {
	at  []time.Time
	pos []gtidPos
}

const historyLen = 128

func (h *primaryHistory) add(t time.Time, p gtidPos) {
	if len(p) == 0 {
		return
	}
	if len(h.at) == historyLen {
		h.at, h.pos = h.at[1:], h.pos[1:]
	}
	h.at, h.pos = append(h.at, t), append(h.pos, p)
}

// lag is how long ago, at now, the primary was at the newest position
// applied covers: 0 when it covers the latest one; the age of the oldest
// remembered one when it covers none.
func (h *primaryHistory) lag(applied gtidPos, now time.Time) time.Duration {
	for i := len(h.pos) - 1; i >= 0; i-- {
		if applied.covers(h.pos[i]) {
			if i == len(h.pos)-1 {
				return 0
			}
			return now.Sub(h.at[i+1]) // it has not reached the next one
		}
	}
	if len(h.at) == 0 {
		return 0
	}
	return now.Sub(h.at[0])
}
