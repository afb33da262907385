// Package actor is the MySQL/MariaDB connection: one goroutine per
// connection serves commands sent to its mailbox, one at a time, in order.
// A *Conn is the handle to it and a *Cursor is a thin client of it, shaped
// after aiomysql's Connection and Cursor.
//
// The socket and session state belong to whoever holds the connection's
// wire lock. When a command finds the connection idle (nothing in flight
// or queued) its caller takes the lock and runs the command itself, which
// saves the two goroutine hand-offs of a mailbox round trip; anything else
// queues in the mailbox behind it.
//
// Every method that can block takes a context.Context. When it ends, the
// caller gets ctx.Err() at once while the connection stops the statement on
// the server (KILL QUERY over a short side connection) and reads what is
// left of its result, so the connection stays usable; if it cannot
// resynchronise in time it closes the connection and reports ErrBadConn
// from then on.
package actor
