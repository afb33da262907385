package actor

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/amysql/amysql/proto"
)

// Version is the client's version, sent as the _client_version connect
// attribute.
const Version = "0.1.0"

const clientVersion = Version

// dialSession dials ep, upgrades to TLS when configured, authenticates,
// initialises the session and then runs setup, if any. cfg must have
// defaults applied. Everything is bounded by ctx.
func dialSession(ctx context.Context, cfg *Config, ep endpoint, setup func(*session) error) (*session, error) {
	d := net.Dialer{KeepAlive: 30 * time.Second}
	nc, err := d.DialContext(ctx, ep.network, ep.address)
	if err != nil {
		return nil, err // a *net.OpError: "dial tcp host:port: ..."
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	s := &session{cfg: cfg, ep: ep, unix: ep.network == "unix", raw: nc}
	s.setConn(nc)
	s.pr.MaxPayload = cfg.MaxAllowedPacket
	s.pw.MaxPayload = cfg.MaxAllowedPacket

	// One deadline covers the whole handshake; a ctx that ends early
	// interrupts blocked I/O.
	if dl, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	err = s.handshake(ctx)
	if err == nil {
		// One round trip applies the configuration and reads the role.
		err = s.runSteps(s.setupSteps(cfg.Target != TargetAny, true), s.pipelinesSetup())
	}
	if err == nil && setup != nil {
		err = setup(s)
	}
	if !stop() || ctx.Err() != nil {
		if err == nil {
			err = ctx.Err()
		}
	}
	if err != nil {
		nc.Close()
		if isServerError(err) {
			return nil, err
		}
		// The socket deadline is ctx's own and may fire a moment before
		// ctx reports it.
		if dl, ok := ctx.Deadline(); ok && ctx.Err() == nil && !time.Now().Before(dl) {
			return nil, errorf("%w (%v)", context.DeadlineExceeded, err)
		}
		if ctx.Err() != nil {
			return nil, errorf("%w (%v)", ctx.Err(), err)
		}
		return nil, err
	}
	_ = s.nc.SetDeadline(time.Time{})
	return s, nil
}

func isServerError(err error) bool {
	var se *proto.Error
	return errors.As(err, &se)
}

// handshake reads the greeting, negotiates capabilities and TLS, and
// authenticates.
func (s *session) handshake(ctx context.Context) error {
	cfg := s.cfg
	p, err := s.pr.ReadPacket()
	if err != nil {
		var se *proto.Error
		if errors.As(err, &se) {
			return se
		}
		return fmt.Errorf("reading server greeting: %w", err)
	}
	s.pw.SetSeq(s.pr.Seq())
	hs, err := proto.ParseHandshake(p)
	if err != nil {
		return err
	}
	s.hs = hs
	s.status = hs.Status
	if hs.Capabilities&proto.ClientProtocol41 == 0 {
		return errorf("%w: server %q does not speak protocol 4.1", ErrUnsupported, hs.ServerVersion)
	}

	coll, setNames, err := chooseCollation(cfg, hs)
	if err != nil {
		return err
	}
	resp := &proto.HandshakeResponse{
		MaxPacketSize: uint32(cfg.MaxAllowedPacket),
		Collation:     byte(coll.ID),
		User:          cfg.User,
		DB:            cfg.DB,
		Attrs:         connectAttrs(cfg),
	}
	caps := proto.ClientLongPassword | proto.ClientLongFlag | proto.ClientProtocol41 |
		proto.ClientTransactions | proto.ClientSecureConnection | proto.ClientMultiResults |
		proto.ClientPSMultiResults | proto.ClientPluginAuth | proto.ClientPluginAuthLenencClientData |
		proto.ClientConnectAttrs | proto.ClientDeprecateEOF
	if cfg.DB != "" {
		caps |= proto.ClientConnectWithDB
	}
	if cfg.MultiStatements {
		caps |= proto.ClientMultiStatements
	}
	if cfg.TrackGTIDs {
		caps |= proto.ClientSessionTrack
	}
	if cfg.LocalInfile {
		caps |= proto.ClientLocalFiles
	}
	if cfg.Compress && hs.Capabilities&proto.ClientCompress != 0 {
		caps |= proto.ClientCompress
	}
	caps |= cfg.ClientFlag &^ (proto.ClientSSL | proto.ClientCompress | proto.ClientLocalFiles)
	caps &= hs.Capabilities | proto.ClientLongPassword
	if hs.MariaDBCapabilities&proto.MariaDBClientExtendedTypeInfo != 0 {
		// Clearing CLIENT_MYSQL tells MariaDB to read extended capabilities.
		caps &^= proto.ClientLongPassword
		resp.MariaDBCapabilities = proto.MariaDBClientExtendedTypeInfo
		s.ext = true
		if hs.MariaDBCapabilities&proto.MariaDBClientStmtBulkOperations != 0 {
			resp.MariaDBCapabilities |= proto.MariaDBClientStmtBulkOperations
			s.bulkOps = true
		}
		if hs.MariaDBCapabilities&proto.MariaDBClientCacheMetadata != 0 {
			// Prepared statements then skip column definitions the
			// client already has.
			resp.MariaDBCapabilities |= proto.MariaDBClientCacheMetadata
			s.cacheMeta = true
		}
	}

	useTLS, err := s.wantTLS(hs)
	if err != nil {
		return err
	}
	if useTLS {
		caps |= proto.ClientSSL
		resp.Capabilities = caps
		if err := s.write(proto.AppendSSLRequest(s.pw.Start(), resp)); err != nil {
			return err
		}
		tcfg, err := s.tlsConfig()
		if err != nil {
			return err
		}
		tc := tls.Client(newRawSocket(s.nc, s.cfg.SpinWait, s.cfg.SpinGroup), tcfg) // records travel over the raw socket too
		if err := tc.HandshakeContext(ctx); err != nil {
			return errorf("%w: %w", ErrTLS, err)
		}
		state := tc.ConnectionState()
		s.tlsState = &state
		s.setConn(tc)
		s.tls = true
	}
	s.caps = caps
	resp.Capabilities = caps

	plugin := hs.AuthPlugin
	if cfg.AuthPlugin != "" {
		plugin = cfg.AuthPlugin
	}
	if plugin == "" {
		plugin = proto.AuthNativePassword
	}
	if err := s.authenticate(resp, plugin, hs.Salt); err != nil {
		return err
	}
	if caps&proto.ClientCompress != 0 {
		// Everything after the authentication OK is compressed.
		comp, err := proto.NewCompressor(s.rw, 2)
		if err != nil {
			return err
		}
		comp.MaxPayload = cfg.MaxAllowedPacket
		s.comp = comp
		s.pr.Reset(comp)
		s.pw.Reset(comp)
	}
	s.charset, s.collName, s.setNames = coll.Charset, coll.Name, setNames
	return nil
}

// chooseCollation picks the handshake collation and, when the requested
// collation cannot be expressed there, the SET NAMES statement to send.
func chooseCollation(cfg *Config, hs *proto.Handshake) (proto.Collation, string, error) {
	if cfg.Collation != "" {
		if c, ok := proto.CollationByName(cfg.Collation); ok && c.ID <= 255 {
			if c.Charset != charsetName(cfg.Charset) && cfg.Charset != "" && cfg.Charset != "utf8mb4" {
				return c, "", errorf("collation %q does not belong to charset %q", cfg.Collation, cfg.Charset)
			}
			return c, "", nil
		}
		base, ok := proto.DefaultCollation(charsetName(cfg.Charset))
		if !ok {
			base, _ = proto.DefaultCollation("utf8mb4")
		}
		base.Name, base.Charset = cfg.Collation, charsetName(cfg.Charset)
		return base, "SET NAMES " + quoteName(cfg.Charset) + " COLLATE " + quoteName(cfg.Collation), nil
	}
	cs := charsetName(cfg.Charset)
	if c, ok := proto.CollationByID(uint16(hs.Collation)); ok && c.Charset == cs {
		return c, "", nil
	}
	if c, ok := proto.DefaultCollation(cs); ok {
		return c, "", nil
	}
	base, _ := proto.DefaultCollation("utf8mb4")
	base.Name, base.Charset = "", cs
	return base, "SET NAMES " + quoteName(cfg.Charset), nil
}

func charsetName(cs string) string {
	if cs == "utf8" {
		return "utf8mb3"
	}
	return cs
}

// quoteName quotes a charset or collation name as an SQL string literal.
func quoteName(s string) string {
	return string(proto.AppendQuotedString(nil, s, false))
}

func connectAttrs(cfg *Config) [][2]string {
	attrs := [][2]string{
		{"_client_name", "amysql"},
		{"_client_version", clientVersion},
		{"_os", runtime.GOOS},
		{"_platform", runtime.GOARCH},
		{"_pid", strconv.Itoa(os.Getpid())},
	}
	if cfg.ProgramName != "" {
		attrs = append(attrs, [2]string{"program_name", cfg.ProgramName})
	}
	for k, v := range cfg.ConnectAttrs {
		attrs = append(attrs, [2]string{k, v})
	}
	return attrs
}

// simpleQuery runs a statement that returns no rows.
func (s *session) simpleQuery(q string) (proto.OK, error) {
	return s.simpleCommand(proto.ComQuery, q)
}
