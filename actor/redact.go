package actor

import (
	"bytes"
	"errors"
	"strings"

	"github.com/amysql/amysql/proto"
)

// sentStatement is what a statement sent with COM_QUERY was built from:
// the caller's query and arguments, or a batch ExecuteMany built. A server
// error may quote the statement, interpolated values included; redact
// rewrites those as ?, so error text and Echo logs show no argument value
// (as the binary protocol's do not).
type sentStatement struct {
	sql  string
	args []any
	bulk *bulkBatch
	opts proto.LiteralOptions
	// packet is the statement as sent, in the packet writer's buffer: a
	// later write (LOCAL INFILE data, the split of a payload above 16 MiB)
	// may have overwritten it.
	packet []byte
}

func (st *sentStatement) interpolated() bool { return st.args != nil || st.bulk != nil }

// redact rewrites the message of a server error in err (see
// proto.RedactMessage) and returns err. It rebuilds the statement with its
// literals' positions, which the success path never records. When the
// rebuilt statement is not the one sent (a driver.Valuer that fails, or
// answers differently, the second time; a packet buffer overwritten since),
// everything the message quotes is replaced.
func (st *sentStatement) redact(err error) error {
	var se *proto.Error
	if !st.interpolated() || !errors.As(err, &se) {
		return err
	}
	var stmt []byte
	var lits []proto.Range
	ok := false
	if st.bulk != nil {
		stmt, lits, ok = st.bulk.literals()
	} else {
		var ierr error
		stmt, lits, ierr = proto.InterpolateLiterals(nil, st.sql, st.args, st.opts)
		ok = ierr == nil && bytes.Equal(stmt, st.packet)
	}
	if ok {
		se.Message = proto.RedactMessage(se.Code, se.Message, stmt, lits)
	} else {
		se.Message = redactQuoted(se.Message)
	}
	return err
}

// redactQuoted replaces everything from the first quote of msg to its
// last with '?'.
func redactQuoted(msg string) string {
	i, j := strings.IndexByte(msg, '\''), strings.LastIndexByte(msg, '\'')
	if i < 0 || i == j {
		return msg
	}
	return msg[:i] + "'?" + msg[j:]
}

// bulkBatch is a multi-row statement ExecuteMany built, and the rows it
// was built from.
type bulkBatch struct {
	stmt []byte
	bulk proto.BulkInsert
	rows [][]any
	opts proto.LiteralOptions
}

// literals rebuilds the statement with the positions of its literals, and
// reports whether it is the statement that was sent.
func (b *bulkBatch) literals() ([]byte, []proto.Range, bool) {
	out := append(make([]byte, 0, len(b.stmt)), b.bulk.Prefix...)
	var lits []proto.Range
	for i, args := range b.rows {
		if i > 0 {
			out = append(out, ',')
		}
		base := len(out)
		var rl []proto.Range
		var err error
		if out, rl, err = proto.InterpolateLiterals(out, b.bulk.Row, args, b.opts); err != nil {
			return nil, nil, false
		}
		for _, r := range rl {
			lits = append(lits, proto.Range{Start: base + r.Start, End: base + r.End})
		}
	}
	out = append(out, b.bulk.Tail...)
	return out, lits, bytes.Equal(out, b.stmt)
}
