package main

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// explainListenError names --web.listen-address in a failure to listen,
// with what to do about it; other errors pass unchanged. net.Listen's own
// message ("listen tcp :9949: bind: address already in use") names neither.
func explainListenError(err error) error {
	var op *net.OpError
	if err == nil || !errors.As(err, &op) || op.Op != "listen" {
		return err
	}
	addr := "?"
	if op.Addr != nil {
		addr = op.Addr.String()
	}
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Errorf("--web.listen-address %s is already in use (another cams_exporter?): stop what listens there, or choose another address such as --web.listen-address=:9950", addr)
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("--web.listen-address %s: permission denied; a port below 1024 needs privileges: choose a higher one, such as the default :9949", addr)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return fmt.Errorf("--web.listen-address %s is not an address of this host: give one of its addresses, or :port for all", addr)
	}
	return fmt.Errorf("--web.listen-address: cannot listen: %v", err)
}
