package actor

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// ErrDSN reports a malformed DSN; the message never contains the password.
var ErrDSN = errors.New("amysql: invalid DSN")

func dsnError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrDSN}, args...)...)
}

// ParseDSN parses a DSN in go-sql-driver style,
//
//	[user[:password]@][tcp(host[:port][,host[:port]...])|unix(path)]/[db][?param=value&...]
//
// or URL style, mysql://user:password@host:port[,host:port...]/db?param=value
// (also mariadb://). In the first form the password is taken as written
// and may contain any character; in the URL form user and password are
// percent-encoded. Parameter values are percent-decoded. Unknown
// parameters, repeated ones and empty values are errors. See
// docs/configuration.md for the parameters.
func ParseDSN(dsn string) (Config, error) { return ParseDSNWith(dsn) }

// ParseDSNWith is ParseDSN that also accepts the parameters in extra,
// setting them through their Params: the pool and the database/sql driver
// parse their DSNs with it.
func ParseDSNWith(dsn string, extra ...Param) (Config, error) {
	var cfg Config
	parts, err := splitDSN(dsn)
	if err != nil {
		return cfg, err
	}
	cfg.User, cfg.Password, cfg.DB = parts.user, parts.password, parts.db
	switch parts.network {
	case "unix":
		if parts.address == "" {
			return cfg, dsnError("unix() needs a socket path")
		}
		cfg.UnixSocket = parts.address
	case "tcp", "":
		if err := setHosts(&cfg, parts.address); err != nil {
			return cfg, err
		}
	default:
		return cfg, dsnError("unknown network %q (amysql speaks tcp and unix)", parts.network)
	}
	socket := cfg.UnixSocket
	if err := applyParams(parts.query, append(cfg.params(), extra...)); err != nil {
		return cfg, err
	}
	if socket != "" && cfg.UnixSocket != socket {
		return cfg, dsnError("unix_socket given besides the unix() address")
	}
	return cfg, nil
}

// dsnParts are the pieces of a DSN before their values are read.
type dsnParts struct {
	user, password string
	network        string // "tcp", "unix", or "" when no address was given
	address        string // inside the parentheses, or the URL's host list
	db             string
	query          string
}

// splitDSN cuts a DSN into its parts. Errors name what is wrong with the
// address and never quote the credentials.
func splitDSN(dsn string) (dsnParts, error) {
	if scheme, rest, ok := cutScheme(dsn); ok {
		switch strings.ToLower(scheme) {
		case "mysql", "mariadb":
			return splitURL(rest)
		}
		if p, err := splitClassic(dsn); err == nil {
			return p, nil // a password that happens to contain "://"
		}
		return dsnParts{}, dsnError("%s:// is not a MySQL DSN (want mysql://user:password@host:port/db "+
			"or user:password@tcp(host:port)/db)", scheme)
	}
	return splitClassic(dsn)
}

// cutScheme splits "scheme://rest".
func cutScheme(dsn string) (scheme, rest string, ok bool) {
	i := strings.Index(dsn, "://")
	if i <= 0 {
		return "", "", false
	}
	for j, c := range dsn[:i] {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (j == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", "", false
		}
	}
	return dsn[:i], dsn[i+3:], true
}

// splitClassic reads the go-sql-driver form. The address is the last
// "net(...)" that follows the credentials' '@' (or starts the DSN) and is
// followed by '/'; the password before it may contain any character, and
// parameter values after it are percent-decoded, so a literal "@tcp(" in
// one must be written %40tcp(.
func splitClassic(dsn string) (dsnParts, error) {
	var p dsnParts
	start, open, end := findAddress(dsn)
	var tail string
	switch {
	case open >= 0:
		p.network, p.address = dsn[start:open], dsn[open+1:end]
		if start > 0 {
			p.user, p.password = splitCreds(dsn[:start-1])
		}
		tail = dsn[end+2:]
	case strings.HasPrefix(dsn, "/"):
		tail = dsn[1:]
	default:
		at := noAddressAt(dsn)
		if at < 0 {
			return p, diagnoseAddress(dsn)
		}
		p.user, p.password = splitCreds(dsn[:at])
		tail = dsn[at+2:]
	}
	db, query, _ := strings.Cut(tail, "?")
	if strings.Contains(db, "/") {
		return p, dsnError("the database name contains '/' (percent-encode it as %%2F)")
	}
	var err error
	if p.db, err = url.PathUnescape(db); err != nil {
		return p, dsnError("the database name has a bad percent-escape")
	}
	p.query = query
	return p, nil
}

// findAddress locates "net(address)/" in a classic DSN: the network word
// starts at start (right after '@', or at 0), its '(' is at open and its
// ')' at end. open is -1 when there is none.
func findAddress(dsn string) (start, open, end int) {
	for open = strings.LastIndexByte(dsn, '('); open >= 0; open = strings.LastIndexByte(dsn[:open], '(') {
		start = open
		for start > 0 && isWordByte(dsn[start-1]) {
			start--
		}
		if start > 0 && dsn[start-1] != '@' {
			continue
		}
		close := strings.IndexByte(dsn[open:], ')')
		if close < 0 {
			continue
		}
		end = open + close
		if end+1 < len(dsn) && dsn[end+1] == '/' {
			return start, open, end
		}
	}
	return 0, -1, 0
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// noAddressAt finds the '@' of "user:password@/db" (-1: none): the last
// "@/" before the parameters begin, so a password may contain "@/".
func noAddressAt(dsn string) int {
	first := strings.Index(dsn, "@/")
	if first < 0 {
		return -1
	}
	region := dsn
	if q := strings.IndexByte(dsn[first:], '?'); q >= 0 {
		region = dsn[:first+q]
	}
	return strings.LastIndex(region, "@/")
}

// diagnoseAddress explains a classic DSN whose address cannot be read.
func diagnoseAddress(dsn string) error {
	at := strings.LastIndexByte(dsn, '@')
	rest := dsn[at+1:] // the whole DSN when there is no '@'
	addr, _, hasSlash := strings.Cut(rest, "/")
	if i := strings.IndexByte(addr, '('); i >= 0 && isWord(addr[:i]) {
		net := addr[:i]
		if !strings.Contains(addr, ")") {
			return dsnError("unclosed '(' in the address")
		}
		if net != "tcp" && net != "unix" && net != "" {
			return dsnError("unknown network %q (amysql speaks tcp and unix)", net)
		}
		return dsnError("missing '/' after the address (write %s(...)/dbname)", net)
	}
	if hasSlash && looksLikeHost(addr) && addr != "" {
		return dsnError("the address %q needs a network: write tcp(%s)", addr, addr)
	}
	if !hasSlash && at < 0 {
		return dsnError("no '/' before the database name (a DSN looks like user:password@tcp(host:port)/dbname)")
	}
	return dsnError("cannot find the address: write user:password@tcp(host:port)/dbname, user@unix(/path)/dbname or user:password@/dbname")
}

func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			return false
		}
	}
	return true
}

// looksLikeHost reports whether s could be host[:port] (so it may be
// quoted in an error without risk of showing a password).
func looksLikeHost(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isWordByte(c) || c == '.' || c == ':' || c == '-' || c == '[' || c == ']' || c == ',') {
			return false
		}
	}
	return true
}

// splitCreds splits "user[:password]" at the first ':'.
func splitCreds(s string) (user, password string) {
	user, password, _ = strings.Cut(s, ":")
	return user, password
}

// splitURL reads the part of a mysql:// DSN after the scheme.
func splitURL(rest string) (dsnParts, error) {
	var p dsnParts
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		var err error
		user, pass, _ := strings.Cut(authority[:at], ":")
		if p.user, err = url.PathUnescape(user); err != nil {
			return p, dsnError("the user name has a bad percent-escape")
		}
		if p.password, err = url.PathUnescape(pass); err != nil {
			return p, dsnError("the password has a bad percent-escape")
		}
		authority = authority[at+1:]
	}
	p.address = authority
	if p.address != "" {
		p.network = "tcp"
	}
	path, query, _ := strings.Cut(tail, "?")
	path = strings.TrimPrefix(path, "/")
	if strings.Contains(path, "/") {
		return p, dsnError("the database name contains '/' (percent-encode it as %%2F)")
	}
	var err error
	if p.db, err = url.PathUnescape(path); err != nil {
		return p, dsnError("the database name has a bad percent-escape")
	}
	p.query = query
	return p, nil
}

// setHosts reads a comma-separated host[:port] list into Host and Port
// (one host) or Hosts (several).
func setHosts(cfg *Config, list string) error {
	if list == "" {
		return nil
	}
	entries := strings.Split(list, ",")
	hosts := make([]string, 0, len(entries))
	for _, e := range entries {
		host, port, err := splitHostPort(e)
		if err != nil {
			return err
		}
		if len(entries) == 1 {
			cfg.Host, cfg.Port = host, port
			return nil
		}
		if port == 0 {
			port = defaultPort
		}
		hosts = append(hosts, net.JoinHostPort(host, strconv.Itoa(port)))
	}
	cfg.Hosts = hosts
	return nil
}

// splitHostPort reads host[:port], [v6]:port or a bare IPv6 address; port
// is 0 when not given.
func splitHostPort(addr string) (host string, port int, err error) {
	if addr == "" {
		return "", 0, dsnError("an empty host in the address list")
	}
	ps := ""
	switch {
	case strings.HasPrefix(addr, "["):
		end := strings.IndexByte(addr, ']')
		if end < 0 {
			return "", 0, dsnError("unclosed '[' in host")
		}
		host, ps = addr[1:end], addr[end+1:]
		if ps != "" && !strings.HasPrefix(ps, ":") {
			return "", 0, dsnError("bad text after ']' in host")
		}
		ps = strings.TrimPrefix(ps, ":")
	case strings.Count(addr, ":") > 1:
		host = addr // a bare IPv6 address
	default:
		host, ps, _ = strings.Cut(addr, ":")
	}
	if host == "" {
		return "", 0, dsnError("a port without a host in the address")
	}
	if ps != "" {
		p, err := strconv.Atoi(ps)
		if err != nil || p <= 0 || p > 65535 {
			return "", 0, dsnError("bad port %q", ps)
		}
		port = p
	}
	return host, port, nil
}

// applyParams sets the parameters of query through table.
func applyParams(query string, table []Param) error {
	if query == "" {
		return nil
	}
	index := make(map[string]int, 2*len(table))
	for i, p := range table {
		index[p.name] = i
		for _, a := range p.aliases {
			index[a] = i
		}
	}
	given := make(map[int]string, 8)
	for _, kv := range strings.Split(query, "&") {
		if kv == "" {
			continue
		}
		k, v, hasValue := strings.Cut(kv, "=")
		key, err := url.QueryUnescape(k)
		if err != nil || key == "" {
			return dsnError("a parameter name is empty or badly percent-encoded")
		}
		i, ok := index[key]
		if !ok {
			return dsnError("unknown parameter %q (see docs/configuration.md; amysql does not pass "+
				"unknown parameters to the server as SET: use init_command)", key)
		}
		if prev, dup := given[i]; dup {
			if prev == key {
				return dsnError("parameter %q given twice", key)
			}
			return dsnError("parameters %q and %q set the same thing", prev, key)
		}
		given[i] = key
		val, err := url.QueryUnescape(v)
		if err != nil {
			return dsnError("the value of %s is badly percent-encoded", key)
		}
		if !hasValue || val == "" {
			return dsnError("parameter %q has no value", key)
		}
		if err := table[i].set(val); err != nil {
			return dsnError("%s: %w", key, err)
		}
	}
	return nil
}

// FormatDSN returns the go-sql-driver style DSN of c; ParseDSN of the
// result gives back the same settings. Fields without a DSN form (TLS,
// Logger, Observer, Converters, LocalInfileReaders, ServerPublicKey,
// SpinGroup) are left out. When the user name or password could not be
// read back from that form, the mysql:// form is returned instead.
func (c Config) FormatDSN() string { return c.FormatDSNWith() }

// FormatDSNWith is FormatDSN with the parameters in extra printed too.
func (c Config) FormatDSNWith(extra ...Param) string {
	query := c.formatParams(extra)
	classic := c.formatClassic(query)
	if p, err := splitDSN(classic); err == nil && p.user == c.User && p.password == c.Password {
		return classic
	}
	return c.formatURL(query)
}

func (c *Config) formatParams(extra []Param) string {
	table := append(c.params(), extra...)
	sort.Slice(table, func(i, j int) bool { return table[i].name < table[j].name })
	var b strings.Builder
	for _, p := range table {
		if v, ok := p.get(); ok {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(p.name + "=" + url.QueryEscape(v))
		}
	}
	return b.String()
}

func (c *Config) formatClassic(query string) string {
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
	case len(c.Hosts) > 0 || c.Host != "" || c.Port != 0:
		b.WriteString("tcp(" + c.hostList() + ")")
	}
	b.WriteByte('/')
	b.WriteString(url.PathEscape(c.DB))
	if query != "" {
		b.WriteString("?" + query)
	}
	return b.String()
}

func (c *Config) formatURL(query string) string {
	var b strings.Builder
	b.WriteString("mysql://")
	if c.User != "" || c.Password != "" {
		b.WriteString(url.UserPassword(c.User, c.Password).String() + "@")
	}
	if c.UnixSocket != "" {
		sock := "unix_socket=" + url.QueryEscape(c.UnixSocket)
		if query == "" {
			query = sock
		} else {
			query = sock + "&" + query
		}
	} else if len(c.Hosts) > 0 || c.Host != "" || c.Port != 0 {
		b.WriteString(c.hostList())
	}
	b.WriteString("/" + url.PathEscape(c.DB))
	if query != "" {
		b.WriteString("?" + query)
	}
	return b.String()
}

// hostList prints Hosts, or Host and Port, as a comma-separated list.
func (c *Config) hostList() string {
	if len(c.Hosts) > 0 {
		return strings.Join(c.Hosts, ",")
	}
	host := c.Host
	if host == "" {
		host = defaultHost
	}
	if c.Port == 0 {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return hostPort(host, c.Port)
}
