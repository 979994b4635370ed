package main

import (
	"testing"

	"github.com/cams-exporter/cams_exporter/internal/leakcheck"
)

// TestMain fails the package when a test leaves a goroutine behind: a
// refresher, a watcher, a hung request or an idle connection.
func TestMain(m *testing.M) {
	leakcheck.Main(m)
}
