package leakcheck

import (
	"strings"
	"testing"
	"time"
)

func TestSettledWaitsForAGoroutineThatEnds(t *testing.T) {
	release := make(chan struct{})
	done := make(chan struct{})
	go func() { <-release; close(done) }()
	time.AfterFunc(300*time.Millisecond, func() { close(release) })
	var out strings.Builder
	if !settled(&out, time.Now().Add(time.Hour)) {
		t.Fatalf("a goroutine that ends was reported: %s", out.String())
	}
	<-done
}

func TestSettledReportsAGoroutineLeftBehind(t *testing.T) {
	release := make(chan struct{})
	done := make(chan struct{})
	go func() { <-release; close(done) }()
	defer func() { close(release); <-done }()
	var out strings.Builder
	if settled(&out, time.Now()) {
		t.Fatal("a goroutine still blocked was not reported")
	}
	if !strings.Contains(out.String(), "TestSettledReportsAGoroutineLeftBehind") {
		t.Errorf("the report does not show the goroutine's stack:\n%s", out.String())
	}
}
