package actor

import (
	"crypto/rsa"
	"fmt"

	"github.com/amysql/amysql/proto"
)

// secure reports whether the transport protects a cleartext password.
func (s *session) secure() bool { return s.tls || s.unix }

// authenticate sends the handshake response and runs the authentication
// exchange to its OK packet, following auth switches and extra rounds.
func (s *session) authenticate(resp *proto.HandshakeResponse, plugin string, salt []byte) error {
	data, err := s.authData(plugin, salt)
	if err != nil {
		return err
	}
	resp.AuthPlugin, resp.AuthResponse = plugin, data
	if err := s.write(proto.AppendHandshakeResponse(s.pw.Start(), resp)); err != nil {
		return err
	}
	var pubKey *rsa.PublicKey
	for rounds := 0; ; rounds++ {
		if rounds > 16 {
			return errorf("%w: too many authentication rounds", ErrAuth)
		}
		p, err := s.read()
		if err != nil {
			return err
		}
		if len(p) == 0 {
			return s.fail(fmt.Errorf("%w: empty authentication packet", proto.ErrMalformedPacket))
		}
		switch p[0] {
		case proto.HeaderOK:
			ok, err := s.parseOK(p)
			if err != nil {
				return err
			}
			s.status = ok.Status
			return nil
		case proto.HeaderErr:
			e, err := proto.ParseErr(p)
			if err != nil {
				return err
			}
			return e
		case proto.HeaderEOF: // AuthSwitchRequest
			sw, err := proto.ParseAuthSwitch(p)
			if err != nil {
				return err
			}
			plugin, salt = sw.Plugin, sw.Data
			data, err := s.authData(plugin, salt)
			if err != nil {
				return err
			}
			if err := s.write(append(s.pw.Start(), data...)); err != nil {
				return err
			}
		case proto.HeaderAuthMore:
			more := p[1:]
			switch plugin {
			case proto.AuthCachingSHA2:
				if len(more) == 1 && more[0] == proto.CachingSHA2FastAuthOK {
					continue // the OK packet follows
				}
				if len(more) == 1 && more[0] == proto.CachingSHA2FullAuth {
					out, err := s.fullAuth(salt, pubKey, proto.CachingSHA2RequestKey)
					if err != nil {
						return err
					}
					if err := s.write(append(s.pw.Start(), out...)); err != nil {
						return err
					}
					continue
				}
				fallthrough
			case proto.AuthSHA256:
				// The server sent its public key, which we asked for.
				key, err := proto.ParsePublicKey(more)
				if err != nil {
					return errorf("%w: server public key: %v", ErrAuth, err)
				}
				pubKey = key
				enc, err := proto.EncryptPassword(s.cfg.Password, salt, key)
				if err != nil {
					return errorf("%w: %v", ErrAuth, err)
				}
				if err := s.write(append(s.pw.Start(), enc...)); err != nil {
					return err
				}
			default:
				return errorf("%w: unexpected extra data for plugin %s", ErrAuth, plugin)
			}
		default:
			return s.fail(fmt.Errorf("%w: unexpected packet 0x%02x during authentication", proto.ErrMalformedPacket, p[0]))
		}
	}
}

// authData computes the first response for an authentication plugin.
func (s *session) authData(plugin string, salt []byte) ([]byte, error) {
	pw := s.cfg.Password
	switch plugin {
	case proto.AuthNativePassword:
		if s.cfg.DenyNativePasswords {
			return nil, errorf("%w: the server asks for mysql_native_password, which DenyNativePasswords refuses", ErrAuth)
		}
		return proto.ScrambleNativePassword(pw, salt), nil
	case proto.AuthCachingSHA2:
		return proto.ScrambleCachingSHA2(pw, salt), nil
	case proto.AuthSHA256:
		if pw == "" {
			return []byte{0}, nil
		}
		return s.fullAuth(salt, nil, proto.SHA256RequestKey)
	case proto.AuthClearPassword:
		if !s.secure() && !s.cfg.AllowCleartextPasswords {
			return nil, errorf("%w: server asked for mysql_clear_password over an unencrypted connection (set AllowCleartextPasswords to permit it)", ErrAuth)
		}
		return proto.ClearPassword(pw), nil
	case proto.AuthEd25519:
		return proto.ScrambleEd25519(pw, salt)
	}
	return nil, errorf("%w: unsupported authentication plugin %q", ErrAuth, plugin)
}

// fullAuth answers a request for the password itself: in clear over a
// secure transport, else RSA-encrypted with a known key, else a request
// for the server's key (when allowed).
func (s *session) fullAuth(salt []byte, key *rsa.PublicKey, requestKey byte) ([]byte, error) {
	if s.secure() {
		return proto.ClearPassword(s.cfg.Password), nil
	}
	if key == nil && len(s.cfg.ServerPublicKey) > 0 {
		k, err := proto.ParsePublicKey(s.cfg.ServerPublicKey)
		if err != nil {
			return nil, errorf("%w: ServerPublicKey: %v", ErrAuth, err)
		}
		key = k
	}
	if key != nil {
		enc, err := proto.EncryptPassword(s.cfg.Password, salt, key)
		if err != nil {
			return nil, errorf("%w: %v", ErrAuth, err)
		}
		return enc, nil
	}
	if !s.cfg.AllowPublicKeyRetrieval {
		return nil, errorf("%w: the server needs the password encrypted with its RSA key; use TLS, set ServerPublicKey, or set AllowPublicKeyRetrieval", ErrAuth)
	}
	return []byte{requestKey}, nil
}
