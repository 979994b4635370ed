// Command mixin formats the jsonnet of the monitoring mixin in mixin/ as
// jsonnetfmt does, and writes the files generated from it
// (alerts/cams_exporter.rules.yml, dashboards/cams_exporter.json and the
// Helm chart's copies): `make mixin` runs it from the repository's root.
//
//	go run ./scripts/mixin
package main

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/cams-exporter/cams_exporter/internal/mixin"
)

func main() {
	formatted, err := mixin.FormatSources("mixin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "mixin:", err)
		os.Exit(1)
	}
	for _, path := range slices.Sorted(maps.Keys(formatted)) {
		if err := write(path, formatted[path]); err != nil {
			fmt.Fprintln(os.Stderr, "mixin:", err)
			os.Exit(1)
		}
	}
	out, err := mixin.Generate(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "mixin:", err)
		os.Exit(1)
	}
	for _, path := range slices.Sorted(maps.Keys(out)) {
		if err := write(path, out[path]); err != nil {
			fmt.Fprintln(os.Stderr, "mixin:", err)
			os.Exit(1)
		}
	}
}

// write replaces path with b unless it holds b already, through a
// temporary file in its directory, so that a failure leaves the old file
// whole. A link at path (the chart's files/ once linked to alerts/ and
// dashboards/) is replaced, not followed.
func write(path string, b []byte) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
			return nil
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	fmt.Println("mixin: wrote", path)
	return nil
}
