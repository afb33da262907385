// Package actor is the MySQL/MariaDB connection: one goroutine per
// connection owns the socket and all session state and serves commands sent
// to its mailbox. A *Conn is the handle to that goroutine and a *Cursor is a
// thin client of it, shaped after aiomysql's Connection and Cursor.
//
// Every method that can block takes a context.Context. When it ends, the
// caller gets ctx.Err() at once while the actor stops the statement on the
// server (KILL QUERY over a short side connection) and reads what is left
// of its result, so the connection stays usable; if it cannot resynchronise
// in time it closes the connection and reports ErrBadConn from then on.
package actor
