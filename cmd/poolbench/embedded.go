package main

import (
	"fmt"
	"net"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/memory"
	"github.com/dolthub/go-mysql-server/server"
	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/sirupsen/logrus"
)

// embedded is an in-process MySQL-compatible server (go-mysql-server's
// in-memory engine), the target when no DSN is given.
type embedded struct {
	srv  *server.Server
	addr string
}

type noopPersister struct{}

func (noopPersister) Persist(*gsql.Context, []byte) error { return nil }

// startEmbedded starts the engine on a loopback port with a database
// "poolbench" and no authentication.
func startEmbedded() (*embedded, error) {
	logrus.SetLevel(logrus.ErrorLevel)
	db := memory.NewDatabase("poolbench")
	db.BaseDatabase.EnablePrimaryKeyIndexes()
	pro := memory.NewDBProvider(db)
	engine := sqle.NewDefault(pro)
	engine.Analyzer.Catalog.MySQLDb.SetPersister(noopPersister{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv, err := server.NewServer(server.Config{Protocol: "tcp", Address: ln.Addr().String(), Listener: ln},
		engine, gsql.NewContext, memory.NewSessionBuilder(pro), nil)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("embedded server: %w", err)
	}
	go srv.Start()
	return &embedded{srv: srv, addr: ln.Addr().String()}, nil
}

// DSN is how to reach the embedded server.
func (e *embedded) DSN() string { return "root@tcp(" + e.addr + ")/poolbench" }

func (e *embedded) Close() { e.srv.Close() }
