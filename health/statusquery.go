package health

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
)

// MaxStatusSpaces bounds the space parameters of one /status request: the
// spaces a client names are each looked up, and their entries written.
const MaxStatusSpaces = 100

// statusQuery is what a request for /status's JSON asks for: every space
// (the zero value), only the spaces named (?space=, repeated), or none
// (?summary: the totals and the collectors' summaries).
type statusQuery struct {
	spaces  []string // sorted, each once; nil without ?space
	named   bool     // ?space was given
	summary bool
}

// parseStatusQuery reads the query of a request for /status's JSON, or
// says in one line what is wrong with it.
func parseStatusQuery(q url.Values) (statusQuery, error) {
	var sq statusQuery
	if v, ok := q["summary"]; ok {
		summary, err := parseFlag(v[len(v)-1])
		if err != nil {
			return statusQuery{}, fmt.Errorf("summary=%.32q is not a boolean: use ?summary or ?summary=true (false gives every space)", v[len(v)-1])
		}
		sq.summary = summary
	}
	if ids, ok := q["space"]; ok {
		switch {
		case len(ids) > MaxStatusSpaces:
			return statusQuery{}, fmt.Errorf("%d space parameters, more than the %d a request may name: ask in several requests, or for ?summary", len(ids), MaxStatusSpaces)
		case sq.summary:
			return statusQuery{}, fmt.Errorf("summary leaves every space out and space names some: ask for one or the other")
		}
		sq.named, sq.spaces = true, slices.Compact(slices.Sorted(slices.Values(ids)))
	}
	return sq, nil
}

// parseFlag reads a boolean parameter: given without a value, it is true.
func parseFlag(v string) (bool, error) {
	if v == "" {
		return true, nil
	}
	return strconv.ParseBool(v)
}
