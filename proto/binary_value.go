package proto

import (
	"encoding/binary"
	"math"
	"time"
)

// BinaryInt decodes a signed binary integer of the column's width.
func BinaryInt(b []byte, col *Column) (int64, error) {
	switch len(b) {
	case 1:
		return int64(int8(b[0])), nil
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(b))), nil
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(b))), nil
	case 8:
		return int64(binary.LittleEndian.Uint64(b)), nil
	}
	return 0, badValue("binary integer", b)
}

// BinaryUint decodes an unsigned binary integer of the column's width.
func BinaryUint(b []byte, col *Column) (uint64, error) {
	switch len(b) {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)), nil
	case 4:
		return uint64(binary.LittleEndian.Uint32(b)), nil
	case 8:
		return binary.LittleEndian.Uint64(b), nil
	}
	return 0, badValue("binary integer", b)
}

// BinaryFloat32 decodes a binary FLOAT.
func BinaryFloat32(b []byte) (float32, error) {
	if len(b) != 4 {
		return 0, badValue("binary float", b)
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b)), nil
}

// BinaryFloat64 decodes a binary DOUBLE.
func BinaryFloat64(b []byte) (float64, error) {
	if len(b) != 8 {
		return 0, badValue("binary double", b)
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}

// BinaryDateTime decodes a binary DATE, DATETIME or TIMESTAMP (the bytes
// after its length prefix). Zero dates give the zero time.Time.
func BinaryDateTime(b []byte, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
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
		return time.Time{}, badValue("binary datetime", b)
	}
	if mo == 0 || d == 0 {
		return time.Time{}, nil
	}
	if mo > 12 || d > daysIn(mo, y) || h > 23 || mi > 59 || s > 59 || us > 999999 {
		return time.Time{}, badValue("binary datetime", b)
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, us*1000, loc), nil
}

// BinaryDuration decodes a binary TIME (the bytes after its length prefix).
func BinaryDuration(b []byte) (time.Duration, error) {
	var us int64
	switch len(b) {
	case 0:
		return 0, nil
	case 12:
		us = int64(binary.LittleEndian.Uint32(b[8:]))
	case 8:
	default:
		return 0, badValue("binary time", b)
	}
	days := int64(binary.LittleEndian.Uint32(b[1:]))
	h, m, s := int64(b[5]), int64(b[6]), int64(b[7])
	if days > 34 || h > 23 || m > 59 || s > 59 || us > 999999 {
		return 0, badValue("binary time", b)
	}
	d := time.Duration(days*24+h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(us)*time.Microsecond
	if b[0] == 1 {
		d = -d
	}
	return d, nil
}
