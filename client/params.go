package client

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// spaceQuery returns the query naming space as CustSpaceId, which the
// number, WABA and health operations require: the account's own space ("")
// has no id to send.
func spaceQuery(operation, space string) (url.Values, error) {
	switch {
	case space == "":
		return nil, fmt.Errorf("%s needs a CustSpaceId: give the space's id (the account's own space has none)", operation)
	case len(space) > MaxSpaceIDBytes:
		return nil, fmt.Errorf("%s: a CustSpaceId of %d bytes, more than %d: give a real space id", operation, len(space), MaxSpaceIDBytes)
	case !utf8.ValidString(space):
		return nil, fmt.Errorf("%s: the CustSpaceId %q is not valid UTF-8", operation, space)
	}
	return url.Values{"CustSpaceId": {space}}, nil
}

// idProblem says what is wrong with an id (a phone number, a WABA id) of at
// most max bytes, or returns "" when nothing is.
func idProblem(id string, max int) string {
	switch {
	case id == "":
		return "is empty"
	case len(id) > max:
		return fmt.Sprintf("is %d bytes long, more than %d", len(id), max)
	case !utf8.ValidString(id):
		return "is not valid UTF-8"
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		return "holds a control character"
	}
	return ""
}
