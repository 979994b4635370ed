package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: a
// refresher, a watcher, a hung request or an idle connection.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
