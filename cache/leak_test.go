package cache

import (
	"os"
	"testing"

	"github.com/cams-exporter/cams_exporter/internal/leakcheck"
)

// TestMain fails the package when a test leaves a goroutine behind. Run
// by BenchmarkRestorePeak as a child process, it restores a file and
// reports its memory instead.
func TestMain(m *testing.M) {
	if path := os.Getenv(restoreChildEnv); path != "" {
		restoreChild(path)
		return
	}
	leakcheck.Main(m)
}
