package actor

// ErrRevoked is returned by every command on a lent handle whose lease has
// ended (a pooled connection used after Release): the connection may
// already belong to someone else, so nothing is sent.
var ErrRevoked = newSentinel("the connection handle was given back (its lease ended); it may now belong to someone else")

// Lend starts a new lease on the connection and returns a handle for it,
// which works like c until the lease ends: at the next Lend or Reclaim.
// After that every command on the handle — and on cursors and statements
// made through it — fails with ErrRevoked before anything is sent, Close
// and EnsureClosed do nothing, and Closed reports true. Only the owner's
// handle (the one Connect returned) lends. into, when not nil, is filled
// in and returned instead of a new handle; it must not have been used for
// an earlier lease, or a stale holder would see the new one.
func (c *Conn) Lend(into *Conn) *Conn {
	c.mustOwn("Lend")
	if into == nil {
		into = new(Conn)
	}
	*into = Conn{core: c.core, lease: c.leases.Add(1)}
	return into
}

// Reclaim ends the current lease, if any: the lent handle stops working.
func (c *Conn) Reclaim() {
	c.mustOwn("Reclaim")
	c.leases.Add(1)
}

func (c *Conn) mustOwn(op string) {
	if c.lease != 0 {
		panic("amysql: " + op + " called on a lent connection handle")
	}
}

// revoked reports whether c is a lent handle whose lease has ended.
func (c *Conn) revoked() bool { return c.lease != 0 && c.lease != c.leases.Load() }
