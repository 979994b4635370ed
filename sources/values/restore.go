package values

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
	"unique"
)

// Shared returns v as the one string every equal value shares
// (unique.Make). A value a source reads back from the cache file is
// otherwise a string of its own: "CONNECTED" held once per number of
// 200,000 spaces.
func Shared(v string) string { return unique.Make(v).Value() }

// CheckID says what is wrong with an id read back from the cache file (a
// phone number, a WABA id) that the source sends in a call, by the rules
// the client applies to the ids it answers with: not empty, at most max
// bytes, valid UTF-8, without control characters. Nil when it is right.
func CheckID(id string, max int) error {
	switch {
	case id == "":
		return fmt.Errorf("an empty id")
	case len(id) > max:
		return fmt.Errorf("an id of %d bytes, more than %d", len(id), max)
	case !utf8.ValidString(id):
		return fmt.Errorf("id %q is not valid UTF-8", id)
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		return fmt.Errorf("id %q holds a control character", id)
	}
	return nil
}
