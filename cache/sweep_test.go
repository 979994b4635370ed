package cache

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestIsTemp(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"cams.cache.tmp-1", true},
		{"cams.cache.tmp-4294967295", true}, // os.CreateTemp's largest
		{"cams.cache.tmp-12345678901234567890", true},
		{"cams.cache.tmp-123456789012345678901", false},
		{"cams.cache.tmp-", false},
		{"cams.cache.tmp-12a", false},
		{"cams.cache.tmp--1", false},
		{"cams.cache.tmp-1.json", false},
		{"cams.cache", false},
		{"cams.cache.lock", false},
		{"cams.cachex.tmp-1", false},
		{"xcams.cache.tmp-1", false},
		{"other.tmp-1", false},
	}
	for _, tt := range tests {
		if got := isTemp("cams.cache", tt.name); got != tt.want {
			t.Errorf("isTemp(cams.cache, %q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A directory holding 300 leftovers among 300 other files (more than two
// batches of sweepBatch entries): every leftover goes, and nothing else.
func TestSweepManyLeftovers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cams.cache")
	os.WriteFile(path, []byte("cache"), 0o600)
	others := plantOthers(t, dir)
	const n = 300
	for i := range n {
		os.WriteFile(fmt.Sprintf("%s.tmp-%d", path, 1000+i), nil, 0o600)
		name := fmt.Sprintf("other-%d.tmp-%d", i, i)
		os.WriteFile(filepath.Join(dir, name), nil, 0o600)
		others = append(others, name)
	}
	removed, err := Sweep(path)
	if err != nil || removed != n {
		t.Fatalf("Sweep = %d, %v; want %d removed", removed, err, n)
	}
	checkOthers(t, dir, others)
	if removed, err := Sweep(path); removed != 0 || err != nil {
		t.Errorf("a second Sweep = %d, %v; want nothing", removed, err)
	}
}

func TestSweepOfAMissingDirectory(t *testing.T) {
	if _, err := Sweep(filepath.Join(t.TempDir(), "missing", "cams.cache")); !os.IsNotExist(err) {
		t.Errorf("Sweep in a missing directory: %v, want not exist", err)
	}
}
