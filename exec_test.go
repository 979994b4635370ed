package main

import (
	"net"
	"os/exec"
	"strings"
)

// runWithStdin runs a program with input on its standard input and returns
// what it printed.
func runWithStdin(path, input string, args ...string) (string, error) {
	cmd := exec.Command(path, args...)
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
