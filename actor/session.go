package actor

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/amysql/amysql/proto"
)

// session is the wire side of a connection. It is owned by exactly one
// goroutine at a time: the connecting caller until Connect returns, then
// the holder of the connection's wire lock.
type session struct {
	cfg  *Config
	ep   endpoint // the server this session is on
	nc   net.Conn
	raw  net.Conn          // the socket under any TLS layer
	rw   io.ReadWriter     // the transport the packet layer uses
	comp *proto.Compressor // non-nil when the protocol is compressed
	pr   *proto.PacketReader
	pw   *proto.PacketWriter
	hs   *proto.Handshake
	caps uint32 // negotiated capabilities
	ext  bool   // MariaDB extended type info negotiated
	// cacheMeta: MariaDB's MARIADB_CLIENT_CACHE_METADATA was negotiated, so
	// a result's column count carries a "definitions follow" byte.
	cacheMeta bool
	// bulkOps: MARIADB_CLIENT_STMT_BULK_OPERATIONS was negotiated
	// (COM_STMT_BULK_EXECUTE, and statement id -1 after a prepare).
	bulkOps bool

	status   uint16
	tls      bool
	tlsState *tls.ConnectionState
	unix     bool
	charset  string
	collName string

	// broken is set once the stream can no longer be trusted.
	broken error

	// phase declares what the next read belongs to (see direct.go);
	// halted is the phase an interrupted direct command stopped at, and
	// stops all I/O until resync (phaseOther: not halted).
	phase, halted phase
	intr          *interrupter

	// Bytes moved since the last observed command (packet headers included).
	sent, received int64

	// lastGTID is the GTID of the session's last write as the server's
	// session tracking reported it (Config.TrackGTIDs); gtidNew says it
	// changed since the connection last published it.
	lastGTID []byte
	gtidNew  bool

	// first is set while the packet being built starts a command, whose
	// failed write then proves nothing of it was sent.
	first bool

	// pendingBegin: a transaction starts with the next command, whose
	// write sends BEGIN first (Conn.BeginWithNext); beginDue: BEGIN's
	// answer comes before the next one read.
	pendingBegin, beginDue bool

	// setNames is the statement that applies the charset, when the
	// handshake could not; initRole the role read with the set-up.
	setNames string
	initRole *ServerRole
	noWsrep  bool // the server knows no @@wsrep_on (MariaDB built without it)
}

// timeoutConn applies the per-operation read and write timeouts.
type timeoutConn struct {
	net.Conn
	in     *interrupter
	rt, wt time.Duration
}

func (t *timeoutConn) Read(p []byte) (int, error) {
	if t.rt > 0 {
		if err := t.in.setReadDeadline(time.Now().Add(t.rt)); err != nil {
			return 0, err
		}
	}
	return t.Conn.Read(p)
}

func (t *timeoutConn) Write(p []byte) (int, error) {
	if t.wt > 0 {
		if err := t.in.setWriteDeadline(time.Now().Add(t.wt)); err != nil {
			return 0, err
		}
	}
	return t.Conn.Write(p)
}

// setConn installs nc as the transport (again after a TLS upgrade).
func (s *session) setConn(nc net.Conn) {
	s.nc = nc
	if s.intr == nil {
		s.intr = newInterrupter(nc)
	}
	s.intr.nc = nc
	raw := newRawSocket(nc, s.cfg.SpinWait, s.cfg.SpinGroup)
	var rw io.ReadWriter = raw
	if s.cfg.ReadTimeout > 0 || s.cfg.WriteTimeout > 0 {
		rw = &timeoutConn{Conn: raw, in: s.intr, rt: s.cfg.ReadTimeout, wt: s.cfg.WriteTimeout}
	}
	s.rw = rw
	if s.pr == nil {
		s.pr = proto.NewPacketReader(rw, 0)
		s.pw = proto.NewPacketWriter(rw)
	} else {
		s.pr.Reset(rw)
		s.pw.Reset(rw)
	}
}

// fail marks the session broken by err and closes the socket; it returns
// the error to hand to the caller.
func (s *session) fail(err error) error {
	if s.broken == nil {
		s.broken = &badConn{cause: err}
		s.nc.Close()
	}
	return s.broken
}

// read reads one payload. I/O and framing failures break the session.
func (s *session) read() ([]byte, error) {
	ph := s.phase
	s.phase = phaseOther
	if s.broken != nil {
		return nil, s.broken
	}
	if s.halted != phaseOther {
		return nil, errInterrupted
	}
	if s.beginDue {
		if err := s.readBeginAnswer(); err != nil {
			return nil, err
		}
	}
	p, err := s.pr.ReadPacket()
	if err != nil {
		if s.interruption(err, ph) {
			return nil, errInterrupted
		}
		var se *proto.Error
		if errors.As(err, &se) {
			// An ERR out of sequence: the server gave up on the session
			// (idle timeout, shutdown, kill) and will close it.
			return nil, s.fail(se)
		}
		return nil, s.fail(err)
	}
	s.pw.SetSeq(s.pr.Seq())
	s.received += int64(len(p)) + 4
	return p, nil
}

// write sends a payload built on s.pw.Start().
func (s *session) write(b []byte) error {
	if s.broken != nil {
		return s.broken
	}
	if s.halted != phaseOther {
		return errInterrupted
	}
	first := s.first
	s.first = false
	if first && s.pendingBegin {
		if err := s.writeBegin(); err != nil {
			return err
		}
	}
	if err := s.pw.Write(b); err != nil {
		if errors.Is(err, proto.ErrPacketTooLarge) {
			return markNotSent(err) // the session is intact
		}
		if se := s.pendingServerError(); se != nil {
			// The server refused the command (e.g. a packet above its
			// max_allowed_packet) or had closed the session (4031).
			err = se
		}
		if first && s.pw.Written() == 0 {
			// Not a byte of the command left: the socket was already
			// dead (closed or reset by a server that went away).
			return markNotSent(s.fail(err))
		}
		return s.fail(err)
	}
	s.pr.SetSeq(s.pw.Seq())
	s.sent += int64(len(b))
	return nil
}

// beginPacket is COM_QUERY "BEGIN", framed.
var beginPacket = []byte{6, 0, 0, 0, proto.ComQuery, 'B', 'E', 'G', 'I', 'N'}

// writeBegin sends the BEGIN a pending transaction starts with, right
// before the command it rides with; its answer is read first.
func (s *session) writeBegin() error {
	s.pendingBegin = false
	if err := s.pw.WriteFramed(beginPacket); err != nil {
		if s.pw.Written() == 0 {
			return markNotSent(s.fail(err))
		}
		return s.fail(err)
	}
	s.beginDue = true
	s.sent += int64(len(beginPacket))
	return nil
}

// readBeginAnswer reads the answer to a BEGIN sent with the command whose
// answer follows. A refused BEGIN breaks the session: the command after
// it ran outside a transaction, and the caller must not think otherwise.
func (s *session) readBeginAnswer() error {
	s.beginDue = false
	s.pr.SetSeq(1)
	p, err := s.pr.ReadPacket()
	if err != nil {
		return s.fail(err)
	}
	s.received += int64(len(p)) + 4
	switch {
	case len(p) > 0 && p[0] == proto.HeaderErr:
		e, perr := proto.ParseErr(p)
		if perr != nil {
			return s.fail(perr)
		}
		return s.fail(e)
	case len(p) > 0 && p[0] == proto.HeaderOK:
		ok, err := s.parseOK(p)
		if err != nil {
			return s.fail(err)
		}
		s.status = ok.Status
	default:
		return s.fail(errorf("%w: unexpected answer 0x%02x to BEGIN", proto.ErrMalformedPacket, p[0]))
	}
	s.pr.SetSeq(1) // the command's answer starts its own sequence
	return nil
}

// writeFramed sends packets framed beforehand (a pipeline's commands),
// each starting a command. The caller holds the wire.
func (s *session) writeFramed(b []byte) error {
	if s.broken != nil {
		return markNotSent(s.broken)
	}
	if err := s.pw.WriteFramed(b); err != nil {
		if s.pw.Written() == 0 {
			return markNotSent(s.fail(err))
		}
		return s.fail(err)
	}
	return nil
}

// pendingServerError looks, briefly, for an error packet the server sent
// before it stopped reading.
func (s *session) pendingServerError() *proto.Error {
	_ = s.nc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	p, err := s.pr.ReadPacket()
	var se *proto.Error
	if errors.As(err, &se) {
		return se
	}
	if err == nil && len(p) > 0 && p[0] == proto.HeaderErr {
		se, _ = proto.ParseErr(p)
	}
	return se
}

// startCommand resets the sequence and returns a packet buffer holding the
// command byte.
func (s *session) startCommand(cmd byte) []byte {
	return append(s.startPacket(), cmd)
}

// startPacket resets the sequence and returns an empty packet buffer, for
// commands whose payload is built by a proto Append function.
func (s *session) startPacket() []byte {
	s.first = true
	s.pw.SetSeq(0)
	if s.comp != nil {
		s.comp.ResetSeq()
	}
	return s.pw.Start()
}

// columnCount decodes the packet that starts a result set: the number of
// columns and whether their definitions follow. A malformed header breaks
// the session.
func (s *session) columnCount(p []byte) (n int, defs bool, err error) {
	var v uint64
	ok := false
	if s.cacheMeta {
		v, defs, ok = proto.ParseColumnCountMeta(p)
	} else {
		v, ok = proto.ParseColumnCount(p)
		defs = true
	}
	if !ok || v == 0 || v > maxColumns {
		return 0, false, s.fail(fmt.Errorf("%w: bad column count in result header", proto.ErrMalformedPacket))
	}
	return int(v), defs, nil
}

// serverError inspects a server error for codes after which the server
// closes the session: those break the session, and the error says so
// (IsBadConn) while still matching the *proto.Error.
func (s *session) serverError(e *proto.Error) error {
	switch e.Code {
	case proto.ErServerShutdown, proto.ErConnectionKilled, proto.ErClientInteractionTimeout, proto.ErNetPacketTooLarge:
		return s.fail(e)
	case proto.ErOptionPreventsStatement, proto.ErCantExecuteInReadOnlyTx, proto.ErReadOnlyMode:
		if s.cfg.RejectReadOnly || s.cfg.Target == TargetPrimary {
			// The statement was refused, not run: the connection goes, so
			// a pool dials the new primary.
			return s.fail(e)
		}
	case proto.ErUnknownCommand:
		if e.SQLState == "08S01" {
			// A Galera node that left the primary component (or is not
			// ready) refuses everything until it rejoins.
			return s.fail(e)
		}
	}
	return e
}

// parseOK decodes an OK packet and notes the session state it carries.
func (s *session) parseOK(p []byte) (proto.OK, error) {
	ok, err := proto.ParseOK(p, s.caps)
	if err == nil && ok.SessionState != nil {
		err = proto.ParseSessionState(ok.SessionState, s.noteState)
	}
	return ok, err
}

// parseEnd decodes the packet that ends a result set.
func (s *session) parseEnd(p []byte) (proto.OK, error) {
	if s.caps&proto.ClientDeprecateEOF != 0 {
		return s.parseOK(p)
	}
	return proto.ParseEnd(p, s.caps)
}

// noteState records the session-state changes the client asked the server
// to track: the GTID of the session's last write (MariaDB's last_gtid
// variable, MySQL's own GTIDs).
func (s *session) noteState(kind byte, data []byte) {
	var gtid []byte
	switch kind {
	case proto.SessionTrackSystemVariables:
		if name, value, err := proto.SessionSystemVariable(data); err == nil && string(name) == "last_gtid" {
			gtid = value
		}
	case proto.SessionTrackGTIDs:
		gtid, _ = proto.SessionGTIDs(data)
	}
	if len(gtid) > 0 {
		s.lastGTID = append(s.lastGTID[:0], gtid...)
		s.gtidNew = true
	}
}

// readOK reads the reply to a command that answers with OK or ERR.
func (s *session) readOK() (proto.OK, error) {
	s.phase = phaseHeader
	p, err := s.read()
	if err != nil {
		return proto.OK{}, err
	}
	switch p[0] {
	case proto.HeaderOK:
		ok, err := s.parseOK(p)
		if err != nil {
			return ok, s.fail(err)
		}
		s.status = ok.Status
		return ok, nil
	case proto.HeaderErr:
		e, err := proto.ParseErr(p)
		if err != nil {
			return proto.OK{}, s.fail(err)
		}
		return proto.OK{}, s.serverError(e)
	}
	return proto.OK{}, s.fail(fmt.Errorf("%w: expected OK, got packet 0x%02x", proto.ErrMalformedPacket, p[0]))
}

// simpleCommand sends a command with an argument and reads its OK.
func (s *session) simpleCommand(cmd byte, arg string) (proto.OK, error) {
	if err := s.write(append(s.startCommand(cmd), arg...)); err != nil {
		return proto.OK{}, err
	}
	return s.readOK()
}

// discardAnswer reads and drops every result of a statement's answer.
func (s *session) discardAnswer() error {
	for {
		p, err := s.read()
		if err != nil {
			return err
		}
		var status uint16
		switch p[0] {
		case proto.HeaderOK:
			ok, err := s.parseOK(p)
			if err != nil {
				return s.fail(err)
			}
			status = ok.Status
		case proto.HeaderErr:
			e, err := proto.ParseErr(p)
			if err != nil {
				return s.fail(err)
			}
			return s.serverError(e)
		case proto.HeaderLocalInfile:
			return s.fail(errorf("%w: LOCAL INFILE request from an init command", ErrLocalInfileDenied))
		default:
			n, defs, err := s.columnCount(p)
			if err != nil {
				return err
			}
			// Column definitions, then (without DEPRECATE_EOF) an EOF, then
			// rows up to the final EOF/OK.
			skip := 0
			if defs {
				skip = n
			}
			if s.caps&proto.ClientDeprecateEOF == 0 {
				skip++
			}
			for i := 0; i < skip; i++ {
				if _, err := s.read(); err != nil {
					return err
				}
			}
			for {
				p, err := s.read()
				if err != nil {
					return err
				}
				if p[0] == proto.HeaderErr {
					e, _ := proto.ParseErr(p)
					return s.serverError(e)
				}
				if proto.IsEOF(p) {
					end, err := s.parseEnd(p)
					if err != nil {
						return s.fail(err)
					}
					status = end.Status
					break
				}
			}
		}
		s.status = status
		if status&proto.StatusMoreResultsExists == 0 {
			return nil
		}
	}
}

// peer is the session's server at the address its socket reached: a
// side connection dialled there reaches the same server even when the
// configured name resolves elsewhere by then.
func (s *session) peer() endpoint {
	p := s.ep
	if p.network == "tcp" {
		if ra := s.raw.RemoteAddr(); ra != nil {
			p.address = ra.String()
		}
	}
	return p
}
