package pool

import (
	"sort"
	"strconv"
	"strings"
)

// gtidPos is a MariaDB GTID position: for each replication domain, the
// highest sequence number (and the server that wrote it).
type gtidPos map[uint32]gtidSeq

type gtidSeq struct {
	server uint32
	seq    uint64
}

// parseGTIDPos reads "domain-server-seq[,domain-server-seq...]"; entries
// it cannot read are skipped.
func parseGTIDPos(s string) gtidPos {
	if s == "" {
		return nil
	}
	pos := gtidPos{}
	for _, g := range strings.Split(s, ",") {
		parts := strings.Split(strings.TrimSpace(g), "-")
		if len(parts) != 3 {
			continue
		}
		d, err1 := strconv.ParseUint(parts[0], 10, 32)
		srv, err2 := strconv.ParseUint(parts[1], 10, 32)
		n, err3 := strconv.ParseUint(parts[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		pos.add(uint32(d), gtidSeq{server: uint32(srv), seq: n})
	}
	return pos
}

func (p gtidPos) add(domain uint32, s gtidSeq) {
	if cur, ok := p[domain]; !ok || s.seq > cur.seq {
		p[domain] = s
	}
}

// merge adds every domain of q to p, keeping the higher sequence.
func (p gtidPos) merge(q gtidPos) {
	for d, s := range q {
		p.add(d, s)
	}
}

// covers reports whether p has reached every domain's sequence of q.
func (p gtidPos) covers(q gtidPos) bool {
	for d, s := range q {
		if p[d].seq < s.seq {
			return false
		}
	}
	return true
}

// String prints the position as MASTER_GTID_WAIT takes it.
func (p gtidPos) String() string {
	domains := make([]uint32, 0, len(p))
	for d := range p {
		domains = append(domains, d)
	}
	sort.Slice(domains, func(i, j int) bool { return domains[i] < domains[j] })
	parts := make([]string, len(domains))
	for i, d := range domains {
		s := p[d]
		parts[i] = strconv.FormatUint(uint64(d), 10) + "-" + strconv.FormatUint(uint64(s.server), 10) + "-" + strconv.FormatUint(s.seq, 10)
	}
	return strings.Join(parts, ",")
}
