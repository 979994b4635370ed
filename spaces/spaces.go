// Package spaces reads the list of CAMS spaces (CustSpaceIds) to watch, from
// flags and from a file that can change while the exporter runs.
package spaces

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cams-exporter/cams_exporter/client"
)

// maxIDLength bounds a space id, as the client bounds discovered ones.
const maxIDLength = client.MaxSpaceIDBytes

// Parse reads one CustSpaceId a line. Blank lines and everything after '#'
// are ignored. name labels the errors (a file path). An id that is not
// valid UTF-8 (a file saved as Latin-1) is left out and the others kept:
// skipped, when not nil, names its line in one line of text. Any other bad
// line is an error.
func Parse(r io.Reader, name string) (ids []string, skipped error, err error) {
	seen := map[string]int{}
	var notUTF8 skippedLines
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		id := strings.TrimSpace(text)
		if id == "" {
			continue
		}
		if !utf8.ValidString(id) {
			notUTF8.add(name, line, id)
			continue
		}
		if err := Validate(id); err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if first, dup := seen[id]; dup {
			return nil, nil, fmt.Errorf("%s:%d: space %q is listed twice (first on line %d)", name, line, id, first)
		}
		seen[id] = line
		ids = append(ids, id)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return ids, notUTF8.err(), nil
}

// LoadFile reads a spaces file.
func LoadFile(path string) ([]string, error) {
	data, err := readFile(context.Background(), path)
	if err != nil {
		return nil, fmt.Errorf("cannot read spaces file: %w", err)
	}
	ids, _, err := Parse(bytes.NewReader(data), path)
	return ids, err
}

// Validate checks one space id.
func Validate(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("empty space id")
	case len(id) > maxIDLength:
		return fmt.Errorf("space id %.20q... is longer than %d characters", id, maxIDLength)
	case !utf8.ValidString(id):
		return fmt.Errorf("space id %q is not valid UTF-8", id)
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0:
		return fmt.Errorf("space id %q contains spaces or unprintable characters", id)
	}
	return nil
}

// Merge combines the spaces given as flags with those of the file: each must
// be valid and appear once.
func Merge(fromFlags, fromFile []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, list := range [][]string{fromFlags, fromFile} {
		for _, id := range list {
			if err := Validate(id); err != nil {
				return nil, fmt.Errorf("--cams.space: %w", err)
			}
			if seen[id] {
				return nil, fmt.Errorf("space %q is configured twice (--cams.space and --cams.spaces-file together must list each space once)", id)
			}
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}
