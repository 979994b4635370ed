package main

import (
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

// A port in use stops the exporter with exit code 1 and an error that
// names --web.listen-address and what to do.
func TestPortInUseNamesTheFlag(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var code int
	out := captureStderr(t, func() {
		code = run([]string{"--web.listen-address=" + l.Addr().String(), "--cams.endpoint=http://127.0.0.1:1", "--cams.space=cams-x"})
	})
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	want := "--web.listen-address " + l.Addr().String() + " is already in use"
	if !strings.Contains(out, want) || !strings.Contains(out, "choose another address") {
		t.Errorf("log %q lacks %q and a remedy", out, want)
	}
}

func TestExplainListenError(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4zero, Port: 80}
	listen := func(errno error) error {
		return &net.OpError{Op: "listen", Net: "tcp", Addr: addr, Err: &os.SyscallError{Syscall: "bind", Err: errno}}
	}
	tests := []struct {
		err  error
		want string
	}{
		{listen(syscall.EACCES), "--web.listen-address 0.0.0.0:80: permission denied; a port below 1024 needs privileges"},
		{listen(syscall.EADDRNOTAVAIL), "--web.listen-address 0.0.0.0:80 is not an address of this host"},
		{listen(syscall.EINVAL), "--web.listen-address: cannot listen: listen tcp 0.0.0.0:80: bind: invalid argument"},
	}
	for _, tt := range tests {
		if got := explainListenError(tt.err); got == nil || !strings.Contains(got.Error(), tt.want) {
			t.Errorf("explainListenError(%v) = %v, want %q", tt.err, got, tt.want)
		}
	}
	other := errors.New("http: Server closed")
	if got := explainListenError(other); got != other {
		t.Errorf("an error other than listening's changed: %v", got)
	}
	if explainListenError(nil) != nil {
		t.Error("nil became an error")
	}
}
