package actor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/amysql/amysql/proto"
)

// readerPrefix marks a LOCAL INFILE name that refers to a registered reader.
const readerPrefix = "Reader::"

// localInfile answers the server's request for a local file: it streams an
// allowed file or registered reader, or sends nothing (an empty file) and
// reports the refusal. Either way the connection stays in sync.
func (c *Conn) localInfile(res *result, p []byte) error {
	s := c.sess
	raw, _ := proto.LocalInfileRequest(p)
	name := string(raw)
	r, closeFn, openErr := c.openInfile(name)
	var sendErr error
	if openErr == nil {
		sendErr = c.sendInfile(r)
		if closeFn != nil {
			closeFn()
		}
		if s.broken != nil {
			return sendErr
		}
	}
	// An empty packet ends the data (or is the whole, empty, file).
	if err := s.write(s.pw.Start()); err != nil {
		return err
	}
	p, err := s.read()
	if err != nil {
		return err
	}
	switch p[0] {
	case proto.HeaderOK, proto.HeaderErr:
		if err := c.statementReply(res, p); err != nil && openErr == nil && sendErr == nil {
			return err
		} else if s.broken != nil {
			return err
		}
	default:
		return s.fail(fmt.Errorf("%w: unexpected reply after LOCAL INFILE data", proto.ErrMalformedPacket))
	}
	if openErr != nil {
		return openErr
	}
	return sendErr
}

// openInfile checks a requested name against the configuration.
func (c *Conn) openInfile(name string) (io.Reader, func() error, error) {
	cfg := &c.cfg
	if !cfg.LocalInfile {
		return nil, nil, errorf("%w: server asked for %q but LocalInfile is off", ErrLocalInfileDenied, name)
	}
	if strings.HasPrefix(name, readerPrefix) {
		mk := cfg.LocalInfileReaders[strings.TrimPrefix(name, readerPrefix)]
		if mk == nil {
			return nil, nil, errorf("%w: no reader registered as %q", ErrLocalInfileDenied, name)
		}
		r, err := mk()
		if err != nil {
			return nil, nil, errorf("LOCAL INFILE reader %q: %w", name, err)
		}
		var closeFn func() error
		if rc, ok := r.(io.ReadCloser); ok {
			closeFn = rc.Close
		}
		return r, closeFn, nil
	}
	if !pathAllowed(cfg.LocalInfilePaths, name) {
		return nil, nil, errorf("%w: %q is not in LocalInfilePaths", ErrLocalInfileDenied, name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, errorf("LOCAL INFILE: %w", err)
	}
	return f, f.Close, nil
}

// pathAllowed reports whether name, with symbolic links resolved, is one
// of the allowed files or lies below an allowed directory ("dir/").
func pathAllowed(allowed []string, name string) bool {
	if !filepath.IsAbs(name) {
		return false
	}
	real, err := filepath.EvalSymlinks(name)
	if err != nil {
		return false
	}
	for _, a := range allowed {
		dir := strings.HasSuffix(a, "/")
		ra, err := filepath.EvalSymlinks(filepath.Clean(a))
		if err != nil {
			continue
		}
		if dir {
			if strings.HasPrefix(real, ra+string(filepath.Separator)) {
				return true
			}
		} else if real == ra {
			return true
		}
	}
	return false
}

// sendInfile streams r to the server in packets.
func (c *Conn) sendInfile(r io.Reader) error {
	s := c.sess
	chunk := 1 << 20
	if m := c.cfg.MaxAllowedPacket; m > 0 && m-4 < chunk {
		chunk = m - 4
	}
	for {
		b := s.pw.Start()
		if cap(b) < 4+chunk {
			b = make([]byte, 4, 4+chunk)
		}
		n, err := io.ReadFull(r, b[4:4+chunk])
		if n > 0 {
			if werr := s.write(b[:4+n]); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			// Stop sending; the empty packet that follows ends the data.
			return errorf("LOCAL INFILE read: %w", err)
		}
	}
}
