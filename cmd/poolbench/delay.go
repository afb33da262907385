package main

import (
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/faultproxy"
)

// delayed puts a proxy that delays every chunk by half rtt, each way,
// between cfg's clients and its server, and points cfg at it.
func delayed(cfg *actor.Config, rtt time.Duration) (*faultproxy.Proxy, error) {
	network, addr := "tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	switch {
	case len(cfg.Hosts) > 0:
		return nil, errors.New("-rtt takes a DSN with one host")
	case cfg.UnixSocket != "":
		network, addr = "unix", cfg.UnixSocket
	case cfg.Host == "":
		addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(max(cfg.Port, 3306)))
	case cfg.Port == 0:
		addr = net.JoinHostPort(cfg.Host, "3306")
	}
	p, err := faultproxy.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	p.Set(faultproxy.Fault{Latency: rtt / 2})
	cfg.UnixSocket, cfg.Host, cfg.Port = "", "127.0.0.1", p.Port()
	return p, nil
}
