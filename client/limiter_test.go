package client

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

func TestLimiterHalvesAndRecovers(t *testing.T) {
	l := NewLimiter(4)
	steps := []struct {
		action func()
		want   float64
	}{
		{l.Throttled, 2},
		{l.Throttled, 1},
		{l.Succeeded, 1.2},
		{l.Succeeded, 1.4},
		{l.Throttled, 0.7},
	}
	for i, s := range steps {
		s.action()
		if got := l.Rate(); math.Abs(got-s.want) > 1e-9 {
			t.Fatalf("step %d: rate %v, want %v", i, got, s.want)
		}
	}
	for range 100 {
		l.Succeeded()
	}
	if l.Rate() != 4 {
		t.Errorf("rate after many successes = %v, want the configured 4 and never above", l.Rate())
	}
	for range 100 {
		l.Throttled()
	}
	if want := 4.0 / 64; l.Rate() != want {
		t.Errorf("rate after many throttles = %v, want the floor %v", l.Rate(), want)
	}
}

func TestLimiterSpacesCalls(t *testing.T) {
	l := NewLimiter(50)
	ctx := context.Background()
	start := time.Now()
	for range 11 {
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// 11 calls at 50/s with a burst of 1 need at least 10 intervals of 20 ms.
	if elapsed := time.Since(start); elapsed < 190*time.Millisecond {
		t.Errorf("11 calls took %v, want at least 200ms: the limiter let a burst through", elapsed)
	}
}

// TestWaitPastTheDeadlineIsTheDeadline: a call that could only go after the
// context's deadline ends with the context's own error, once the deadline
// has passed, never with an error a caller would take for the call's.
func TestWaitPastTheDeadlineIsTheDeadline(t *testing.T) {
	l := NewLimiter(1)
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := l.Wait(ctx) // the next call may go in a second
	if !errors.Is(err, context.DeadlineExceeded) || ctx.Err() == nil {
		t.Fatalf("got %v with ctx.Err() %v, want context.DeadlineExceeded after the deadline", err, ctx.Err())
	}
}
