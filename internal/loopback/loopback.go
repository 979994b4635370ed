// Package loopback gives tests loopback addresses to serve on.
package loopback

import (
	"net"
	"testing"
)

// FreeAddr returns a loopback address (127.0.0.1:port) nothing listens on
// at the moment, for a program the test starts.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
