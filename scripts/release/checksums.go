package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// checksumsName is the file of the artifacts' SHA-256 sums, in the format
// of sha256sum, so that `sha256sum -c sha256sums.txt` checks them.
const checksumsName = "sha256sums.txt"

// writeChecksums writes the SHA-256 of every file in dist, sorted by name.
func writeChecksums(dist string) (string, error) {
	entries, err := os.ReadDir(dist)
	if err != nil {
		return "", err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name() != checksumsName {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	err = writeFileAtomically(filepath.Join(dist, checksumsName), func(w io.Writer) error {
		for _, name := range names {
			sum, err := sha256File(filepath.Join(dist, name))
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(w, "%s  %s\n", sum, name); err != nil {
				return err
			}
		}
		return nil
	})
	return fmt.Sprintf("%s (%d files)", checksumsName, len(names)), err
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
