package actor

import "github.com/amysql/amysql/proto"

// Column describes one column of a result set: the DB-API description
// fields (Name, Type, DisplaySize, InternalSize, Precision, Scale, NullOK)
// plus the server's raw metadata.
type Column struct {
	Name         string
	Type         proto.FieldType
	DisplaySize  int
	InternalSize int
	Precision    int
	Scale        int
	NullOK       bool

	Table    string // table alias
	OrgTable string
	OrgName  string
	Schema   string
	Charset  uint16 // collation id; 63 = binary
	Flags    uint16
	// DataTypeName and Format carry MariaDB's extended type info, such as
	// Format "json" for JSON columns.
	DataTypeName string
	Format       string
}

// Unsigned reports whether the column holds unsigned integers.
func (c *Column) Unsigned() bool { return c.Flags&proto.FlagUnsigned != 0 }

// Binary reports whether the column holds bytes rather than text.
func (c *Column) Binary() bool { return c.Charset == proto.BinaryCollation }

// IsJSON reports whether the column holds JSON documents.
func (c *Column) IsJSON() bool { return c.Type == proto.TypeJSON || c.Format == "json" }

func newColumn(p *proto.Column) Column {
	c := Column{
		Name:         string(p.Name),
		Type:         p.Type,
		DisplaySize:  int(p.Length),
		InternalSize: int(p.Length),
		NullOK:       p.Flags&proto.FlagNotNull == 0,
		Table:        string(p.Table),
		OrgTable:     string(p.OrgTable),
		OrgName:      string(p.OrgName),
		Schema:       string(p.Schema),
		Charset:      p.Charset,
		Flags:        p.Flags,
		DataTypeName: string(p.DataTypeName),
		Format:       string(p.Format),
	}
	switch p.Type {
	case proto.TypeDecimal, proto.TypeNewDecimal:
		// Length counts digits plus sign and point.
		c.Scale = int(p.Decimals)
		c.Precision = int(p.Length) - 1
		if c.Scale > 0 {
			c.Precision--
		}
		if p.Flags&proto.FlagUnsigned != 0 {
			c.Precision++
		}
	case proto.TypeFloat, proto.TypeDouble:
		c.Precision = int(p.Length)
		if p.Decimals < 31 {
			c.Scale = int(p.Decimals)
		}
	case proto.TypeTime, proto.TypeTime2, proto.TypeDateTime, proto.TypeDateTime2, proto.TypeTimestamp, proto.TypeTimestamp2:
		c.Scale = int(p.Decimals) // fractional-second digits
	}
	return c
}

// TypeName returns the column's SQL type name without length or sign,
// e.g. "BIGINT", "VARCHAR", "BLOB", "ENUM", "JSON".
func (c *Column) TypeName() string {
	switch c.Type {
	case proto.TypeTiny:
		return "TINYINT"
	case proto.TypeShort:
		return "SMALLINT"
	case proto.TypeInt24:
		return "MEDIUMINT"
	case proto.TypeLong:
		return "INT"
	case proto.TypeLongLong:
		return "BIGINT"
	case proto.TypeFloat:
		return "FLOAT"
	case proto.TypeDouble:
		return "DOUBLE"
	case proto.TypeDecimal, proto.TypeNewDecimal:
		return "DECIMAL"
	case proto.TypeDate, proto.TypeNewDate:
		return "DATE"
	case proto.TypeDateTime, proto.TypeDateTime2:
		return "DATETIME"
	case proto.TypeTimestamp, proto.TypeTimestamp2:
		return "TIMESTAMP"
	case proto.TypeTime, proto.TypeTime2:
		return "TIME"
	case proto.TypeYear:
		return "YEAR"
	case proto.TypeBit:
		return "BIT"
	case proto.TypeJSON:
		return "JSON"
	case proto.TypeGeometry:
		return "GEOMETRY"
	case proto.TypeNull:
		return "NULL"
	}
	if c.IsJSON() {
		return "JSON"
	}
	if c.Flags&proto.FlagEnum != 0 {
		return "ENUM"
	}
	if c.Flags&proto.FlagSet != 0 {
		return "SET"
	}
	switch c.Type {
	case proto.TypeTinyBlob, proto.TypeMediumBlob, proto.TypeLongBlob, proto.TypeBlob:
		if c.Binary() {
			return "BLOB"
		}
		return "TEXT"
	case proto.TypeString:
		if c.Binary() {
			return "BINARY"
		}
		return "CHAR"
	}
	if c.Binary() {
		return "VARBINARY"
	}
	return "VARCHAR"
}
