package proto

import "fmt"

// Column is a decoded column definition (Protocol::ColumnDefinition41).
// Its string fields are views into the packet they were parsed from; Clone
// makes an independent copy.
type Column struct {
	Schema   []byte
	Table    []byte // table alias
	OrgTable []byte
	Name     []byte // column alias
	OrgName  []byte
	// DataTypeName and Format come from MariaDB's extended type info
	// (e.g. Format "json" for a JSON column, DataTypeName "point").
	DataTypeName []byte
	Format       []byte
	Charset      uint16 // collation id; 63 means binary
	Length       uint32
	Type         FieldType
	Flags        uint16
	Decimals     byte
}

// Unsigned reports whether the column holds unsigned integers.
func (c *Column) Unsigned() bool { return c.Flags&FlagUnsigned != 0 }

// Binary reports whether the column holds bytes rather than text.
func (c *Column) Binary() bool { return c.Charset == BinaryCollation }

// IsJSON reports whether the column is JSON: MySQL's JSON type, or a
// MariaDB column whose extended format is "json".
func (c *Column) IsJSON() bool {
	return c.Type == TypeJSON || string(c.Format) == "json"
}

// ParseColumn decodes a column definition packet into c. ext says whether
// MariaDB's extended type info (MARIADB_CLIENT_EXTENDED_TYPE_INFO) was
// negotiated. The byte-slice fields of c point into b.
func ParseColumn(b []byte, ext bool, c *Column) error {
	p := 0
	var fields [6][]byte
	for i := range fields {
		s, _, n := LenEncString(b[p:])
		if n == 0 {
			return fmt.Errorf("%w: column definition field %d", ErrMalformedPacket, i)
		}
		fields[i], p = s, p+n
	}
	c.Schema, c.Table, c.OrgTable, c.Name, c.OrgName = fields[1], fields[2], fields[3], fields[4], fields[5]
	c.DataTypeName, c.Format = nil, nil
	if ext {
		info, _, n := LenEncString(b[p:])
		if n == 0 {
			return fmt.Errorf("%w: column extended type info", ErrMalformedPacket)
		}
		p += n
		for len(info) > 0 {
			kind := info[0]
			v, _, n := LenEncString(info[1:])
			if n == 0 {
				return fmt.Errorf("%w: column extended type info entry", ErrMalformedPacket)
			}
			switch kind {
			case 0:
				c.DataTypeName = v
			case 1:
				c.Format = v
			}
			info = info[1+n:]
		}
	}
	// Fixed-length block: its length (0x0c), charset(2), length(4),
	// type(1), flags(2), decimals(1), filler(2).
	fixed, _, n := LenEncInt(b[p:])
	if n == 0 || fixed < 10 || uint64(len(b)-p-n) < fixed {
		return fmt.Errorf("%w: column definition fixed fields", ErrMalformedPacket)
	}
	f := b[p+n:]
	c.Charset = uint16(f[0]) | uint16(f[1])<<8
	c.Length = uint32(f[2]) | uint32(f[3])<<8 | uint32(f[4])<<16 | uint32(f[5])<<24
	c.Type = FieldType(f[6])
	c.Flags = uint16(f[7]) | uint16(f[8])<<8
	c.Decimals = f[9]
	return nil
}

// ParseColumnCount decodes the packet that starts a result set. ok is false
// when b is not a column count (an OK, ERR or LOCAL INFILE packet).
func ParseColumnCount(b []byte) (count uint64, ok bool) {
	if len(b) == 0 || b[0] == HeaderOK || b[0] == HeaderErr || b[0] == HeaderLocalInfile {
		return 0, false
	}
	v, null, n := LenEncInt(b)
	if n == 0 || null {
		return 0, false
	}
	return v, true
}

// ParseColumnCountMeta decodes the packet that starts a result set on a
// connection that negotiated MariaDB's MARIADB_CLIENT_CACHE_METADATA: the
// column count, then one byte telling whether the column definitions
// follow (a prepared statement whose metadata the client already has
// skips them). ok is false when b is not such a packet.
func ParseColumnCountMeta(b []byte) (count uint64, defs bool, ok bool) {
	if len(b) == 0 || b[0] == HeaderOK || b[0] == HeaderErr || b[0] == HeaderLocalInfile {
		return 0, false, false
	}
	v, null, n := LenEncInt(b)
	if n == 0 || null || len(b) != n+1 || b[n] > 1 {
		return 0, false, false
	}
	return v, b[n] == 1, true
}
