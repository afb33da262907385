package actor

import (
	"errors"
	"fmt"

	"github.com/amysql/amysql/proto"
)

// step is one command of a session's set-up: charset, sql_mode, time
// zone, autocommit, GTID tracking, the init command, the role check, or
// for ResetSession the reset itself and the database.
type step struct {
	what   string // for errors: "applying sql_mode"
	cmd    byte
	arg    string
	answer func(*session) error // reads its answer
}

func okAnswer(s *session) error { _, err := s.readOK(); return err }

// setupSteps lists the commands that make a new (or reset) session what
// cfg asks for; withRole adds the role check of Config.Target. fresh is set
// for a new session, whose autocommit mode the handshake reported.
func (s *session) setupSteps(withRole, fresh bool) []step {
	cfg := s.cfg
	var steps []step
	query := func(what, q string) {
		steps = append(steps, step{what: what, cmd: proto.ComQuery, arg: q, answer: okAnswer})
	}
	if s.setNames != "" {
		query("applying charset", s.setNames)
	}
	if cfg.SQLMode != "" {
		query("applying sql_mode", "SET sql_mode="+quoteName(cfg.SQLMode))
	}
	if cfg.TimeZone != "" {
		query("applying time_zone", "SET time_zone="+quoteName(cfg.TimeZone))
	}
	if cfg.Autocommit != nil && (!fresh || *cfg.Autocommit != (s.status&proto.StatusAutocommit != 0)) {
		q := "SET autocommit=0"
		if *cfg.Autocommit {
			q = "SET autocommit=1"
		}
		query("applying autocommit", q)
	}
	if cfg.TrackGTIDs && s.caps&proto.ClientSessionTrack != 0 {
		q := "SET SESSION session_track_gtids='OWN_GTID'"
		if s.hs.IsMariaDB() {
			q = "SET SESSION session_track_system_variables='last_gtid'"
		}
		query("turning on GTID tracking", q)
	}
	if cfg.InitCommand != "" {
		steps = append(steps, step{what: "running init command", cmd: proto.ComQuery, arg: cfg.InitCommand,
			answer: (*session).discardAnswer})
	}
	if withRole {
		steps = append(steps, step{what: "reading the server's role", cmd: proto.ComQuery, arg: roleQuery(s.hs.IsMariaDB()),
			answer: func(s *session) error {
				row, err := s.rowAnswer()
				var se *proto.Error
				if errors.As(err, &se) && se.Code == errUnknownVariable {
					s.noWsrep = true // a MariaDB without wsrep: checkRole asks again
					return nil
				}
				if err != nil {
					return err
				}
				r, err := parseRole(row)
				s.initRole = &r
				return err
			}})
	}
	return steps
}

// runSteps sends steps and reads their answers: all in one write and one
// round trip when pipelined, else one after another. Every answer is read
// (a failed step does not stop the ones already sent); the first failure
// is returned.
func (s *session) runSteps(steps []step, pipelined bool) error {
	if len(steps) == 0 {
		return nil
	}
	if !pipelined {
		for _, st := range steps {
			if err := s.write(append(s.startCommand(st.cmd), st.arg...)); err != nil {
				return fmt.Errorf("%s: %w", st.what, err)
			}
			if err := st.answer(s); err != nil {
				return fmt.Errorf("%s: %w", st.what, err)
			}
		}
		return nil
	}
	buf := s.startPacket()[:0]
	for _, st := range steps {
		start := len(buf)
		buf = append(buf, 0, 0, 0, 0, st.cmd)
		buf = append(buf, st.arg...)
		buf = proto.FramePayload(buf, start, 0)
	}
	if err := s.writeFramed(buf); err != nil {
		return fmt.Errorf("%s: %w", steps[0].what, err)
	}
	var first error
	for _, st := range steps {
		s.pr.SetSeq(1)
		err := st.answer(s)
		if err != nil && first == nil {
			first = fmt.Errorf("%s: %w", st.what, err)
		}
		if s.broken != nil {
			return first
		}
	}
	return first
}

// pipelinesSetup reports whether set-up commands go in one write: as
// batches are pipelined, but the session exists before its Conn does.
func (s *session) pipelinesSetup() bool {
	return s.cfg.Pipeline != PipelineOff && s.comp == nil && !s.cfg.LocalInfile
}
