package proto

// LenEncInt decodes a length-encoded integer at the start of b. It returns
// the value, whether it was the NULL marker (0xfb), and the number of bytes
// used; n == 0 means b is too short or starts with an invalid marker.
func LenEncInt(b []byte) (v uint64, null bool, n int) {
	if len(b) == 0 {
		return 0, false, 0
	}
	switch c := b[0]; {
	case c < 0xfb:
		return uint64(c), false, 1
	case c == 0xfb:
		return 0, true, 1
	case c == 0xfc:
		if len(b) < 3 {
			return 0, false, 0
		}
		return uint64(b[1]) | uint64(b[2])<<8, false, 3
	case c == 0xfd:
		if len(b) < 4 {
			return 0, false, 0
		}
		return uint64(b[1]) | uint64(b[2])<<8 | uint64(b[3])<<16, false, 4
	case c == 0xfe:
		if len(b) < 9 {
			return 0, false, 0
		}
		return uint64(b[1]) | uint64(b[2])<<8 | uint64(b[3])<<16 | uint64(b[4])<<24 |
			uint64(b[5])<<32 | uint64(b[6])<<40 | uint64(b[7])<<48 | uint64(b[8])<<56, false, 9
	default: // 0xff is an error marker, never a length
		return 0, false, 0
	}
}

// LenEncString decodes a length-encoded string at the start of b, returning
// the string bytes (a view into b) and the total bytes used. n == 0 means
// malformed; null reports the NULL marker.
func LenEncString(b []byte) (s []byte, null bool, n int) {
	v, null, m := LenEncInt(b)
	if m == 0 || null {
		return nil, null, m
	}
	if v > uint64(len(b)-m) {
		return nil, false, 0
	}
	end := m + int(v)
	return b[m:end:end], false, end
}

// AppendLenEncInt appends v as a length-encoded integer.
func AppendLenEncInt(dst []byte, v uint64) []byte {
	switch {
	case v < 0xfb:
		return append(dst, byte(v))
	case v <= 0xffff:
		return append(dst, 0xfc, byte(v), byte(v>>8))
	case v <= 0xffffff:
		return append(dst, 0xfd, byte(v), byte(v>>8), byte(v>>16))
	default:
		return append(dst, 0xfe, byte(v), byte(v>>8), byte(v>>16), byte(v>>24),
			byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56))
	}
}

// AppendLenEncString appends s as a length-encoded string.
func AppendLenEncString(dst []byte, s string) []byte {
	return append(AppendLenEncInt(dst, uint64(len(s))), s...)
}

// nulString returns the NUL-terminated string at the start of b and the
// bytes used including the terminator; n == 0 means no terminator.
func nulString(b []byte) (s []byte, n int) {
	for i, c := range b {
		if c == 0 {
			return b[:i], i + 1
		}
	}
	return nil, 0
}
