package proto

// OK is a decoded OK packet, or the OK-style packet that ends a result set
// when CLIENT_DEPRECATE_EOF is in use.
type OK struct {
	AffectedRows uint64
	LastInsertID uint64
	Status       uint16
	Warnings     uint16
	// Info is the human-readable status text (e.g. "Rows matched: 1"),
	// a view into the packet.
	Info []byte
	// SessionState is the session-state information of a packet with
	// StatusSessionStateChanged under CLIENT_SESSION_TRACK (see
	// ParseSessionState), a view into the packet.
	SessionState []byte
}

// ParseOK decodes an OK packet whose first byte is 0x00 or, for the end of
// a result set under CLIENT_DEPRECATE_EOF, 0xfe.
func ParseOK(b []byte, caps uint32) (OK, error) {
	var ok OK
	if len(b) < 1 || (b[0] != HeaderOK && b[0] != HeaderEOF) {
		return ok, ErrMalformedPacket
	}
	p := 1
	v, null, n := LenEncInt(b[p:])
	if n == 0 || null {
		return ok, ErrMalformedPacket
	}
	ok.AffectedRows, p = v, p+n
	v, null, n = LenEncInt(b[p:])
	if n == 0 || null {
		return ok, ErrMalformedPacket
	}
	ok.LastInsertID, p = v, p+n
	if caps&ClientProtocol41 != 0 {
		if len(b) < p+4 {
			return ok, ErrMalformedPacket
		}
		ok.Status = uint16(b[p]) | uint16(b[p+1])<<8
		ok.Warnings = uint16(b[p+2]) | uint16(b[p+3])<<8
		p += 4
	}
	if p < len(b) {
		if caps&ClientSessionTrack == 0 {
			ok.Info = b[p:]
			return ok, nil
		}
		s, _, n := LenEncString(b[p:])
		if n == 0 {
			return ok, ErrMalformedPacket
		}
		ok.Info, p = s, p+n
		if ok.Status&StatusSessionStateChanged != 0 && p < len(b) {
			st, _, n := LenEncString(b[p:])
			if n == 0 {
				return ok, ErrMalformedPacket
			}
			ok.SessionState = st
		}
	}
	return ok, nil
}

// Session-state change types (CLIENT_SESSION_TRACK).
const (
	SessionTrackSystemVariables byte = 0
	SessionTrackSchema          byte = 1
	SessionTrackStateChange     byte = 2
	SessionTrackGTIDs           byte = 3
)

// ParseSessionState calls fn for each change in an OK packet's session
// state: its type and its data. An entry that overruns the state is
// ErrMalformedPacket.
func ParseSessionState(state []byte, fn func(kind byte, data []byte)) error {
	for len(state) > 0 {
		kind := state[0]
		data, _, n := LenEncString(state[1:])
		if n == 0 {
			return ErrMalformedPacket
		}
		fn(kind, data)
		state = state[1+n:]
	}
	return nil
}

// SessionSystemVariable decodes the data of a SessionTrackSystemVariables
// change: the variable's name and new value.
func SessionSystemVariable(data []byte) (name, value []byte, err error) {
	name, _, n := LenEncString(data)
	if n == 0 {
		return nil, nil, ErrMalformedPacket
	}
	value, _, m := LenEncString(data[n:])
	if m == 0 {
		return nil, nil, ErrMalformedPacket
	}
	return name, value, nil
}

// SessionGTIDs decodes the data of a SessionTrackGTIDs change (MySQL's
// session_track_gtids): the GTID set.
func SessionGTIDs(data []byte) ([]byte, error) {
	if len(data) < 1 {
		return nil, ErrMalformedPacket
	}
	set, _, n := LenEncString(data[1:]) // after the encoding specification byte
	if n == 0 {
		return nil, ErrMalformedPacket
	}
	return set, nil
}

// IsEOF reports whether b is an EOF packet, or the OK packet that replaces it
// under CLIENT_DEPRECATE_EOF, rather than a row starting with 0xfe.
func IsEOF(b []byte) bool {
	// A row starting with 0xfe has a first value with an 8-byte length, so
	// it is at least 16 MiB long; end packets are short.
	return len(b) > 0 && b[0] == HeaderEOF && len(b) < MaxPayloadLen
}

// ParseEOF decodes a classic EOF packet: 0xfe, warnings, status.
func ParseEOF(b []byte) (warnings, status uint16, err error) {
	if len(b) < 1 || b[0] != HeaderEOF {
		return 0, 0, ErrMalformedPacket
	}
	if len(b) >= 5 {
		warnings = uint16(b[1]) | uint16(b[2])<<8
		status = uint16(b[3]) | uint16(b[4])<<8
	}
	return warnings, status, nil
}

// ParseEnd decodes the packet that ends a result set: a classic EOF packet,
// or an OK packet with the 0xfe header under CLIENT_DEPRECATE_EOF.
func ParseEnd(b []byte, caps uint32) (OK, error) {
	if caps&ClientDeprecateEOF != 0 {
		return ParseOK(b, caps)
	}
	w, s, err := ParseEOF(b)
	return OK{Warnings: w, Status: s}, err
}
