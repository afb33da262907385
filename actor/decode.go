package actor

import (
	"encoding/json"

	"github.com/amysql/amysql/proto"
)

// decodeText returns the Go value of a non-NULL text-protocol value, using
// the configured converter for the column type when there is one.
func decodeText(cfg *Config, col *Column, raw []byte) (any, error) {
	if conv := cfg.Converters[col.Type]; conv != nil {
		return conv(col, raw)
	}
	switch col.Type {
	case proto.TypeTiny, proto.TypeShort, proto.TypeInt24, proto.TypeLong, proto.TypeLongLong:
		if col.Unsigned() {
			return proto.ParseUint(raw)
		}
		return proto.ParseInt(raw)
	case proto.TypeYear:
		return proto.ParseInt(raw)
	case proto.TypeFloat:
		f, err := proto.ParseFloat(raw, 32)
		return float32(f), err
	case proto.TypeDouble:
		return proto.ParseFloat(raw, 64)
	case proto.TypeDecimal, proto.TypeNewDecimal:
		return Decimal{s: string(raw)}, nil
	case proto.TypeDate, proto.TypeNewDate:
		return proto.ParseDate(raw, cfg.Loc)
	case proto.TypeDateTime, proto.TypeTimestamp, proto.TypeDateTime2, proto.TypeTimestamp2:
		return proto.ParseDateTime(raw, cfg.Loc)
	case proto.TypeTime, proto.TypeTime2:
		return proto.ParseDuration(raw)
	case proto.TypeNull:
		return nil, nil
	case proto.TypeBit, proto.TypeGeometry:
		return copyBytes(raw), nil
	case proto.TypeJSON:
		return json.RawMessage(copyBytes(raw)), nil
	}
	if col.IsJSON() {
		return json.RawMessage(copyBytes(raw)), nil
	}
	if col.Binary() {
		return copyBytes(raw), nil
	}
	return string(raw), nil
}

// decodeBinary returns the Go value of a non-NULL binary-protocol value.
func decodeBinary(cfg *Config, col *Column, pc *proto.Column, raw []byte) (any, error) {
	switch col.Type {
	case proto.TypeTiny, proto.TypeShort, proto.TypeInt24, proto.TypeLong, proto.TypeLongLong:
		if col.Unsigned() {
			return proto.BinaryUint(raw, pc)
		}
		return proto.BinaryInt(raw, pc)
	case proto.TypeYear:
		return proto.BinaryInt(raw, pc)
	case proto.TypeFloat:
		return proto.BinaryFloat32(raw)
	case proto.TypeDouble:
		return proto.BinaryFloat64(raw)
	case proto.TypeDate, proto.TypeNewDate, proto.TypeDateTime, proto.TypeTimestamp, proto.TypeDateTime2, proto.TypeTimestamp2:
		return proto.BinaryDateTime(raw, cfg.Loc)
	case proto.TypeTime, proto.TypeTime2:
		return proto.BinaryDuration(raw)
	}
	// Everything else is sent as in the text protocol.
	return decodeText(cfg, col, raw)
}

func copyBytes(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	return out
}

// typeError describes a failed conversion of column i into dest.
func typeError(col *Column, dest any, err error) error {
	if err != nil {
		return errorf("column %q: cannot scan %s into %T: %w", col.Name, col.TypeName(), dest, err)
	}
	return errorf("column %q: cannot scan %s into %T", col.Name, col.TypeName(), dest)
}
