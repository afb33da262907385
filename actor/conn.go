package actor

import (
	"context"
	"crypto/tls"
	"strconv"

	"github.com/amysql/amysql/proto"
)

// Close closes the connection at once, without telling the server (as
// aiomysql's close). Commands in flight fail; it is idempotent. On a lent
// handle whose lease ended it does nothing and returns ErrRevoked.
func (c *Conn) Close() error {
	if c.revoked() {
		return markNotSent(ErrRevoked)
	}
	c.shut()
	return nil
}

// shut closes the connection, whichever handle asks.
func (c *Conn) shut() {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		c.nc.Close()
		// Wake the actor with the nil request that stops it, behind any
		// request already queued, without waiting for it here.
		go func() {
			select {
			case c.mailbox <- nil:
			case <-c.done:
			}
		}()
		c.killer.release()
		if c.sess != nil && c.sess.intr != nil {
			c.sess.intr.release()
		}
	})
}

// EnsureClosed sends COM_QUIT so the server ends the session cleanly, then
// closes the connection. If ctx ends first the connection is closed
// anyway.
func (c *Conn) EnsureClosed(ctx context.Context) error {
	if c.revoked() {
		return markNotSent(ErrRevoked)
	}
	if c.closed.Load() {
		return c.Close()
	}
	_, err := c.command(ctx, "quit", func(r *request) { r.kind = reqQuit })
	c.Close()
	select {
	case <-c.done:
	case <-ctx.Done():
	}
	if IsBadConn(err) {
		return nil
	}
	return err
}

// Closed reports whether the connection is closed or broken, or the
// handle's lease has ended.
func (c *Conn) Closed() bool { return c.closed.Load() || c.revoked() }

// Done returns a channel closed when the connection's actor has stopped.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns why the connection broke (ErrRevoked for a lent handle whose
// lease ended), or nil while it is usable or after a regular Close.
func (c *Conn) Err() error {
	if c.revoked() {
		return ErrRevoked
	}
	if p := c.broken.Load(); p != nil {
		return *p
	}
	return nil
}

// Ping checks the connection with COM_PING. It never reconnects.
func (c *Conn) Ping(ctx context.Context) error {
	_, err := c.command(ctx, "ping", func(r *request) { r.kind, r.cmd = reqCommand, proto.ComPing })
	return err
}

// SelectDB makes name the current database (COM_INIT_DB).
func (c *Conn) SelectDB(ctx context.Context, name string) error {
	_, err := c.command(ctx, "select db", func(r *request) {
		r.kind, r.cmd, r.sql = reqCommand, proto.ComInitDB, name
	})
	if err == nil {
		c.db.Store(&name)
	}
	return err
}

// execSQL runs a statement without rows on the connection.
func (c *Conn) execSQL(ctx context.Context, op, q string) error {
	_, err := c.command(ctx, op, func(r *request) {
		r.kind, r.cmd, r.sql = reqCommand, proto.ComQuery, q
	})
	return err
}

// Begin starts a transaction.
func (c *Conn) Begin(ctx context.Context) error { return c.execSQL(ctx, "begin", "BEGIN") }

// BeginWithNext starts a transaction with the next command, which carries
// BEGIN in its own write: the transaction costs no round trip of its own.
// Nothing is sent now, and InTransaction reports false until that command
// has run. A BEGIN the server refuses breaks the connection (the command
// after it ran outside a transaction). Without pipelining (Config.Pipeline
// off) it is Begin.
func (c *Conn) BeginWithNext(ctx context.Context) error {
	if !c.pipelines() {
		return c.Begin(ctx)
	}
	return c.do(ctx, "begin", func(s *session) error {
		s.pendingBegin = true
		return nil
	})
}

// Commit commits the current transaction.
func (c *Conn) Commit(ctx context.Context) error { return c.execSQL(ctx, "commit", "COMMIT") }

// Rollback rolls back the current transaction.
func (c *Conn) Rollback(ctx context.Context) error { return c.execSQL(ctx, "rollback", "ROLLBACK") }

// SetAutocommit sets the session's autocommit mode, sending nothing when
// the server already reports that mode.
func (c *Conn) SetAutocommit(ctx context.Context, on bool) error {
	return c.do(ctx, "set autocommit", func(s *session) error {
		if (s.status&proto.StatusAutocommit != 0) == on {
			return nil
		}
		q := "SET autocommit=0"
		if on {
			q = "SET autocommit=1"
		}
		_, err := s.simpleQuery(q)
		return err
	})
}

// Autocommit reports the autocommit mode from the last server status.
func (c *Conn) Autocommit() bool { return uint16(c.status.Load())&proto.StatusAutocommit != 0 }

// InTransaction reports whether the server said a transaction is open.
func (c *Conn) InTransaction() bool { return uint16(c.status.Load())&proto.StatusInTrans != 0 }

// Status returns the server status flags of the last reply.
func (c *Conn) Status() uint16 { return uint16(c.status.Load()) }

// ResetSession resets the session state with COM_RESET_CONNECTION (user
// variables, temporary tables, open transaction, session variables) and
// applies the configured charset, sql_mode, autocommit and init command
// again.
func (c *Conn) ResetSession(ctx context.Context) error {
	return c.do(ctx, "reset session", func(s *session) error {
		s.pendingBegin = false
		c.stmtEpoch++
		c.stmts.clear()
		if coll, ok := proto.CollationByName(s.collName); !ok || coll.ID > 255 || c.cfg.Collation != "" && !ok {
			s.setNames = "SET NAMES " + quoteName(c.cfg.Charset)
			if c.cfg.Collation != "" {
				s.setNames += " COLLATE " + quoteName(c.cfg.Collation)
			}
		}
		// The reset, the set-up and the database in one round trip.
		steps := append([]step{{what: "resetting the session", cmd: proto.ComResetConnection, answer: okAnswer}},
			s.setupSteps(false, false)...)
		db := c.cfg.DB
		if db != "" {
			steps = append(steps, step{what: "selecting the database", cmd: proto.ComInitDB, arg: db, answer: okAnswer})
		}
		if err := s.runSteps(steps, c.pipelines()); err != nil {
			return err
		}
		c.db.Store(&db)
		return nil
	})
}

// Kill asks the server to end the session with the given thread id
// (KILL <id>).
func (c *Conn) Kill(ctx context.Context, threadID uint32) error {
	return c.execSQL(ctx, "kill", "KILL "+strconv.FormatUint(uint64(threadID), 10))
}

// Warning is one row of SHOW WARNINGS.
type Warning struct {
	Level   string
	Code    uint16
	Message string
}

// ShowWarnings returns the warnings of the last statement (SHOW WARNINGS).
func (c *Conn) ShowWarnings(ctx context.Context) ([]Warning, error) {
	cur := c.Cursor(TupleCursor)
	if _, err := cur.Execute(ctx, "SHOW WARNINGS"); err != nil {
		return nil, err
	}
	var out []Warning
	for cur.Next(ctx) {
		var w Warning
		var code int64
		if err := cur.Scan(&w.Level, &code, &w.Message); err != nil {
			return out, err
		}
		w.Code = uint16(code)
		out = append(out, w)
	}
	return out, cur.Err()
}

// WarningCount returns the warning count of the last reply.
func (c *Conn) WarningCount() int { return int(c.warnings.Load()) }

// LastGTID returns the GTID of the session's last write as the server
// reported it (Config.TrackGTIDs): "domain-server-sequence" on MariaDB, a
// GTID set on MySQL; "" before the first write.
func (c *Conn) LastGTID() string {
	if g := c.lastGTID.Load(); g != nil {
		return *g
	}
	return ""
}

// InsertID returns the AUTO_INCREMENT id of the last statement.
func (c *Conn) InsertID() uint64 { return c.insertID.Load() }

// AffectedRows returns the rows affected (or returned) by the last
// statement.
func (c *Conn) AffectedRows() uint64 { return c.affected.Load() }

// Escape renders v as an SQL literal for this connection, honouring the
// server's NO_BACKSLASH_ESCAPES mode.
func (c *Conn) Escape(v any) (string, error) {
	if err := c.interpolationSafe(); err != nil {
		return "", err
	}
	b, err := proto.AppendLiteral(nil, v, c.literalOptionsPublished())
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// interpolationSafe refuses client-side escaping on unsafe charsets.
func (c *Conn) interpolationSafe() error {
	if proto.UnsafeForInterpolation(charsetName(c.charset)) {
		return errorf("%w (%s)", ErrUnsafeCharset, c.charset)
	}
	return nil
}

// Host returns the host of the server connected to, as configured.
func (c *Conn) Host() string { return c.ep.host }

// Port returns the port of the server connected to.
func (c *Conn) Port() int { return c.ep.port }

// RemoteAddr returns the address the connection's socket reached (an IP
// address and port, or the unix socket path).
func (c *Conn) RemoteAddr() string { return c.peer.address }

// UnixSocket returns the unix socket path, if one is used.
func (c *Conn) UnixSocket() string { return c.cfg.UnixSocket }

// DB returns the current database as last set by Connect, SelectDB or
// ResetSession.
func (c *Conn) DB() string { return *c.db.Load() }

// User returns the user name.
func (c *Conn) User() string { return c.cfg.User }

// Echo reports whether statements are logged.
func (c *Conn) Echo() bool { return c.cfg.Echo }

// Charset returns the connection character set (e.g. "utf8mb4").
func (c *Conn) Charset() string { return c.charset }

// Collation returns the connection collation.
func (c *Conn) Collation() string { return c.collation }

// Encoding returns the IANA name of the encoding of text values.
func (c *Conn) Encoding() string {
	switch c.charset {
	case "utf8mb4", "utf8mb3", "utf8":
		return "utf-8"
	case "latin1":
		return "windows-1252"
	case "ascii":
		return "us-ascii"
	case "binary":
		return "binary"
	case "sjis":
		return "shift_jis"
	case "ujis":
		return "euc-jp"
	case "euckr":
		return "euc-kr"
	case "koi8r":
		return "koi8-r"
	case "koi8u":
		return "koi8-u"
	}
	return c.charset
}

// ServerVersion returns the server's version string.
func (c *Conn) ServerVersion() string { return c.serverVersion }

// ThreadID returns the server's id for this session.
func (c *Conn) ThreadID() uint32 { return c.threadID }

// Compressed reports whether the protocol is compressed (Config.Compress
// and a server that supports it).
func (c *Conn) Compressed() bool { return c.compressed }

// CachesMetadata reports whether the server skips re-sending the column
// definitions of a prepared statement's results while they are unchanged
// (MariaDB 10.6 and later; MARIADB_CLIENT_CACHE_METADATA).
func (c *Conn) CachesMetadata() bool { return c.cachesMeta }

// TLS reports whether the connection is encrypted.
func (c *Conn) TLS() bool { return c.tls }

// TLSConnectionState describes the TLS session (version, cipher suite,
// server certificates); ok is false on an unencrypted connection.
func (c *Conn) TLSConnectionState() (state tls.ConnectionState, ok bool) {
	if c.tlsState == nil {
		return tls.ConnectionState{}, false
	}
	return *c.tlsState, true
}

// Config returns the connection's configuration (with defaults applied).
func (c *Conn) Config() Config { return c.cfg }
