package actor

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/amysql/amysql/proto"
)

// A Param is one DSN parameter: its canonical name, the other spellings
// it is accepted under, and how its value is set and printed. The
// connection's parameters are built in; the layers above it (the pool,
// the database/sql driver) pass theirs to ParseDSNWith and FormatDSNWith,
// so one grammar and one value syntax serve every DSN.
type Param struct {
	name    string
	aliases []string
	set     func(value string) error
	get     func() (value string, ok bool)
}

// Name returns the parameter's canonical name.
func (p Param) Name() string { return p.name }

// NewParam returns a parameter whose value set parses and stores, and
// get prints (ok false: the setting has its default and is left out of
// a formatted DSN). A nil get makes the parameter parse-only.
func NewParam(name string, set func(value string) error, get func() (value string, ok bool), aliases ...string) Param {
	if get == nil {
		get = func() (string, bool) { return "", false }
	}
	return Param{name: name, aliases: aliases, set: set, get: get}
}

// StringParam is a string parameter stored in *p.
func StringParam(name string, p *string, aliases ...string) Param {
	return NewParam(name,
		func(v string) error { *p = v; return nil },
		func() (string, bool) { return *p, *p != "" },
		aliases...)
}

// BoolParam is a boolean parameter stored in *p (see ParseBool).
func BoolParam(name string, p *bool, aliases ...string) Param {
	return NewParam(name,
		func(v string) error {
			b, err := ParseBool(v)
			*p = b
			return err
		},
		func() (string, bool) { return "true", *p },
		aliases...)
}

// IntParam is an integer parameter stored in *p, refused outside
// [min, max].
func IntParam(name string, p *int, min, max int, aliases ...string) Param {
	return NewParam(name,
		func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < min || n > max {
				return fmt.Errorf("bad integer %q (want %d to %d)", v, min, max)
			}
			*p = n
			return nil
		},
		func() (string, bool) { return strconv.Itoa(*p), *p != 0 },
		aliases...)
}

// DurationParam is a non-negative duration stored in *p (see
// ParseDuration).
func DurationParam(name string, p *time.Duration, aliases ...string) Param {
	return DurationRangeParam(name, p, 0, math.MaxInt64, aliases...)
}

// DurationRangeParam is a duration stored in *p, refused outside
// [min, max].
func DurationRangeParam(name string, p *time.Duration, min, max time.Duration, aliases ...string) Param {
	return NewParam(name,
		func(v string) error {
			d, err := ParseDuration(v)
			if err != nil {
				return err
			}
			if d < min || d > max {
				if min == 0 {
					return fmt.Errorf("duration %q out of range (want 0 to %v)", v, max)
				}
				return fmt.Errorf("duration %q out of range", v)
			}
			*p = d
			return nil
		},
		func() (string, bool) { return p.String(), *p != 0 },
		aliases...)
}

// ParseBool reads a DSN boolean: 1, true, yes, on (any case) or 0, false,
// no, off.
func ParseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "t", "true", "yes", "on":
		return true, nil
	case "0", "f", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("bad boolean %q (want true or false)", v)
}

// ParseDuration reads a DSN duration: Go syntax ("1.5s", "250ms") or a
// plain number of seconds ("30", as aiomysql's timeouts).
func ParseDuration(v string) (time.Duration, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return d, nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || math.Abs(secs) > math.MaxInt64/float64(time.Second) {
		return 0, fmt.Errorf("bad duration %q (want e.g. 30s, 250ms or a number of seconds)", v)
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// params returns the connection's parameters, bound to c.
func (c *Config) params() []Param {
	return []Param{
		NewParam("charset", c.setCharset, func() (string, bool) { return c.Charset, c.Charset != "" }),
		StringParam("collation", &c.Collation),
		StringParam("sql_mode", &c.SQLMode, "sqlMode"),
		NewParam("time_zone", func(v string) error { c.TimeZone = unquote(v); return nil },
			func() (string, bool) { return c.TimeZone, c.TimeZone != "" }),
		StringParam("init_command", &c.InitCommand),
		StringParam("auth_plugin", &c.AuthPlugin),
		StringParam("program_name", &c.ProgramName),
		StringParam("read_default_file", &c.ReadDefaultFile),
		StringParam("read_default_group", &c.ReadDefaultGroup),
		StringParam("ssl_ca", &c.SSLCA, "ssl-ca"),
		StringParam("ssl_cert", &c.SSLCert, "ssl-cert"),
		StringParam("ssl_key", &c.SSLKey, "ssl-key"),
		StringParam("server_public_key_file", &c.ServerPublicKeyFile, "serverPubKey"),
		NewParam("unix_socket", func(v string) error { c.UnixSocket = v; return nil }, nil, "socket"),
		DurationParam("connect_timeout", &c.ConnectTimeout, "timeout"),
		DurationParam("read_timeout", &c.ReadTimeout, "readTimeout"),
		DurationParam("write_timeout", &c.WriteTimeout, "writeTimeout"),
		DurationParam("cancel_timeout", &c.CancelTimeout),
		DurationRangeParam("spin_wait", &c.SpinWait, 0, MaxSpinWait),
		BoolParam("echo", &c.Echo),
		BoolParam("local_infile", &c.LocalInfile),
		BoolParam("multi_statements", &c.MultiStatements, "multiStatements"),
		BoolParam("compress", &c.Compress),
		BoolParam("allow_cleartext_passwords", &c.AllowCleartextPasswords, "allowCleartextPasswords"),
		BoolParam("allow_public_key_retrieval", &c.AllowPublicKeyRetrieval, "allowPublicKeyRetrieval"),
		BoolParam("reject_read_only", &c.RejectReadOnly, "rejectReadOnly"),
		BoolParam("track_gtids", &c.TrackGTIDs),
		NewParam("pipeline",
			func(v string) error {
				b, err := ParseBool(v)
				c.Pipeline = PipelineAuto
				if !b {
					c.Pipeline = PipelineOff
				}
				return err
			},
			func() (string, bool) { return "false", c.Pipeline == PipelineOff }),
		DurationParam("deny_period", &c.DenyPeriod),
		NewParam("target",
			func(v string) error {
				t, err := ParseTarget(v)
				c.Target = t
				return err
			},
			func() (string, bool) { return c.Target.String(), c.Target != TargetAny }),
		NewParam("host_order",
			func(v string) error {
				switch strings.ToLower(v) {
				case "sequential":
					c.HostOrder = HostsInOrder
				case "random":
					c.HostOrder = HostsRandom
				default:
					return fmt.Errorf("bad host_order %q (want sequential or random)", v)
				}
				return nil
			},
			func() (string, bool) { return c.HostOrder.String(), c.HostOrder != HostsInOrder }),
		NewParam("allow_native_passwords",
			func(v string) error {
				b, err := ParseBool(v)
				c.DenyNativePasswords = !b
				return err
			},
			func() (string, bool) { return "false", c.DenyNativePasswords },
			"allowNativePasswords"),
		NewParam("found_rows",
			func(v string) error {
				b, err := ParseBool(v)
				c.ClientFlag &^= proto.ClientFoundRows
				if b {
					c.ClientFlag |= proto.ClientFoundRows
				}
				return err
			},
			func() (string, bool) { return "true", c.ClientFlag&proto.ClientFoundRows != 0 },
			"clientFoundRows"),
		NewParam("client_flag",
			func(v string) error {
				n, err := strconv.ParseUint(v, 0, 32)
				if err != nil {
					return fmt.Errorf("bad client_flag %q", v)
				}
				c.ClientFlag |= uint32(n)
				return nil
			},
			func() (string, bool) {
				f := c.ClientFlag &^ proto.ClientFoundRows // found_rows prints that one
				return strconv.FormatUint(uint64(f), 10), f != 0
			}),
		NewParam("autocommit",
			func(v string) error {
				b, err := ParseBool(v)
				c.Autocommit = &b
				return err
			},
			func() (string, bool) {
				if c.Autocommit == nil {
					return "", false
				}
				return strconv.FormatBool(*c.Autocommit), true
			}),
		NewParam("ssl_mode", c.setSSLMode, func() (string, bool) { return string(c.SSLMode), c.SSLMode != "" },
			"sslMode", "ssl-mode", "tls"),
		IntParam("max_allowed_packet", &c.MaxAllowedPacket, 0, 1<<30, "maxAllowedPacket"),
		IntParam("stmt_cache_size", &c.StmtCacheSize, 0, 1<<20),
		NewParam("local_infile_paths",
			func(v string) error {
				c.LocalInfilePaths = nil
				for _, p := range strings.Split(v, ",") {
					if p != "" {
						c.LocalInfilePaths = append(c.LocalInfilePaths, p)
					}
				}
				return nil
			},
			func() (string, bool) { return strings.Join(c.LocalInfilePaths, ","), len(c.LocalInfilePaths) > 0 }),
		NewParam("allowAllFiles",
			func(v string) error {
				b, err := ParseBool(v)
				if b {
					c.LocalInfile, c.LocalInfilePaths = true, []string{"/"}
				}
				return err
			}, nil),
		NewParam("connect_attrs", c.setConnectAttrs, c.connectAttrsDSN, "connectionAttributes"),
		NewParam("cursor_class",
			func(v string) error {
				for k := TupleCursor; k <= SSDictCursor; k++ {
					if strings.EqualFold(k.String(), v) {
						c.CursorClass = k
						return nil
					}
				}
				return fmt.Errorf("bad cursor_class %q (want TupleCursor, DictCursor, SSCursor or SSDictCursor)", v)
			},
			func() (string, bool) { return c.CursorClass.String(), c.CursorClass != TupleCursor }),
		NewParam("loc",
			func(v string) error {
				loc, err := time.LoadLocation(v)
				if err != nil {
					return fmt.Errorf("bad loc %q (want an IANA zone such as Europe/Paris, UTC or Local)", v)
				}
				c.Loc = loc
				return nil
			},
			func() (string, bool) {
				if c.Loc == nil || c.Loc == time.UTC {
					return "", false
				}
				return c.Loc.String(), true
			}),
		// go-sql-driver parameters amysql has no use for, or refuses.
		noOp("checkConnLiveness"), // a pooled connection's socket is always checked
		NewParam("allowOldPasswords", refuseTrue("pre-4.1 password hashing is not supported"), nil),
		NewParam("allowFallbackToPlaintext", refuseTrue("use ssl_mode=preferred (TLS when offered, without verification)"), nil),
		NewParam("timeTruncate", refuse("truncate time.Time arguments before passing them"), nil),
		NewParam("strict", refuse("go-sql-driver removed it too"), nil),
	}
}

// noOp accepts a boolean parameter that changes nothing here.
func noOp(name string) Param {
	return NewParam(name, func(v string) error { _, err := ParseBool(v); return err }, nil)
}

func refuseTrue(why string) func(string) error {
	return func(v string) error {
		b, err := ParseBool(v)
		if err == nil && b {
			return errors.New("not supported: " + why)
		}
		return err
	}
}

func refuse(why string) func(string) error {
	return func(string) error { return errors.New("not supported: " + why) }
}

// setCharset takes a charset name, or go-sql-driver's comma list of
// names to try in order: the first one this client knows is used.
func (c *Config) setCharset(v string) error {
	names := strings.Split(v, ",")
	for _, n := range names {
		if _, ok := proto.DefaultCollation(charsetName(n)); ok {
			c.Charset = n
			return nil
		}
	}
	if len(names) > 1 {
		return fmt.Errorf("none of the charsets %q is known", v)
	}
	c.Charset = v
	return nil
}

// setSSLMode takes an SSL mode, or go-sql-driver's tls values: true
// (verify the certificate and host), skip-verify (encrypt only),
// preferred, false.
func (c *Config) setSSLMode(v string) error {
	m := SSLMode(strings.ToLower(strings.ReplaceAll(v, "_", "-")))
	switch m {
	case SSLDisabled, SSLPreferred, SSLRequired, SSLVerifyCA, SSLVerifyIdentity:
		c.SSLMode = m
		return nil
	}
	switch strings.ToLower(v) {
	case "true":
		c.SSLMode = SSLVerifyIdentity
	case "skip-verify":
		c.SSLMode = SSLRequired
	case "false":
		c.SSLMode = SSLDisabled
	default:
		return fmt.Errorf("bad TLS mode %q: want disabled, preferred, required, verify-ca or verify-identity "+
			"(go-sql-driver's true, skip-verify, false); a TLS config registered by name has no equivalent, "+
			"set Config.TLS instead", v)
	}
	return nil
}

func (c *Config) setConnectAttrs(v string) error {
	c.ConnectAttrs = map[string]string{}
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(kv, ":")
		if !ok || k == "" {
			return fmt.Errorf("bad connect_attrs entry %q (want key:value)", kv)
		}
		c.ConnectAttrs[k] = val
	}
	return nil
}

func (c *Config) connectAttrsDSN() (string, bool) {
	keys := make([]string, 0, len(c.ConnectAttrs))
	for k := range c.ConnectAttrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ":" + c.ConnectAttrs[k]
	}
	return strings.Join(parts, ","), len(keys) > 0
}

// unquote strips one pair of SQL quotes, as go-sql-driver users write
// session variables (time_zone=%27%2B00:00%27).
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}
