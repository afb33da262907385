package actor_test

import (
	"net"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
)

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// TestConnectFailuresSayWhetherRetryingCanHelp: a connect that failed in
// transport is SafeToRetry, one the server refused is not.
func TestConnectFailuresSayWhetherRetryingCanHelp(t *testing.T) {
	base := testConfig(t)
	wrongPassword := base
	wrongPassword.Password = "definitely-wrong-" + base.Password
	unknownDB := base
	unknownDB.DB = "amysql_no_such_database_ever"
	for _, tt := range []struct {
		name string
		cfg  actor.Config
		want bool
	}{
		{"refused dial", actor.Config{Host: "127.0.0.1", Port: closedPort(t), User: "x"}, true},
		{"silent server", actor.Config{Host: "127.0.0.1", Port: silentListener(t), User: "x", ConnectTimeout: 100 * time.Millisecond}, true},
		{"wrong password", wrongPassword, false},
		{"unknown database", unknownDB, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := actor.Connect(ctxT(t), tt.cfg)
			if err == nil {
				t.Fatal("Connect succeeded")
			}
			if got := actor.SafeToRetry(err); got != tt.want {
				t.Errorf("SafeToRetry(%v) = %v, want %v", err, got, tt.want)
			}
		})
	}
}
