package proto

// AppendCommand appends a command payload: the command byte and its
// argument (a query, a schema name, ...).
func AppendCommand(dst []byte, cmd byte, arg string) []byte {
	return append(append(dst, cmd), arg...)
}

// LocalInfileRequest returns the file name of a LOCAL INFILE request packet
// (first byte 0xfb).
func LocalInfileRequest(b []byte) (name []byte, ok bool) {
	if len(b) == 0 || b[0] != HeaderLocalInfile {
		return nil, false
	}
	return b[1:], true
}
