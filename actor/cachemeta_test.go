package actor_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
)

// greetMariaDB sends a MariaDB-style greeting: CLIENT_MYSQL clear and the
// extended capabilities in the reserved bytes.
func (c *peerConn) greetMariaDB(caps, mariaCaps uint32) {
	c.send(greeting("5.5.5-10.11.0-MariaDB-hostile", caps&^proto.ClientLongPassword, mariaCaps, proto.AuthNativePassword))
}

// A server may skip column definitions only for metadata the client has
// (a prepared statement's). Skipping them for anything else cannot be
// decoded: the client reports a malformed packet and gives the connection
// up instead of guessing the columns.
func TestHostileSkippedColumnDefinitionsTheClientNeverHad(t *testing.T) {
	h := startHostile(t, func(c *peerConn) {
		c.greetMariaDB(baseCaps, proto.MariaDBClientExtendedTypeInfo|proto.MariaDBClientCacheMetadata)
		if _, err := c.read(); err != nil {
			return
		}
		c.send(okPacket)
		if _, ok := c.nextQuery(); !ok {
			return
		}
		c.send([]byte{1, 0}) // one column, definitions skipped
		c.send(proto.AppendLenEncString(nil, "x"))
		c.send([]byte{0xfe, 0, 0, 2, 0, 0, 0})
		c.nextQuery()
	})
	conn, err := actor.Connect(ctxT(t), hostileConfig(h))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = conn.Cursor().Execute(ctx, "SELECT 'x'")
	if !errors.Is(err, proto.ErrMalformedPacket) {
		t.Fatalf("error = %v, want %v", err, proto.ErrMalformedPacket)
	}
	if !conn.Closed() {
		t.Error("the connection is still open after an undecodable result")
	}
}

// The client asks MariaDB to cache prepared statements' metadata. A
// repeated execute then receives no column definitions, so it moves fewer
// bytes than the first one, and still decodes the same row.
func TestPreparedStatementSkipsColumnDefinitionsItAlreadyHas(t *testing.T) {
	c, st, obs := prepareCounting(t, "SELECT 42 AS answer, 'a longish column alias to make definitions big' AS label, ? AS arg")
	ctx := ctxT(t)
	var sizes []int64
	for i := 0; i < 3; i++ {
		cur, err := st.Open(ctx, actor.TupleCursor, int64(i))
		if err != nil {
			t.Fatal(err)
		}
		_, recv := obs.last()
		sizes = append(sizes, recv)
		row, err := cur.FetchOne(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(row), fmt.Sprintf("[42 a longish column alias to make definitions big %d]", i); got != want {
			t.Errorf("execute %d: row %s, want %s", i, got, want)
		}
		cols := cur.Description()
		if len(cols) != 3 || cols[0].Name != "answer" || cols[1].Name != "label" || cols[2].Name != "arg" {
			t.Errorf("execute %d: columns %+v", i, cols)
		}
		cur.Close(ctx)
	}
	if !c.CachesMetadata() {
		t.Skip("server does not offer MARIADB_CLIENT_CACHE_METADATA (MySQL, or MariaDB before 10.6)")
	}
	// A column definition packet is at least its header, "def", four
	// empty names, the alias and 13 fixed bytes: 26 bytes plus the alias.
	minDefs := int64(3*26 + len("answer") + len("label") + len("arg"))
	if sizes[2] != sizes[1] || sizes[1] > sizes[0]-minDefs {
		t.Errorf("bytes received per execute = %v; want the later ones equal and at least %d bytes below the first", sizes, minDefs)
	}
}

// When a table changes under a prepared statement, the server re-sends the
// metadata and the client decodes rows with the new columns, not the ones
// it cached.
func TestPreparedStatementFollowsChangedMetadata(t *testing.T) {
	c := connect(t)
	ctx := ctxT(t)
	tbl := tempTable(t, c, "amysql_cachemeta", "(id INT PRIMARY KEY, v INT)")
	if _, err := c.Cursor().Execute(ctx, "INSERT INTO "+tbl+" VALUES (1, 7)"); err != nil {
		t.Fatal(err)
	}
	st, err := c.Prepare(ctx, "SELECT * FROM "+tbl+" WHERE id = ?")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	fetch := func() ([]any, []actor.Column) {
		t.Helper()
		cur, err := st.Open(ctx, actor.TupleCursor, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer cur.Close(ctx)
		row, err := cur.FetchOne(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return row, cur.Description()
	}
	for i := 0; i < 2; i++ {
		if row, _ := fetch(); fmt.Sprint(row) != "[1 7]" {
			t.Fatalf("before ALTER: row %v", row)
		}
	}
	for _, q := range []string{
		"ALTER TABLE " + tbl + " MODIFY v VARCHAR(20)",
		"UPDATE " + tbl + " SET v = 'seven'",
		"ALTER TABLE " + tbl + " ADD COLUMN w DOUBLE NOT NULL DEFAULT 2.5",
	} {
		if _, err := c.Cursor().Execute(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 2; i++ {
		row, cols := fetch()
		if len(row) != 3 || row[0] != int64(1) || row[1] != "seven" || row[2] != float64(2.5) {
			t.Errorf("after ALTER (execute %d): row %#v", i, row)
		}
		if len(cols) != 3 || cols[2].Name != "w" {
			t.Errorf("after ALTER (execute %d): columns %+v", i, cols)
		}
	}
}
