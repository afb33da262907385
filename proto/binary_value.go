package proto

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// The Binary* decoders take a value located by ParseBinaryRow. Bytes that no
// server sends (a wrong length, month 13, a TIME past 838:59:59) give an
// error matching both ErrMalformedPacket and ErrBadValue; a well-formed value
// that does not fit the requested Go type gives an ErrBadValue error.

func badBinary(what string, b []byte) error {
	if len(b) > 16 {
		b = b[:16]
	}
	return fmt.Errorf("%w: binary %s [% x] (%w)", ErrBadValue, what, b, ErrMalformedPacket)
}

// binaryInt reads a little-endian integer widened to 64 bits: sign-extended
// unless col is unsigned. With a nil col, any of the widths 1, 2, 4 and 8
// is read as signed.
func binaryInt(b []byte, col *Column) (v uint64, signed bool, err error) {
	signed = true
	if col != nil {
		switch col.Type {
		case TypeTiny, TypeShort, TypeYear, TypeInt24, TypeLong, TypeLongLong:
		default:
			return 0, false, fmt.Errorf("%w: binary integer read from a column of type 0x%02x", ErrBadValue, byte(col.Type))
		}
		if len(b) != binaryWidth(col.Type) {
			return 0, false, badBinary("integer length", b)
		}
		signed = !col.Unsigned()
	}
	le := binary.LittleEndian
	switch len(b) {
	case 1:
		if signed {
			return uint64(int8(b[0])), true, nil
		}
		return uint64(b[0]), false, nil
	case 2:
		if signed {
			return uint64(int16(le.Uint16(b))), true, nil
		}
		return uint64(le.Uint16(b)), false, nil
	case 4:
		if signed {
			return uint64(int32(le.Uint32(b))), true, nil
		}
		return uint64(le.Uint32(b)), false, nil
	case 8:
		return le.Uint64(b), signed, nil
	}
	return 0, false, badBinary("integer length", b)
}

// BinaryInt decodes a binary TINY, SHORT, YEAR, INT24, LONG or LONGLONG
// value of column col. Unsigned values above math.MaxInt64 are an error;
// use BinaryUint for unsigned columns.
func BinaryInt(b []byte, col *Column) (int64, error) {
	v, signed, err := binaryInt(b, col)
	if err != nil {
		return 0, err
	}
	if !signed && v > math.MaxInt64 {
		return 0, fmt.Errorf("%w: unsigned %d out of int64 range", ErrBadValue, v)
	}
	return int64(v), nil
}

// BinaryUint decodes a binary integer value of column col as unsigned.
// Negative values of signed columns are an error.
func BinaryUint(b []byte, col *Column) (uint64, error) {
	v, signed, err := binaryInt(b, col)
	if err != nil {
		return 0, err
	}
	if signed && int64(v) < 0 {
		return 0, fmt.Errorf("%w: negative %d read as unsigned", ErrBadValue, int64(v))
	}
	return v, nil
}

// BinaryFloat32 decodes a binary FLOAT.
func BinaryFloat32(b []byte) (float32, error) {
	if len(b) != 4 {
		return 0, badBinary("float length", b)
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b)), nil
}

// BinaryFloat64 decodes a binary DOUBLE.
func BinaryFloat64(b []byte) (float64, error) {
	if len(b) != 8 {
		return 0, badBinary("double length", b)
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}

// BinaryDateTime decodes a binary DATE, DATETIME or TIMESTAMP (the 0, 4, 7
// or 11 bytes after its length byte) in loc; nil means UTC. Like
// ParseDateTime, it returns the zero time.Time for a zero date or a date
// with a zero month or day.
func BinaryDateTime(b []byte, loc *time.Location) (time.Time, error) {
	var y, mo, d, h, mi, s, us int
	switch len(b) {
	case 0:
		return time.Time{}, nil
	case 11:
		us = int(binary.LittleEndian.Uint32(b[7:]))
		fallthrough
	case 7:
		h, mi, s = int(b[4]), int(b[5]), int(b[6])
		fallthrough
	case 4:
		y, mo, d = int(binary.LittleEndian.Uint16(b)), int(b[2]), int(b[3])
	default:
		return time.Time{}, badBinary("datetime length", b)
	}
	if y > 9999 || mo > 12 || d > 31 || h > 23 || mi > 59 || s > 59 || us > 999999 {
		return time.Time{}, badBinary("datetime", b)
	}
	if mo == 0 || d == 0 {
		if y|mo|d == 0 && h|mi|s|us != 0 {
			return time.Time{}, badBinary("datetime with a zero date", b)
		}
		return time.Time{}, nil
	}
	if d > daysIn(mo, y) {
		return time.Time{}, badBinary("invalid date", b)
	}
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, us*1000, loc), nil
}

// BinaryDuration decodes a binary TIME (the 0, 8 or 12 bytes after its
// length byte: sign, days, hours, minutes, seconds, microseconds).
func BinaryDuration(b []byte) (time.Duration, error) {
	var us int64
	switch len(b) {
	case 0:
		return 0, nil
	case 12:
		us = int64(binary.LittleEndian.Uint32(b[8:]))
	case 8:
	default:
		return 0, badBinary("time length", b)
	}
	days := int64(binary.LittleEndian.Uint32(b[1:]))
	h, m, s := int64(b[5]), int64(b[6]), int64(b[7])
	if b[0] > 1 || days > 34 || m > 59 || s > 59 || us > 999999 {
		return 0, badBinary("time", b)
	}
	d := time.Duration(days*24+h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(us)*time.Microsecond
	if d > maxTime {
		return 0, badBinary("time out of range", b)
	}
	if b[0] == 1 {
		d = -d
	}
	return d, nil
}
