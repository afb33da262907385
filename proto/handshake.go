package proto

import (
	"fmt"
	"strings"
)

// Handshake is the server's initial handshake packet (protocol version 10).
type Handshake struct {
	ServerVersion string // as sent, e.g. "5.5.5-10.11.6-MariaDB"
	ConnectionID  uint32
	Salt          []byte // 20-byte scramble (auth-plugin-data), owned copy
	Capabilities  uint32
	// MariaDBCapabilities holds MariaDB's extended capabilities; non-zero
	// only for MariaDB servers.
	MariaDBCapabilities uint32
	Collation           byte
	Status              uint16
	AuthPlugin          string
}

// IsMariaDB reports whether the server identifies as MariaDB.
func (h *Handshake) IsMariaDB() bool {
	return strings.Contains(h.ServerVersion, "MariaDB") || h.Capabilities&ClientLongPassword == 0
}

// Version returns the server version without MariaDB's "5.5.5-" replication
// prefix.
func (h *Handshake) Version() string {
	return strings.TrimPrefix(h.ServerVersion, "5.5.5-")
}

// ParseHandshake decodes the initial handshake. A server that refuses the
// connection outright sends an ERR packet instead, returned as *Error.
func ParseHandshake(b []byte) (*Handshake, error) {
	if len(b) > 0 && b[0] == HeaderErr {
		e, err := ParseErr(b)
		if err != nil {
			return nil, err
		}
		return nil, e
	}
	if len(b) < 1 || b[0] != 10 {
		if len(b) == 0 {
			return nil, fmt.Errorf("%w: empty handshake", ErrMalformedPacket)
		}
		return nil, fmt.Errorf("%w: unsupported protocol version %d", ErrMalformedPacket, b[0])
	}
	h := &Handshake{}
	p := 1
	v, n := nulString(b[p:])
	if n == 0 {
		return nil, fmt.Errorf("%w: handshake server version", ErrMalformedPacket)
	}
	h.ServerVersion, p = string(v), p+n
	// connection id (4), scramble part 1 (8), filler (1), caps low (2)
	if len(b) < p+15 {
		return nil, fmt.Errorf("%w: short handshake", ErrMalformedPacket)
	}
	h.ConnectionID = uint32(b[p]) | uint32(b[p+1])<<8 | uint32(b[p+2])<<16 | uint32(b[p+3])<<24
	salt := make([]byte, 0, 20)
	salt = append(salt, b[p+4:p+12]...)
	h.Capabilities = uint32(b[p+13]) | uint32(b[p+14])<<8
	p += 15
	if len(b) < p+16 {
		// A pre-4.1 server: nothing more to read.
		h.Salt = salt
		return h, nil
	}
	h.Collation = b[p]
	h.Status = uint16(b[p+1]) | uint16(b[p+2])<<8
	h.Capabilities |= (uint32(b[p+3]) | uint32(b[p+4])<<8) << 16
	authLen := int(b[p+5])
	// 10 reserved bytes; MariaDB puts its extended capabilities in the
	// last 4 when it does not claim CLIENT_MYSQL (bit 0).
	if h.Capabilities&ClientLongPassword == 0 {
		r := b[p+12 : p+16]
		h.MariaDBCapabilities = uint32(r[0]) | uint32(r[1])<<8 | uint32(r[2])<<16 | uint32(r[3])<<24
	}
	p += 16
	if h.Capabilities&ClientSecureConnection != 0 {
		n := authLen - 8
		if n < 13 {
			n = 13
		}
		if len(b) < p+n {
			return nil, fmt.Errorf("%w: short handshake scramble", ErrMalformedPacket)
		}
		part2 := b[p : p+n]
		// The second part is NUL-terminated; only its first 12 bytes count.
		if len(part2) > 0 && part2[len(part2)-1] == 0 {
			part2 = part2[:len(part2)-1]
		}
		salt = append(salt, part2...)
		p += n
	}
	h.Salt = salt
	if h.Capabilities&ClientPluginAuth != 0 && p < len(b) {
		name, n := nulString(b[p:])
		if n == 0 {
			name = b[p:] // some servers omit the terminator
		}
		h.AuthPlugin = string(name)
	}
	return h, nil
}

// HandshakeResponse is the client's HandshakeResponse41.
type HandshakeResponse struct {
	Capabilities        uint32
	MariaDBCapabilities uint32 // sent only when Capabilities lacks ClientLongPassword
	MaxPacketSize       uint32
	Collation           byte
	User                string
	AuthResponse        []byte
	DB                  string
	AuthPlugin          string
	// Attrs are connect attributes as key/value pairs, in order.
	Attrs [][2]string
}

// AppendSSLRequest appends the SSLRequest payload: the fixed 32-byte head of
// a handshake response, sent before the TLS handshake.
func AppendSSLRequest(dst []byte, r *HandshakeResponse) []byte {
	caps := r.Capabilities | ClientSSL
	dst = append(dst, byte(caps), byte(caps>>8), byte(caps>>16), byte(caps>>24))
	dst = append(dst, byte(r.MaxPacketSize), byte(r.MaxPacketSize>>8), byte(r.MaxPacketSize>>16), byte(r.MaxPacketSize>>24))
	dst = append(dst, r.Collation)
	dst = append(dst, make([]byte, 19)...)
	var ext uint32
	if caps&ClientLongPassword == 0 {
		ext = r.MariaDBCapabilities
	}
	return append(dst, byte(ext), byte(ext>>8), byte(ext>>16), byte(ext>>24))
}

// AppendHandshakeResponse appends the HandshakeResponse41 payload.
func AppendHandshakeResponse(dst []byte, r *HandshakeResponse) []byte {
	caps := r.Capabilities
	start := len(dst)
	dst = AppendSSLRequest(dst, r)
	if caps&ClientSSL == 0 { // AppendSSLRequest always sets the flag
		dst[start+1] &^= byte(ClientSSL >> 8)
	}
	dst = append(dst, r.User...)
	dst = append(dst, 0)
	switch {
	case caps&ClientPluginAuthLenencClientData != 0:
		dst = AppendLenEncInt(dst, uint64(len(r.AuthResponse)))
		dst = append(dst, r.AuthResponse...)
	case caps&ClientSecureConnection != 0:
		dst = append(dst, byte(len(r.AuthResponse)))
		dst = append(dst, r.AuthResponse...)
	default:
		dst = append(dst, r.AuthResponse...)
		dst = append(dst, 0)
	}
	if caps&ClientConnectWithDB != 0 {
		dst = append(dst, r.DB...)
		dst = append(dst, 0)
	}
	if caps&ClientPluginAuth != 0 {
		dst = append(dst, r.AuthPlugin...)
		dst = append(dst, 0)
	}
	if caps&ClientConnectAttrs != 0 {
		var attrs []byte
		for _, kv := range r.Attrs {
			attrs = AppendLenEncString(attrs, kv[0])
			attrs = AppendLenEncString(attrs, kv[1])
		}
		dst = AppendLenEncInt(dst, uint64(len(attrs)))
		dst = append(dst, attrs...)
	}
	return dst
}

// AuthSwitch is an AuthSwitchRequest: the server asks the client to restart
// authentication with another plugin.
type AuthSwitch struct {
	Plugin string
	// Data is the plugin's data, an owned copy. The 20-byte scramble of
	// the password plugins comes without its terminating NUL;
	// client_ed25519's 32-byte nonce comes as sent, since its last byte
	// may itself be 0.
	Data []byte
}

// ParseAuthSwitch decodes an AuthSwitchRequest (first byte 0xfe).
func ParseAuthSwitch(b []byte) (AuthSwitch, error) {
	if len(b) < 1 || b[0] != HeaderEOF {
		return AuthSwitch{}, ErrMalformedPacket
	}
	if len(b) == 1 {
		// Old-password switch from pre-4.1 servers; unsupported.
		return AuthSwitch{Plugin: "mysql_old_password"}, nil
	}
	name, n := nulString(b[1:])
	if n == 0 {
		return AuthSwitch{}, fmt.Errorf("%w: auth switch plugin name", ErrMalformedPacket)
	}
	data := b[1+n:]
	if string(name) != AuthEd25519 && len(data) > 0 && data[len(data)-1] == 0 {
		data = data[:len(data)-1]
	}
	return AuthSwitch{Plugin: string(name), Data: append([]byte(nil), data...)}, nil
}
