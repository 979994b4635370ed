package mixin

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// root is the repository's root, from this package's directory.
const root = "../.."

// TestGeneratedFilesAreCurrent: every file `make mixin` generates is
// committed as the mixin generates it now.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	out, err := Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(files) {
		t.Fatalf("Generate returned %d files, want %d", len(out), len(files))
	}
	for _, path := range slices.Sorted(maps.Keys(out)) {
		full := filepath.Join(root, path)
		if fi, err := os.Lstat(full); err != nil {
			t.Errorf("%s: %v: run `make mixin`", path, err)
			continue
		} else if !fi.Mode().IsRegular() {
			t.Errorf("%s is not a regular file (%s): run `make mixin`", path, fi.Mode().Type())
			continue
		}
		committed, err := os.ReadFile(full)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(committed, out[path]) {
			t.Errorf("%s differs from what the mixin in mixin/ generates (%s): run `make mixin` and commit the result", path, firstDifference(committed, out[path]))
		}
	}
}

// firstDifference names the first line where got and want differ.
func firstDifference(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	line := func(l []string, i int) string {
		if i < len(l) {
			return fmt.Sprintf("%q", l[i])
		}
		return "nothing (the file ends)"
	}
	for i := range max(len(g), len(w)) {
		if i >= len(g) || i >= len(w) || g[i] != w[i] {
			return fmt.Sprintf("line %d: committed %s, generated %s", i+1, line(g, i), line(w, i))
		}
	}
	return "no line differs"
}

// TestJsonnetIsFormatted: the mixin's jsonnet is as jsonnetfmt formats it.
func TestJsonnetIsFormatted(t *testing.T) {
	changed, err := FormatSources(filepath.Join(root, "mixin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range slices.Sorted(maps.Keys(changed)) {
		rel, err := filepath.Rel(root, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s is not formatted as jsonnetfmt formats it: run `make mixin`", rel)
	}
}
