package actor_test

import (
	"database/sql"
	"fmt"
	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
	"net"
	"strconv"
	"testing"
)

func fmtV(v any) string      { return fmt.Sprintf("%v", v) }
func fmtPlusV(v any) string  { return fmt.Sprintf("%+v", v) }
func fmtSharpV(v any) string { return fmt.Sprintf("%#v", v) }

// silentListener accepts connections and never writes; it returns its port.
func silentListener(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().(*net.TCPAddr).Port
}

type rawBytes = sql.RawBytes

func itoa(n int) string { return strconv.Itoa(n) }

type protoFieldType = proto.FieldType

const typeNewDecimal = proto.TypeNewDecimal

// testConfigNoServer is a configuration for fake peers on loopback.
func testConfigNoServer() actor.Config {
	return actor.Config{Host: "127.0.0.1", User: "fake", Password: "pw"}
}

func cursorKind(k int) actor.CursorKind { return actor.CursorKind(k) }

func parseInt(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }
