package proto

import (
	"errors"
	"strconv"
)

// Sentinel errors for protocol-level failures; test with errors.Is.
var (
	// ErrMalformedPacket reports a packet that does not follow the protocol.
	ErrMalformedPacket = errors.New("proto: malformed packet")
	// ErrPacketSequence reports a packet whose sequence id is not the expected one.
	ErrPacketSequence = errors.New("proto: packet sequence out of order")
	// ErrPacketTooLarge reports a payload above the max_allowed_packet limit,
	// on either side of the connection.
	ErrPacketTooLarge = errors.New("proto: packet larger than max_allowed_packet")
)

// Error is an error packet (ERR) sent by the server.
type Error struct {
	Code     uint16
	SQLState string
	Message  string
}

// Error formats the server error the way the mysql client prints it.
func (e *Error) Error() string {
	b := make([]byte, 0, 24+len(e.Message))
	b = append(b, "Error "...)
	b = strconv.AppendUint(b, uint64(e.Code), 10)
	if e.SQLState != "" {
		b = append(b, " ("...)
		b = append(b, e.SQLState...)
		b = append(b, ')')
	}
	b = append(b, ": "...)
	b = append(b, e.Message...)
	return string(b)
}

// Is lets errors.Is match server errors that mean a protocol-level condition,
// such as ER_NET_PACKET_TOO_LARGE matching ErrPacketTooLarge.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrPacketTooLarge:
		return e.Code == ErNetPacketTooLarge
	}
	if t, ok := target.(*Error); ok {
		return t.Code == e.Code
	}
	return false
}

// Server error codes the client reacts to.
const (
	ErAccessDenied             uint16 = 1045
	ErUnknownCommand           uint16 = 1047
	ErServerShutdown           uint16 = 1053
	ErNetPacketTooLarge        uint16 = 1153
	ErNetReadInterrupted       uint16 = 1159
	ErNetWriteInterrupted      uint16 = 1161
	ErQueryInterrupted         uint16 = 1317
	ErLockDeadlock             uint16 = 1213
	ErLockWaitTimeout          uint16 = 1205
	ErConnectionKilled         uint16 = 1927
	ErOptionPreventsStatement  uint16 = 1290 // e.g. --read-only
	ErCantExecuteInReadOnlyTx  uint16 = 1792
	ErReadOnlyMode             uint16 = 1836
	ErClientInteractionTimeout uint16 = 4031
)

// ParseErr decodes an ERR packet (first byte 0xff). The SQL state marker is
// optional, as servers omit it before the handshake completes.
func ParseErr(b []byte) (*Error, error) {
	if len(b) < 3 || b[0] != HeaderErr {
		return nil, ErrMalformedPacket
	}
	e := &Error{Code: uint16(b[1]) | uint16(b[2])<<8}
	rest := b[3:]
	if len(rest) >= 6 && rest[0] == '#' {
		e.SQLState = string(rest[1:6])
		rest = rest[6:]
	}
	e.Message = string(rest)
	return e, nil
}
