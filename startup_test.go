package main

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestInterruptible(t *testing.T) {
	failed := errors.New("bad flag")
	if err := interruptible(context.Background(), func() error { return failed }); err != failed {
		t.Errorf("a step that fails: got %v", err)
	}
	if err := interruptible(context.Background(), func() error { return nil }); err != nil {
		t.Errorf("a step that succeeds: got %v", err)
	}

	// A step stuck on a file that never answers: the signal ends the wait.
	release := make(chan struct{})
	finished := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	err := interruptible(ctx, func() error { <-release; close(finished); return nil })
	if !errors.Is(err, errInterrupted) || exitCodeOf(err) != 0 || startFailure(err) != "stopped during start-up" {
		t.Errorf("got %v (exit %d, %q), want errInterrupted, exit 0", err, exitCodeOf(err), startFailure(err))
	}
	if exitCodeOf(failed) != 1 || startFailure(failed) != "error: bad flag" {
		t.Errorf("a failed start-up: exit %d, %q", exitCodeOf(failed), startFailure(failed))
	}
	close(release) // let the step end, for the leak check
	<-finished
}
