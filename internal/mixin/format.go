package mixin

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-jsonnet/formatter"
)

// FormatSources returns the mixin's jsonnet files under dir (its .jsonnet
// and .libsonnet files) that jsonnetfmt's defaults would change, by path,
// with their formatted content.
func FormatSources(dir string) (map[string][]byte, error) {
	changed := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".libsonnet") || strings.HasSuffix(path, ".jsonnet")) {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out, err := formatter.Format(path, string(b), formatter.DefaultOptions())
		if err != nil {
			return fmt.Errorf("formatting %s: %w", path, err)
		}
		if out != string(b) {
			changed[path] = []byte(out)
		}
		return nil
	})
	return changed, err
}
