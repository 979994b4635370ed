package main

import (
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
