package actor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/amysql/amysql/proto"
)

// Target is the role a connection's server must have (Config.Target).
type Target uint8

// Targets. A primary is writable (read_only off) and, on a Galera
// cluster, a synced member of the primary component (wsrep_ready ON,
// wsrep_local_state 4); a replica is read-only.
const (
	TargetAny           Target = iota // any server that answers
	TargetPrimary                     // a writable server
	TargetReplica                     // a read-only server
	TargetPreferReplica               // a replica, else a primary
)

func (t Target) String() string {
	switch t {
	case TargetAny:
		return "any"
	case TargetPrimary:
		return "primary"
	case TargetReplica:
		return "replica"
	case TargetPreferReplica:
		return "prefer-replica"
	}
	return "Target(" + strconv.Itoa(int(t)) + ")"
}

// ParseTarget reads a target name: any, primary, replica or
// prefer-replica.
func ParseTarget(s string) (Target, error) {
	for t := TargetAny; t <= TargetPreferReplica; t++ {
		if strings.EqualFold(s, t.String()) {
			return t, nil
		}
	}
	return 0, fmt.Errorf("bad target %q (want any, primary, replica or prefer-replica)", s)
}

// ErrWrongRole reports a server whose role is not the one Config.Target
// asks for.
var ErrWrongRole = newSentinel("the server does not have the target role")

// ServerRole is what a server says of its role.
type ServerRole struct {
	ReadOnly bool // @@global.read_only
	// Galera is set on a Galera cluster node, whose Ready (wsrep_ready)
	// and State (wsrep_local_state: 4 is Synced) follow.
	Galera bool
	Ready  bool
	State  int
}

// Writable reports whether the server takes writes: not read-only, and on
// Galera a synced member of the primary component.
func (r ServerRole) Writable() bool {
	return !r.ReadOnly && (!r.Galera || r.Ready && r.State == galeraSynced)
}

// galeraSynced is wsrep_local_state of a synced node.
const galeraSynced = 4

// Accepts reports whether a server of role r may serve target t; for
// TargetPreferReplica, a primary is accepted too.
func (t Target) Accepts(r ServerRole) bool {
	switch t {
	case TargetPrimary:
		return r.Writable()
	case TargetReplica:
		return r.ReadOnly && (!r.Galera || r.Ready)
	case TargetPreferReplica:
		return r.ReadOnly || r.Writable()
	}
	return true
}

func (r ServerRole) String() string {
	s := "read_only=" + strconv.FormatBool(r.ReadOnly)
	if r.Galera {
		s += fmt.Sprintf(" wsrep_ready=%v wsrep_local_state=%d", r.Ready, r.State)
	}
	return s
}

// roleQuery is the statement that reads a server's role: one round trip.
// On MariaDB the wsrep status is read only when wsrep_on is set (the
// status table costs a few hundred microseconds to read), and is NULL on
// a server without Galera; galera is false for a MariaDB built without
// wsrep, and for MySQL.
func roleQuery(galera bool) string {
	if !galera {
		return "SELECT @@global.read_only, NULL, NULL"
	}
	status := func(name string) string {
		return "IF(@@global.wsrep_on, (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = '" + name + "'), NULL)"
	}
	return "SELECT @@global.read_only, " + status("wsrep_ready") + ", " + status("wsrep_local_state")
}

// errUnknownVariable is the server's answer to @@wsrep_on on a MariaDB
// built without wsrep.
const errUnknownVariable = 1193

// parseRole reads the row of roleQuery.
func parseRole(row [][]byte) (ServerRole, error) {
	if len(row) != 3 || row[0] == nil {
		return ServerRole{}, fmt.Errorf("%w: unexpected role row", proto.ErrMalformedPacket)
	}
	r := ServerRole{ReadOnly: string(row[0]) != "0"}
	if row[1] != nil && row[2] != nil {
		r.Galera = true
		r.Ready = strings.EqualFold(string(row[1]), "ON")
		r.State, _ = strconv.Atoi(string(row[2]))
	}
	return r, nil
}

// role reads the server's role over the session: the one read with the
// session's set-up, or asked for now.
func (s *session) role() (ServerRole, error) {
	if r := s.initRole; r != nil {
		s.initRole = nil
		return *r, nil
	}
	row, err := s.queryRow(roleQuery(s.hs.IsMariaDB() && !s.noWsrep))
	var se *proto.Error
	if errors.As(err, &se) && se.Code == errUnknownVariable && !s.noWsrep {
		s.noWsrep = true
		row, err = s.queryRow(roleQuery(false))
	}
	if err != nil {
		return ServerRole{}, err
	}
	return parseRole(row)
}

// Role asks the server for its role (one round trip).
func (c *Conn) Role(ctx context.Context) (ServerRole, error) {
	var r ServerRole
	err := c.do(ctx, "role", func(s *session) error {
		var err error
		r, err = s.role()
		return err
	})
	return r, err
}

// checkRole reads the server's role and refuses one target does not
// accept. A primary found for TargetPreferReplica is reported by
// preferred = false.
func (s *session) checkRole(t Target) (preferred bool, err error) {
	if t == TargetAny {
		return true, nil
	}
	r, err := s.role()
	if err != nil {
		return false, fmt.Errorf("reading the server's role: %w", err)
	}
	if !t.Accepts(r) {
		return false, errorf("%w: %s, want %s", ErrWrongRole, r, t)
	}
	return t != TargetPreferReplica || r.ReadOnly, nil
}

// queryRow runs q and returns its first row's values (nil for NULL),
// reading and dropping any further rows.
func (s *session) queryRow(q string) ([][]byte, error) {
	if err := s.write(append(s.startCommand(proto.ComQuery), q...)); err != nil {
		return nil, err
	}
	return s.rowAnswer()
}

// rowAnswer reads a statement's answer and returns its first row's values.
func (s *session) rowAnswer() ([][]byte, error) {
	s.phase = phaseHeader
	p, err := s.read()
	if err != nil {
		return nil, err
	}
	switch p[0] {
	case proto.HeaderErr:
		e, perr := proto.ParseErr(p)
		if perr != nil {
			return nil, s.fail(perr)
		}
		return nil, s.serverError(e)
	case proto.HeaderOK:
		if _, err := s.parseOK(p); err != nil {
			return nil, s.fail(err)
		}
		return nil, nil
	}
	n, defs, err := s.columnCount(p)
	if err != nil {
		return nil, err
	}
	skip := 0
	if defs {
		skip = n
	}
	if s.caps&proto.ClientDeprecateEOF == 0 {
		skip++
	}
	for ; skip > 0; skip-- {
		if _, err := s.read(); err != nil {
			return nil, err
		}
	}
	var row [][]byte
	spans := make([]proto.Span, n)
	for {
		p, err := s.read()
		if err != nil {
			return nil, err
		}
		switch {
		case p[0] == proto.HeaderErr:
			e, _ := proto.ParseErr(p)
			return nil, s.serverError(e)
		case proto.IsEOF(p):
			end, err := s.parseEnd(p)
			if err != nil {
				return nil, s.fail(err)
			}
			s.status = end.Status
			return row, nil
		case row == nil:
			if err := proto.ParseTextRow(p, spans); err != nil {
				return nil, s.fail(err)
			}
			row = make([][]byte, n)
			for i, sp := range spans {
				if !sp.Null() {
					row[i] = append([]byte{}, sp.Bytes(p)...)
				}
			}
		}
	}
}
