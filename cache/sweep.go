package cache

import (
	"cmp"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// tempInfix joins the cache file's name and the random digits of a write's
// temporary file: cams.cache.tmp-123456789 (os.CreateTemp's digits).
const tempInfix = ".tmp-"

// sweepBatch is how many directory entries Sweep reads at a time: a
// directory of many files is read in bounded memory.
const sweepBatch = 256

// isTemp reports whether name (a file name, without its directory) is the
// name of a temporary file of a write of the cache file named base.
func isTemp(base, name string) bool {
	digits, ok := strings.CutPrefix(name, base+tempInfix)
	if !ok || digits == "" || len(digits) > 20 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Sweep removes what killed writes of the cache file path left behind: the
// regular files beside it named as its temporary files are (see isTemp),
// nothing else. It returns how many it removed, and the first error met.
// Call it only while holding the file's lock (see LockFile), so that no
// other exporter is writing one. What killed writes leave in the journal (a
// last write cut short, a journal of another write of the file) the Writer
// tidies when it starts.
func Sweep(path string) (removed int, err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	d, err := os.Open(dir)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	var first error
	for {
		entries, err := d.ReadDir(sweepBatch)
		for _, e := range entries {
			if !e.Type().IsRegular() || !isTemp(base, e.Name()) {
				continue
			}
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				first = cmp.Or(first, err)
				continue
			}
			removed++
		}
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return removed, cmp.Or(first, err)
		}
	}
}
