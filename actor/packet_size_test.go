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

func TestPacketLargerThanTheServerLimit(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Args: []string{"--max-allowed-packet=1M"}})
	c := connectCfg(t, targetConfig(t, srv.Target()))
	_, err := c.Cursor().Execute(ctxT(t), "SELECT LENGTH(?)", make([]byte, 2<<20))
	if !errors.Is(err, actor.ErrPacketTooLarge) {
		t.Fatalf("2 MiB statement against a 1 MiB server = %v, want ErrPacketTooLarge", err)
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
