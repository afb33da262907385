package actor

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/amysql/amysql/proto"
)

// SSLMode selects whether and how TLS is used, as MySQL's --ssl-mode.
type SSLMode string

// SSL modes. The zero value means SSLPreferred when TLS is configured and
// SSLDisabled otherwise.
const (
	SSLDisabled       SSLMode = "disabled"
	SSLPreferred      SSLMode = "preferred"
	SSLRequired       SSLMode = "required"
	SSLVerifyCA       SSLMode = "verify-ca"
	SSLVerifyIdentity SSLMode = "verify-identity"
)

// Converter decodes a non-NULL text-protocol value of a column; it
// overrides the default Go type for that column type.
type Converter func(col *Column, raw []byte) (any, error)

// Config holds everything needed to open a connection. Its fields mirror
// the parameters of aiomysql's connect().
type Config struct {
	Host string // default "127.0.0.1"
	Port int    // default 3306
	// Hosts lists servers as "host:port" to connect to instead of Host and
	// Port (DSN tcp(h1:3306,h2:3306)), tried in HostOrder until one answers
	// with the Target role; each attempt gets ConnectTimeout of its own.
	Hosts []string
	// HostOrder is the order Hosts are tried in (default as listed).
	HostOrder HostOrder
	// Target is the role the server must have (default TargetAny); the
	// check costs one round trip at connect.
	Target Target
	// DenyList, when set, is shared by connections that try hosts that
	// failed last, for DenyPeriod (default DefaultDenyPeriod); pool.New
	// gives each pool one.
	DenyList   *DenyList
	DenyPeriod time.Duration
	// Pipeline says whether SendBatch pipelines (default PipelineAuto:
	// where the connection allows it; PipelineOff: one statement per
	// round trip, for middleboxes that break pipelining clients, such as
	// ProxySQL or Aurora MySQL 2).
	Pipeline PipelineMode
	// TrackGTIDs asks the server to report the GTID of each write in its
	// OK packet (session tracking), read with Conn.LastGTID.
	TrackGTIDs bool
	User       string
	Password   string
	DB         string
	UnixSocket string // when set, Host and Port are not used

	// Charset is the connection character set (default utf8mb4); Collation
	// picks one of its collations (default: the server's default collation
	// when it belongs to Charset, else Charset's default).
	Charset   string
	Collation string
	// SQLMode, when set, is applied with SET sql_mode after connecting.
	SQLMode string
	// TimeZone, when set, is applied with SET time_zone after connecting
	// (e.g. "+00:00" or "Europe/Paris"); Loc is the client side of it.
	TimeZone string

	// ReadDefaultFile names a my.cnf-style option file and
	// ReadDefaultGroup its group (default "client"). The keys user,
	// password, host, port, socket, database, default-character-set,
	// ssl-ca, ssl-cert, ssl-key, ssl-mode and skip-ssl fill the fields left
	// empty here: explicit values win over the file.
	ReadDefaultFile  string
	ReadDefaultGroup string

	// Converters overrides the decoding of column types (aiomysql's conv).
	Converters map[proto.FieldType]Converter
	// ClientFlag is ORed into the capability flags sent to the server.
	ClientFlag uint32
	// StmtCacheSize is how many server-side prepared statements a
	// connection keeps for cursors with Binary set, least recently used
	// first out (default 64).
	StmtCacheSize int
	// CursorClass is the kind of cursor Conn.Cursor returns without an
	// explicit kind.
	CursorClass CursorKind
	// InitCommand is run once after connecting (and after ResetSession).
	InitCommand string
	// ConnectTimeout bounds dial, TLS, handshake, auth and init together
	// (default 10s); the ctx given to Connect can shorten it.
	ConnectTimeout time.Duration
	// Autocommit sets the session's autocommit mode; nil keeps the server
	// default.
	Autocommit *bool
	// Echo logs every statement (with its duration) at Info level.
	Echo bool
	// Logger receives the connection's log records (default slog.Default()
	// when Echo is set, else nothing is logged).
	Logger *slog.Logger

	// TLS is the TLS configuration; SSLMode says whether it is required
	// and how the server certificate is verified.
	TLS     *tls.Config
	SSLMode SSLMode
	// SSLCA, SSLCert and SSLKey name PEM files: the CA that signs the
	// server certificate, and a client certificate and its key. They add
	// to TLS (or make one) and imply SSLRequired, or SSLVerifyCA with SSLCA.
	SSLCA   string
	SSLCert string
	SSLKey  string

	// AuthPlugin forces the authentication plugin of the first response.
	AuthPlugin string
	// DenyNativePasswords refuses the mysql_native_password plugin
	// (go-sql-driver's allowNativePasswords=false).
	DenyNativePasswords bool
	// AllowCleartextPasswords permits mysql_clear_password on a
	// connection that is neither TLS nor a unix socket.
	AllowCleartextPasswords bool
	// ServerPublicKey is the PEM RSA key used for sha256_password and
	// caching_sha2_password full authentication without TLS.
	ServerPublicKey []byte
	// ServerPublicKeyFile names a PEM file read into ServerPublicKey at
	// connect time when ServerPublicKey is empty.
	ServerPublicKeyFile string
	// AllowPublicKeyRetrieval lets the client ask the server for its RSA
	// key when ServerPublicKey is not set. The key arrives unauthenticated,
	// so prefer TLS or a pinned ServerPublicKey.
	AllowPublicKeyRetrieval bool
	// ProgramName is sent as the program_name connect attribute.
	ProgramName string
	// ConnectAttrs are extra connect attributes.
	ConnectAttrs map[string]string

	// LocalInfile enables LOAD DATA LOCAL INFILE. Even then the server may
	// only read files listed in LocalInfilePaths (a path ending in "/"
	// allows the files below that directory) or readers named in
	// LocalInfileReaders (requested as 'Reader::<name>'); any other request
	// is refused with ErrLocalInfileDenied and the connection stays usable.
	LocalInfile        bool
	LocalInfilePaths   []string
	LocalInfileReaders map[string]func() (io.Reader, error)
	// MultiStatements lets one Execute run several ;-separated statements.
	MultiStatements bool
	// RejectReadOnly closes the connection when the server refuses a
	// statement because it is read-only (errors 1290, 1792, 1836), so a
	// pool replaces it after a failover instead of reusing it.
	RejectReadOnly bool

	// MaxBufferedBytes bounds the row data a buffered cursor holds for one
	// result set (default 1 GiB); a larger result fails with
	// ErrResultTooLarge and closes the connection. Unbuffered cursors
	// stream in bounded batches and are not limited.
	MaxBufferedBytes int
	// MaxAllowedPacket caps the size of a packet payload sent or received
	// (default 64 MiB); larger payloads fail with ErrPacketTooLarge.
	MaxAllowedPacket int
	// Compress asks for zlib protocol compression (CLIENT_COMPRESS); a
	// server without it is used uncompressed (see Conn.Compressed).
	Compress bool
	// Loc is the time zone of DATE, DATETIME and TIMESTAMP values, both
	// decoded and interpolated (default UTC).
	Loc *time.Location

	// ReadTimeout and WriteTimeout bound each socket read and write; zero
	// means no limit beyond the caller's ctx.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// Observer, when set, is told about every command the connection
	// runs (for metrics); it is called by whichever goroutine ran the
	// command (the caller's or the connection's own) and must not block.
	Observer Observer

	// SpinWait lets a read that finds no answer yet poll the socket for
	// up to this long before it sleeps (Linux; default 0: never, at most
	// MaxSpinWait). It lowers latency where waking a sleeping thread is
	// slow, notably on virtual machines with idle CPUs, at the price of
	// up to SpinWait of CPU per wait. A read spins only while no other
	// read of its SpinGroup waits, and a connection stops spinning for a
	// while after spins that caught nothing, so concurrent commands and
	// answers slower than SpinWait cost little. Cancellation and timeouts
	// may take effect up to SpinWait late.
	SpinWait time.Duration
	// SpinGroup is shared by connections whose spins exclude each other
	// (nil: each connection is a group of its own; pool.New sets one per
	// pool).
	SpinGroup *SpinGroup

	// CancelTimeout bounds how long the connection may take to
	// resynchronise after a caller's ctx ended (default 2s); after that
	// the connection is closed.
	CancelTimeout time.Duration
}

const (
	defaultHost             = "127.0.0.1"
	defaultPort             = 3306
	defaultConnectTimeout   = 10 * time.Second
	defaultCancelTimeout    = 2 * time.Second
	defaultMaxAllowedPacket = 64 << 20
)

// withDefaults returns a copy of c with defaults filled in.
func (c Config) withDefaults() Config {
	if c.Host == "" {
		c.Host = defaultHost
	}
	if c.Port == 0 {
		c.Port = defaultPort
	}
	if c.Charset == "" {
		c.Charset = "utf8mb4"
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = defaultConnectTimeout
	}
	if c.StmtCacheSize <= 0 {
		c.StmtCacheSize = 64
	}
	if c.CancelTimeout == 0 {
		c.CancelTimeout = defaultCancelTimeout
	}
	if c.MaxBufferedBytes <= 0 {
		c.MaxBufferedBytes = 1 << 30
	}
	if c.MaxAllowedPacket == 0 {
		c.MaxAllowedPacket = defaultMaxAllowedPacket
	}
	if c.Loc == nil {
		c.Loc = time.UTC
	}
	if c.ReadDefaultGroup == "" {
		c.ReadDefaultGroup = "client"
	}
	return c
}

// addr returns the network and address to dial.
func (c *Config) addr() (network, address string) {
	if c.UnixSocket != "" {
		return "unix", c.UnixSocket
	}
	return "tcp", hostPort(c.Host, c.Port)
}

// endpoint is one server a connection can be opened to.
type endpoint struct {
	network, address string // what is dialled
	host             string // the configured name: the TLS server name
	port             int
}

// endpoint returns the configured server.
func (c *Config) endpoint() endpoint {
	network, address := c.addr()
	return endpoint{network: network, address: address, host: c.Host, port: c.Port}
}

func hostPort(host string, port int) string {
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port)
}

// String describes the configuration without its password.
func (c Config) String() string {
	network, address := c.addr()
	if network == "tcp" && len(c.Hosts) > 0 {
		address = strings.Join(c.Hosts, ",")
	}
	pw := ""
	if c.Password != "" {
		pw = ":***"
	}
	return fmt.Sprintf("%s%s@%s(%s)/%s", c.User, pw, network, address, c.DB)
}

// GoString is String, so %#v does not print the password either.
func (c Config) GoString() string { return "actor.Config(" + c.String() + ")" }
