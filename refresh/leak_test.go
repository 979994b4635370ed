package refresh

import (
	"testing"

	"github.com/cams-exporter/cams_exporter/internal/leakcheck"
)

// TestMain fails the package when a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	leakcheck.Main(m)
}
