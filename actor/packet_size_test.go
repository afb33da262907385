package actor_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/proto"
)

func TestValueAcrossThe16MiBPacketBoundary(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Args: []string{"--max-allowed-packet=64M"}})
	c := connectCfg(t, targetConfig(t, srv.Target()))
	tbl := tempTable(t, c, "amysql_big", "(id INT PRIMARY KEY, b LONGBLOB)")
	big := make([]byte, 20<<20)
	for i := range big {
		big[i] = byte(i*31 + i>>16)
	}
	if _, err := c.Cursor().Execute(ctxT(t), "INSERT INTO "+tbl+" VALUES (1, ?)", big); err != nil {
		t.Fatalf("insert 20 MiB: %v", err)
	}
	for _, kind := range []actor.CursorKind{actor.TupleCursor, actor.SSCursor} {
		cur := c.Cursor(kind)
		if _, err := cur.Execute(ctxT(t), "SELECT b, LENGTH(b) FROM "+tbl+" WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		row, err := cur.FetchOne(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		if row[1] != int64(len(big)) || !bytes.Equal(row[0].([]byte), big) {
			t.Errorf("%v: read back %d bytes (server length %v), want the 20 MiB written", kind, len(row[0].([]byte)), row[1])
		}
	}
}

// The server answers a packet above its max_allowed_packet with 1153 and
// closes the session: the error matches ErrPacketTooLarge and the server
// error, and says the connection is gone (IsBadConn), as it is.
func TestPacketLargerThanTheServerLimitBreaksTheConnection(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Args: []string{"--max-allowed-packet=1M"}})
	for _, size := range []int{1<<20 + 1<<10, 2 << 20} {
		c := connectCfg(t, targetConfig(t, srv.Target()))
		_, err := c.Cursor().Execute(ctxT(t), "SELECT LENGTH(?)", make([]byte, size))
		if !errors.Is(err, actor.ErrPacketTooLarge) {
			t.Fatalf("%d-byte statement against a 1 MiB server = %v, want ErrPacketTooLarge", size, err)
		}
		var se *proto.Error
		if !errors.As(err, &se) || se.Code != proto.ErNetPacketTooLarge {
			t.Errorf("%d bytes: error %v does not carry the server's 1153", size, err)
		}
		if !actor.IsBadConn(err) || !c.Closed() {
			t.Errorf("%d bytes: IsBadConn = %v, Closed = %v; want both true", size, actor.IsBadConn(err), c.Closed())
		}
		if actor.SafeToRetry(err) {
			t.Errorf("%d bytes: SafeToRetry = true for a statement that was sent", size)
		}
	}
}

func TestPacketLargerThanTheClientLimitIsNotSent(t *testing.T) {
	c := connect(t, func(cfg *actor.Config) { cfg.MaxAllowedPacket = 1 << 20 })
	_, err := c.Cursor().Execute(ctxT(t), "SELECT LENGTH(?)", make([]byte, 2<<20))
	if !errors.Is(err, proto.ErrPacketTooLarge) {
		t.Fatalf("oversized statement = %v, want ErrPacketTooLarge", err)
	}
	// Nothing was sent, so the connection is still in sync.
	if got := queryRow(t, c, "SELECT LENGTH(?)", make([]byte, 1000))[0]; got != int64(1000) {
		t.Errorf("next statement = %v", got)
	}
}
