package discovery

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-kit/log/level"
)

// maxNamedIDs bounds the ids a warning names.
const maxNamedIDs = 5

// usableIDs splits found into the ids that can be watched and those that
// cannot: an id that is not valid UTF-8, or holds U+FFFD, what the answer's
// invalid bytes were decoded to, is no label value, cannot be asked for
// again, and two of them may have become one.
func usableIDs(found []string) (usable, refused []string) {
	for _, id := range found {
		if !utf8.ValidString(id) || strings.ContainsRune(id, utf8.RuneError) {
			refused = append(refused, id)
			continue
		}
		usable = append(usable, id)
	}
	if refused == nil {
		return found, nil
	}
	return usable, refused
}

// leaveOutUnusable returns the ids of found that can be watched, and warns
// of the others in one line.
func (d *Discoverer) leaveOutUnusable(found []string) []string {
	usable, refused := usableIDs(found)
	if len(refused) > 0 {
		level.Warn(d.logger).Log("msg", "discovered spaces left out: their CustSpaceId is not valid UTF-8", "count", len(refused), "ids", nameIDs(refused))
	}
	return usable
}

// nameIDs names the first maxNamedIDs of ids, escaped to ASCII.
func nameIDs(ids []string) string {
	named := make([]string, 0, min(len(ids), maxNamedIDs))
	for _, id := range ids[:min(len(ids), maxNamedIDs)] {
		named = append(named, strconv.QuoteToASCII(id))
	}
	s := strings.Join(named, " ")
	if len(ids) > maxNamedIDs {
		s += " ..."
	}
	return s
}
