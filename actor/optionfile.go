package actor

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrOptionFile reports an option file that cannot be read or parsed.
var ErrOptionFile = newSentinel("option file")

// ReadOptionFile reads the options of one group from a my.cnf-style file:
// "key = value" lines (quotes stripped, '_' and '-' equivalent in keys),
// bare flags (value ""), '#' and ';' comments, and !include / !includedir
// directives. Later settings win.
func ReadOptionFile(path, group string) (map[string]string, error) {
	out := map[string]string{}
	if err := readOptionFile(path, group, out, 0); err != nil {
		return nil, err
	}
	return out, nil
}

func readOptionFile(path, group string, out map[string]string, depth int) error {
	if depth > 10 {
		return errorf("%w: !include nested too deeply at %s", ErrOptionFile, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return errorf("%w: %w", ErrOptionFile, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	current := ""
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case strings.HasPrefix(line, "!includedir"):
			dir := strings.TrimSpace(strings.TrimPrefix(line, "!includedir"))
			entries, err := os.ReadDir(dir)
			if err != nil {
				return errorf("%w: %s:%d: %w", ErrOptionFile, path, lineNo, err)
			}
			names := make([]string, 0, len(entries))
			for _, e := range entries {
				if !e.IsDir() && (strings.HasSuffix(e.Name(), ".cnf") || strings.HasSuffix(e.Name(), ".ini")) {
					names = append(names, e.Name())
				}
			}
			sort.Strings(names)
			for _, n := range names {
				if err := readOptionFile(filepath.Join(dir, n), group, out, depth+1); err != nil {
					return err
				}
			}
		case strings.HasPrefix(line, "!include"):
			inc := strings.TrimSpace(strings.TrimPrefix(line, "!include"))
			if !filepath.IsAbs(inc) {
				inc = filepath.Join(filepath.Dir(path), inc)
			}
			if err := readOptionFile(inc, group, out, depth+1); err != nil {
				return err
			}
		case line[0] == '[':
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return errorf("%w: %s:%d: unclosed group header", ErrOptionFile, path, lineNo)
			}
			current = strings.TrimSpace(line[1:end])
		default:
			if current != group {
				continue
			}
			k, v, _ := strings.Cut(line, "=")
			key := strings.ReplaceAll(strings.TrimSpace(k), "_", "-")
			val, err := optionValue(strings.TrimSpace(v))
			if err != nil {
				return errorf("%w: %s:%d: %v", ErrOptionFile, path, lineNo, err)
			}
			out[key] = val
		}
	}
	if err := sc.Err(); err != nil {
		return errorf("%w: %s: %w", ErrOptionFile, path, err)
	}
	return nil
}

// optionValue strips quotes and a trailing comment from a value.
func optionValue(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if q := v[0]; q == '"' || q == '\'' {
		var b strings.Builder
		for i := 1; i < len(v); i++ {
			c := v[i]
			if c == q {
				return b.String(), nil
			}
			if c == '\\' && i+1 < len(v) {
				i++
				switch v[i] {
				case 'n':
					c = '\n'
				case 't':
					c = '\t'
				case 'r':
					c = '\r'
				case 'b':
					c = '\b'
				case 's':
					c = ' '
				default:
					c = v[i]
				}
			}
			b.WriteByte(c)
		}
		return "", errors.New("unterminated quoted value")
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v, nil
}

// withOptionFile fills the fields c leaves empty from its option file.
func (c Config) withOptionFile() (Config, error) {
	if c.ReadDefaultFile == "" {
		return c, nil
	}
	group := c.ReadDefaultGroup
	if group == "" {
		group = "client"
	}
	opts, err := ReadOptionFile(c.ReadDefaultFile, group)
	if err != nil {
		return c, err
	}
	fill := func(dst *string, key string) {
		if v, ok := opts[key]; ok && *dst == "" {
			*dst = v
		}
	}
	fill(&c.User, "user")
	fill(&c.Password, "password")
	fill(&c.Host, "host")
	fill(&c.UnixSocket, "socket")
	fill(&c.DB, "database")
	fill(&c.Charset, "default-character-set")
	fill(&c.SSLCA, "ssl-ca")
	fill(&c.SSLCert, "ssl-cert")
	fill(&c.SSLKey, "ssl-key")
	if v, ok := opts["port"]; ok && c.Port == 0 {
		p, err := strconv.Atoi(v)
		if err != nil || p <= 0 || p > 65535 {
			return c, errorf("%w: bad port %q", ErrOptionFile, v)
		}
		c.Port = p
	}
	if v, ok := opts["ssl-mode"]; ok && c.SSLMode == "" {
		m := SSLMode(strings.ToLower(strings.ReplaceAll(v, "_", "-")))
		switch m {
		case SSLDisabled, SSLPreferred, SSLRequired, SSLVerifyCA, SSLVerifyIdentity:
			c.SSLMode = m
		default:
			return c, errorf("%w: bad ssl-mode %q", ErrOptionFile, v)
		}
	}
	if _, ok := opts["skip-ssl"]; ok && c.SSLMode == "" {
		c.SSLMode = SSLDisabled
	}
	return c, nil
}
