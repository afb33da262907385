// Package proto implements the MySQL/MariaDB client/server wire protocol as
// pure code: packet framing, the handshake, authentication plugins, commands,
// result sets, text and binary row codecs, escaping and errors.
//
// Nothing in this package starts goroutines or dials sockets; readers and
// writers are plain io.Reader and io.Writer values, so every message can be
// tested byte for byte without a server.
package proto
