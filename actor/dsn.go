package actor

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrDSN reports a malformed DSN; the message never contains the password.
var ErrDSN = errors.New("amysql: invalid DSN")

// ParseDSN parses a DSN in go-sql-driver style,
//
//	[user[:password]@][tcp[(host[:port])]|unix(path)]/[db][?param=value&...]
//
// or URL style, mysql://user:password@host:port/db?param=value. Unknown
// parameters and malformed values are errors. See FormatDSN for the
// parameter names.
func ParseDSN(dsn string) (Config, error) {
	if strings.HasPrefix(dsn, "mysql://") || strings.HasPrefix(dsn, "mariadb://") {
		return parseURLDSN(dsn)
	}
	var cfg Config
	head, tail, err := splitDSN(dsn)
	if err != nil {
		return cfg, err
	}
	if at := strings.LastIndex(head, "@"); at >= 0 {
		cred := head[:at]
		head = head[at+1:]
		if colon := strings.IndexByte(cred, ':'); colon >= 0 {
			cfg.User, cfg.Password = cred[:colon], cred[colon+1:]
		} else {
			cfg.User = cred
		}
	}
	if head != "" {
		open := strings.IndexByte(head, '(')
		network, addr := head, ""
		if open >= 0 {
			if !strings.HasSuffix(head, ")") {
				return cfg, fmt.Errorf("%w: unclosed '(' in address", ErrDSN)
			}
			network, addr = head[:open], head[open+1:len(head)-1]
		}
		switch network {
		case "tcp", "":
			if addr != "" {
				if err := setHostPort(&cfg, addr); err != nil {
					return cfg, err
				}
			}
		case "unix":
			if addr == "" {
				return cfg, fmt.Errorf("%w: unix() needs a socket path", ErrDSN)
			}
			cfg.UnixSocket = addr
		default:
			return cfg, fmt.Errorf("%w: unknown network %q", ErrDSN, network)
		}
	}
	db, query, _ := strings.Cut(tail, "?")
	if strings.Contains(db, "/") {
		return cfg, fmt.Errorf("%w: database name contains '/'", ErrDSN)
	}
	if cfg.DB, err = url.PathUnescape(db); err != nil {
		return cfg, fmt.Errorf("%w: database name: %v", ErrDSN, err)
	}
	if err := applyParams(&cfg, query); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// splitDSN splits a go-sql-driver style DSN into the part before the
// database name (credentials and address) and the rest (db?params). The
// password may contain '@', '/' and '?', and parameter values may contain
// '/', so the split is at the '/' that follows the address.
func splitDSN(dsn string) (head, tail string, err error) {
	// An address in parentheses: the database follows its ')'.
	for _, marker := range []string{"@tcp(", "@unix(", "@("} {
		if i := strings.LastIndex(dsn, marker); i >= 0 {
			return afterAddress(dsn, i+len(marker))
		}
	}
	for _, prefix := range []string{"tcp(", "unix(", "("} {
		if strings.HasPrefix(dsn, prefix) {
			return afterAddress(dsn, len(prefix))
		}
	}
	// No address: "user:pass@/db" or "/db".
	if i := strings.LastIndex(dsn, "@/"); i >= 0 {
		return dsn[:i+1], dsn[i+2:], nil
	}
	if strings.HasPrefix(dsn, "/") {
		return "", dsn[1:], nil
	}
	return "", "", fmt.Errorf("%w: missing '/' before the database name", ErrDSN)
}

func afterAddress(dsn string, open int) (string, string, error) {
	end := strings.IndexByte(dsn[open:], ')')
	if end < 0 {
		return "", "", fmt.Errorf("%w: unclosed '(' in address", ErrDSN)
	}
	end += open + 1
	if end >= len(dsn) || dsn[end] != '/' {
		return "", "", fmt.Errorf("%w: missing '/' after the address", ErrDSN)
	}
	return dsn[:end], dsn[end+1:], nil
}

func parseURLDSN(dsn string) (Config, error) {
	var cfg Config
	u, err := url.Parse(dsn)
	if err != nil {
		// url errors quote the input, which holds the password.
		return cfg, fmt.Errorf("%w: not a valid URL", ErrDSN)
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	if h := u.Host; h != "" {
		if err := setHostPort(&cfg, h); err != nil {
			return cfg, err
		}
	}
	cfg.DB = strings.TrimPrefix(u.Path, "/")
	if strings.Contains(cfg.DB, "/") {
		return cfg, fmt.Errorf("%w: database name contains '/'", ErrDSN)
	}
	if err := applyParams(&cfg, u.RawQuery); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func setHostPort(cfg *Config, addr string) error {
	host, port := addr, ""
	if strings.HasPrefix(addr, "[") {
		end := strings.IndexByte(addr, ']')
		if end < 0 {
			return fmt.Errorf("%w: unclosed '[' in host", ErrDSN)
		}
		host, port = addr[1:end], strings.TrimPrefix(addr[end+1:], ":")
	} else if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		host, port = addr[:i], addr[i+1:]
	}
	cfg.Host = host
	if port != "" {
		p, err := strconv.Atoi(port)
		if err != nil || p <= 0 || p > 65535 {
			return fmt.Errorf("%w: bad port %q", ErrDSN, port)
		}
		cfg.Port = p
	}
	return nil
}

// param describes one DSN parameter: how to set it and how to print it.
type param struct {
	set func(*Config, string) error
	get func(*Config) (string, bool)
}

func strParam(f func(*Config) *string) param {
	return param{
		set: func(c *Config, v string) error { *f(c) = v; return nil },
		get: func(c *Config) (string, bool) { v := *f(c); return v, v != "" },
	}
}

func boolParam(f func(*Config) *bool) param {
	return param{
		set: func(c *Config, v string) error {
			b, err := parseBool(v)
			*f(c) = b
			return err
		},
		get: func(c *Config) (string, bool) { v := *f(c); return "true", v },
	}
}

func durParam(f func(*Config) *time.Duration) param { return durParamUpTo(f, 0) }

// durParamUpTo is a non-negative duration of at most max (0: no limit).
func durParamUpTo(f func(*Config) *time.Duration, max time.Duration) param {
	return param{
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			switch {
			case max > 0 && (err != nil || d < 0 || d > max):
				return fmt.Errorf("bad duration %q (want 0 to %v)", v, max)
			case err != nil || d < 0:
				return fmt.Errorf("bad duration %q", v)
			}
			*f(c) = d
			return nil
		},
		get: func(c *Config) (string, bool) { v := *f(c); return v.String(), v != 0 },
	}
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("bad boolean %q", v)
}

// params maps canonical DSN parameter names to Config fields.
var params = map[string]param{
	"charset":                    strParam(func(c *Config) *string { return &c.Charset }),
	"collation":                  strParam(func(c *Config) *string { return &c.Collation }),
	"sql_mode":                   strParam(func(c *Config) *string { return &c.SQLMode }),
	"init_command":               strParam(func(c *Config) *string { return &c.InitCommand }),
	"auth_plugin":                strParam(func(c *Config) *string { return &c.AuthPlugin }),
	"program_name":               strParam(func(c *Config) *string { return &c.ProgramName }),
	"read_default_file":          strParam(func(c *Config) *string { return &c.ReadDefaultFile }),
	"read_default_group":         strParam(func(c *Config) *string { return &c.ReadDefaultGroup }),
	"ssl_ca":                     strParam(func(c *Config) *string { return &c.SSLCA }),
	"ssl_cert":                   strParam(func(c *Config) *string { return &c.SSLCert }),
	"ssl_key":                    strParam(func(c *Config) *string { return &c.SSLKey }),
	"connect_timeout":            durParam(func(c *Config) *time.Duration { return &c.ConnectTimeout }),
	"read_timeout":               durParam(func(c *Config) *time.Duration { return &c.ReadTimeout }),
	"write_timeout":              durParam(func(c *Config) *time.Duration { return &c.WriteTimeout }),
	"cancel_timeout":             durParam(func(c *Config) *time.Duration { return &c.CancelTimeout }),
	"spin_wait":                  durParamUpTo(func(c *Config) *time.Duration { return &c.SpinWait }, MaxSpinWait),
	"echo":                       boolParam(func(c *Config) *bool { return &c.Echo }),
	"local_infile":               boolParam(func(c *Config) *bool { return &c.LocalInfile }),
	"multi_statements":           boolParam(func(c *Config) *bool { return &c.MultiStatements }),
	"compress":                   boolParam(func(c *Config) *bool { return &c.Compress }),
	"allow_cleartext_passwords":  boolParam(func(c *Config) *bool { return &c.AllowCleartextPasswords }),
	"allow_public_key_retrieval": boolParam(func(c *Config) *bool { return &c.AllowPublicKeyRetrieval }),
	"autocommit": {
		set: func(c *Config, v string) error {
			b, err := parseBool(v)
			c.Autocommit = &b
			return err
		},
		get: func(c *Config) (string, bool) {
			if c.Autocommit == nil {
				return "", false
			}
			return strconv.FormatBool(*c.Autocommit), true
		},
	},
	"ssl_mode": {
		set: func(c *Config, v string) error {
			m := SSLMode(strings.ToLower(strings.ReplaceAll(v, "_", "-")))
			switch m {
			case SSLDisabled, SSLPreferred, SSLRequired, SSLVerifyCA, SSLVerifyIdentity:
				c.SSLMode = m
				return nil
			}
			return fmt.Errorf("bad ssl_mode %q", v)
		},
		get: func(c *Config) (string, bool) { return string(c.SSLMode), c.SSLMode != "" },
	},
	"max_allowed_packet": {
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1<<30 {
				return fmt.Errorf("bad max_allowed_packet %q", v)
			}
			c.MaxAllowedPacket = n
			return nil
		},
		get: func(c *Config) (string, bool) { return strconv.Itoa(c.MaxAllowedPacket), c.MaxAllowedPacket != 0 },
	},
	"server_public_key_file": strParam(func(c *Config) *string { return &c.ServerPublicKeyFile }),
	"stmt_cache_size": {
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("bad stmt_cache_size %q", v)
			}
			c.StmtCacheSize = n
			return nil
		},
		get: func(c *Config) (string, bool) { return strconv.Itoa(c.StmtCacheSize), c.StmtCacheSize != 0 },
	},
	"local_infile_paths": {
		set: func(c *Config, v string) error {
			c.LocalInfilePaths = nil
			for _, p := range strings.Split(v, ",") {
				if p != "" {
					c.LocalInfilePaths = append(c.LocalInfilePaths, p)
				}
			}
			return nil
		},
		get: func(c *Config) (string, bool) {
			return strings.Join(c.LocalInfilePaths, ","), len(c.LocalInfilePaths) > 0
		},
	},
	"connect_attrs": {
		set: func(c *Config, v string) error {
			c.ConnectAttrs = map[string]string{}
			for _, kv := range strings.Split(v, ",") {
				k, val, ok := strings.Cut(kv, ":")
				if !ok || k == "" {
					return fmt.Errorf("bad connect_attrs entry %q (want key:value)", kv)
				}
				c.ConnectAttrs[k] = val
			}
			return nil
		},
		get: func(c *Config) (string, bool) {
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
		},
	},
	"client_flag": {
		set: func(c *Config, v string) error {
			n, err := strconv.ParseUint(v, 0, 32)
			if err != nil {
				return fmt.Errorf("bad client_flag %q", v)
			}
			c.ClientFlag = uint32(n)
			return nil
		},
		get: func(c *Config) (string, bool) { return strconv.FormatUint(uint64(c.ClientFlag), 10), c.ClientFlag != 0 },
	},
	"cursor_class": {
		set: func(c *Config, v string) error {
			for k := TupleCursor; k <= SSDictCursor; k++ {
				if strings.EqualFold(k.String(), v) {
					c.CursorClass = k
					return nil
				}
			}
			return fmt.Errorf("bad cursor_class %q", v)
		},
		get: func(c *Config) (string, bool) { return c.CursorClass.String(), c.CursorClass != TupleCursor },
	},
	"loc": {
		set: func(c *Config, v string) error {
			loc, err := time.LoadLocation(v)
			if err != nil {
				return fmt.Errorf("bad loc %q", v)
			}
			c.Loc = loc
			return nil
		},
		get: func(c *Config) (string, bool) {
			if c.Loc == nil || c.Loc == time.UTC {
				return "", false
			}
			return c.Loc.String(), true
		},
	},
}

// aliases maps go-sql-driver style names to canonical ones.
var aliases = map[string]string{
	"timeout":                 "connect_timeout",
	"readTimeout":             "read_timeout",
	"writeTimeout":            "write_timeout",
	"multiStatements":         "multi_statements",
	"serverPubKey":            "server_public_key_file",
	"connectionAttributes":    "connect_attrs",
	"maxAllowedPacket":        "max_allowed_packet",
	"allowCleartextPasswords": "allow_cleartext_passwords",
	"sqlMode":                 "sql_mode",
	"sslMode":                 "ssl_mode",
	"ssl-mode":                "ssl_mode",
	"ssl-ca":                  "ssl_ca",
	"ssl-cert":                "ssl_cert",
	"ssl-key":                 "ssl_key",
}

func applyParams(cfg *Config, query string) error {
	if query == "" {
		return nil
	}
	for _, kv := range strings.Split(query, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return fmt.Errorf("%w: parameter name %q", ErrDSN, k)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return fmt.Errorf("%w: value of %s", ErrDSN, key)
		}
		name := key
		if a, ok := aliases[key]; ok {
			name = a
		}
		p, ok := params[name]
		if !ok {
			return fmt.Errorf("%w: unknown parameter %q", ErrDSN, key)
		}
		if err := p.set(cfg, val); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrDSN, key, err)
		}
	}
	return nil
}

// FormatDSN returns the go-sql-driver style DSN of c; ParseDSN of the
// result gives back the same settings (fields without a DSN form, such as
// TLS, Logger and Converters, are not included). Parameter names:
// charset, collation, sql_mode, init_command, auth_plugin, program_name,
// read_default_file, read_default_group, ssl_ca, ssl_cert, ssl_key, connect_timeout, read_timeout,
// write_timeout, cancel_timeout, spin_wait, echo, local_infile, multi_statements,
// compress, allow_cleartext_passwords, allow_public_key_retrieval,
// server_public_key_file, stmt_cache_size, local_infile_paths,
// connect_attrs (key:value,...), autocommit, ssl_mode, max_allowed_packet,
// client_flag, cursor_class, loc.
func (c Config) FormatDSN() string {
	var b strings.Builder
	if c.User != "" || c.Password != "" {
		b.WriteString(c.User)
		if c.Password != "" {
			b.WriteByte(':')
			b.WriteString(c.Password)
		}
		b.WriteByte('@')
	}
	switch {
	case c.UnixSocket != "":
		b.WriteString("unix(" + c.UnixSocket + ")")
	case c.Host != "" || c.Port != 0:
		host, port := c.Host, c.Port
		if host == "" {
			host = "127.0.0.1"
		}
		if port == 0 {
			port = 3306
		}
		b.WriteString("tcp(" + hostPort(host, port) + ")")
	}
	b.WriteByte('/')
	b.WriteString(url.PathEscape(c.DB))
	names := make([]string, 0, len(params))
	for n := range params {
		names = append(names, n)
	}
	sort.Strings(names)
	sep := byte('?')
	for _, n := range names {
		if v, ok := params[n].get(&c); ok {
			b.WriteByte(sep)
			sep = '&'
			b.WriteString(n + "=" + url.QueryEscape(v))
		}
	}
	return b.String()
}
