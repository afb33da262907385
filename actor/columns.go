package actor

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/amysql/amysql/proto"
)

// colMeta is the decoded column metadata of a result set. It never changes
// once built, so every result with the same columns shares one: a cursor
// made for each query of the same shape decodes and allocates nothing for
// its columns.
type colMeta struct {
	raw   []byte // column definition packets, back to back
	ends  []int  // end of each packet in raw
	pcols []proto.Column
	cols  []Column
}

func (m *colMeta) packet(i int) []byte {
	start := 0
	if i > 0 {
		start = m.ends[i-1]
	}
	return m.raw[start:m.ends[i]]
}

func (res *result) setMeta(m *colMeta) {
	res.meta, res.cols, res.pcols = m, m.cols, m.pcols
}

// readColumns reads n column definitions (and the EOF after them when
// CLIENT_DEPRECATE_EOF is off). Definitions identical to the result's
// previous ones, or to the connection's last, are compared in place and
// reused.
func (c *Conn) readColumns(res *result, n int) error {
	s := c.sess
	known := res.meta
	if known == nil || len(known.ends) != n {
		known = c.meta
	}
	same := known != nil && len(known.ends) == n
	res.scratch, res.scrEnds = res.scratch[:0], res.scrEnds[:0]
	for i := 0; i < n; i++ {
		p, err := s.read()
		if err != nil {
			return err
		}
		if p[0] == proto.HeaderErr {
			e, _ := proto.ParseErr(p)
			return s.fail(fmt.Errorf("%w: error inside column definitions: %v", proto.ErrMalformedPacket, e))
		}
		if same {
			if bytes.Equal(p, known.packet(i)) {
				continue
			}
			same = false
			if i > 0 {
				res.scratch = append(res.scratch, known.raw[:known.ends[i-1]]...)
				res.scrEnds = append(res.scrEnds, known.ends[:i]...)
			}
		}
		res.scratch = append(res.scratch, p...)
		res.scrEnds = append(res.scrEnds, len(res.scratch))
	}
	if err := c.readDefinitionsEOF("column"); err != nil {
		return err
	}
	if same {
		res.setMeta(known)
		c.meta = known
		return nil
	}
	m := &colMeta{
		raw:   bytes.Clone(res.scratch),
		ends:  slices.Clone(res.scrEnds),
		pcols: make([]proto.Column, n),
		cols:  make([]Column, n),
	}
	for i := 0; i < n; i++ {
		if err := proto.ParseColumn(m.packet(i), s.ext, &m.pcols[i]); err != nil {
			res.meta, res.cols, res.pcols = nil, nil, nil
			return s.fail(err)
		}
		m.cols[i] = newColumn(&m.pcols[i])
	}
	res.setMeta(m)
	c.meta = m
	return nil
}

// reuseColumns gives res the metadata the server skipped sending because
// the client has it already (MARIADB_CLIENT_CACHE_METADATA). Without
// DEPRECATE_EOF the EOF that ends the absent definitions is still sent.
func (c *Conn) reuseColumns(res *result, known *colMeta, n int) error {
	s := c.sess
	if known == nil || len(known.ends) != n {
		return s.fail(fmt.Errorf("%w: the server skipped the definitions of %d columns the client does not have", proto.ErrMalformedPacket, n))
	}
	if err := c.readDefinitionsEOF("column"); err != nil {
		return err
	}
	res.setMeta(known)
	c.meta = known
	return nil
}

// readDefinitionsEOF reads the EOF that ends column or parameter
// definitions (sent, or skipped) when CLIENT_DEPRECATE_EOF is off.
func (c *Conn) readDefinitionsEOF(what string) error {
	s := c.sess
	if s.caps&proto.ClientDeprecateEOF != 0 {
		return nil
	}
	p, err := s.read()
	if err != nil {
		return err
	}
	if !proto.IsEOF(p) {
		return s.fail(fmt.Errorf("%w: expected EOF after %s definitions", proto.ErrMalformedPacket, what))
	}
	return nil
}
