//go:build !unix

package actor

import "net"

type prober struct{}

func newProber(net.Conn) *prober { return nil }

func (*prober) probe() bool { return true }
