package main

import (
	"context"
	"errors"
)

// errInterrupted is returned by a start-up step cut short by a signal.
var errInterrupted = errors.New("interrupted by a signal during start-up")

// interruptible runs a start-up step (reading flags' files, restoring the
// cache) and returns its error, or errInterrupted as soon as ctx ends if the
// step has not returned by then: a step stuck on a file that never answers
// must not make the process deaf to SIGTERM. The step is left running; the
// process is about to exit.
func interruptible(ctx context.Context, step func() error) error {
	done := make(chan error, 1)
	go func() { done <- step() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return errInterrupted
	}
}

// exitCodeOf is the exit code of a start-up that failed with err: 0 when a
// signal stopped it, as a stop asked for is no failure, else 1.
func exitCodeOf(err error) int {
	if errors.Is(err, errInterrupted) {
		return 0
	}
	return 1
}

// startFailure says on one line why start-up ended.
func startFailure(err error) string {
	if errors.Is(err, errInterrupted) {
		return "stopped during start-up"
	}
	return "error: " + err.Error()
}
