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
}

// ParseOK decodes an OK packet whose first byte is 0x00 or, for the end of
// a result set under CLIENT_DEPRECATE_EOF, 0xfe. Session-state information
// (CLIENT_SESSION_TRACK) is not interpreted.
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
		if caps&ClientSessionTrack != 0 {
			if s, _, n := LenEncString(b[p:]); n > 0 {
				ok.Info = s
			}
		} else {
			ok.Info = b[p:]
		}
	}
	return ok, nil
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
