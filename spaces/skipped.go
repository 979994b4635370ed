package spaces

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxSkippedLines bounds the line numbers a skippedLines message names.
const maxSkippedLines = 10

// skippedLines are the lines of a spaces file whose id is not valid UTF-8.
type skippedLines struct {
	name  string
	first string // the first such id
	lines []int  // at most maxSkippedLines
	count int
}

func (s *skippedLines) add(name string, line int, id string) {
	if s.count == 0 {
		s.name, s.first = name, id
	}
	if len(s.lines) < maxSkippedLines {
		s.lines = append(s.lines, line)
	}
	s.count++
}

// err says, on one line, which ids were left out and what to do, or is nil.
func (s *skippedLines) err() error {
	if s.count == 0 {
		return nil
	}
	msg := fmt.Sprintf("%s:%d: space id %q is not valid UTF-8 (a file saved as Latin-1?): left out; save the file as UTF-8", s.name, s.lines[0], s.first)
	if s.count > 1 {
		more := make([]string, 0, len(s.lines)-1)
		for _, l := range s.lines[1:] {
			more = append(more, strconv.Itoa(l))
		}
		msg += fmt.Sprintf("; %d more such lines left out: %s", s.count-1, strings.Join(more, ", "))
		if s.count > len(s.lines) {
			msg += ", ..."
		}
	}
	return errors.New(msg)
}
