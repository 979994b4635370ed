package templates

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/sources/values"
)

// Kept is what the exporter keeps of a template: its label values, bounded,
// and what /status shows beside them. It is immutable.
type Kept struct {
	Code        string `json:"template_code"`
	Language    string `json:"language"`
	Category    string `json:"category"`
	AuditStatus string `json:"audit_status"`
	// Never labels: free text, for /status.
	Name   string `json:"name,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Updated is the template's LastUpdateTime, Unix milliseconds.
	Updated int64 `json:"updated,omitempty"`
}

// Count is how many templates of a space have a label value.
type Count struct {
	Value string `json:"value"`
	N     int    `json:"n"`
}

// Templates is a space's templates as its last complete listing gave them:
// the SpacePart's Data of this source, which the cache file holds as its
// MarshalJSON writes it (Decode reads it back). It is immutable.
//
// Only the templates that need attention (NeedsAttention) are kept one by
// one, unless the source keeps every template (Options.KeepAll, for
// cams_template_info): the others are counted. Kept whole, 50 templates a
// space at 10,000 spaces cost about 190 MB of the exporter's memory.
type Templates struct {
	// List is sorted by (Code, Language), each key once: the templates
	// that need attention, or every template.
	List []Kept
	// Listed counts every template of the listing, byStatus and
	// byCategory by label, when counted. A Templates made with a List
	// alone (not counted) holds every template in List, and they are
	// counted from it (Counts).
	Listed               int
	byStatus, byCategory tally
	counted              bool
	// Total is the listing's Total, -1 when its answers gave none.
	Total int
	// Disagreement says how the listing's pages disagreed with its Total
	// (client.TemplatePager.Disagreement); "" when they agreed.
	Disagreement string
	// Pages is how many pages the listing took: the calls of the next.
	Pages int
	// Changes counts, by status, the moves of a template into paused or
	// disabled since the space was first listed: cumulative, kept with the
	// part (and so restored with the cache). Nil when none.
	Changes map[string]uint64
	// ProblemSeries is how many of the problem templates of List, the
	// first in its order, have their cams_template_problem_info: the share
	// of the exporter's budget of problem series (budget) the space held
	// when the part was made. A part in the runner's state holds it; one
	// retained for its grace holds nothing (engine.Holder).
	ProblemSeries int
	// claim is the ProblemSeries the cache file gave, which Decode leaves
	// to Enter to grant again (a part read back holds nothing until then).
	claim int
}

// saved is Templates in the cache file.
type saved struct {
	List          []Kept            `json:"templates"`
	Listed        int               `json:"listed,omitempty"`
	ByStatus      []Count           `json:"by_status,omitempty"` // sorted by value; absent: List holds every template
	ByCategory    []Count           `json:"by_category,omitempty"`
	Total         int               `json:"total"`
	Disagreement  string            `json:"disagreement,omitempty"`
	Pages         int               `json:"pages"`
	Changes       map[string]uint64 `json:"changes,omitempty"`
	ProblemSeries int               `json:"problem_series,omitempty"`
}

// MarshalJSON writes t as the cache file holds it.
func (t Templates) MarshalJSON() ([]byte, error) {
	s := saved{List: t.List, Total: t.Total, Disagreement: t.Disagreement, Pages: t.Pages, Changes: t.Changes, ProblemSeries: t.ProblemSeries}
	if t.counted {
		s.Listed, s.ByStatus, s.ByCategory = t.Listed, t.byStatus.counts(documentedStatuses), t.byCategory.counts(documentedCategories)
	}
	return json.Marshal(s)
}

// keep returns the state a complete listing gives after prev: the listed
// templates bounded by c, sorted, each key once (the first listed), and
// prev's Changes plus one for each template now paused or disabled that
// was not in that status in prev. It holds no problem series yet.
//
// A template prev did not hold that is already paused or disabled counts
// only when prev held templates: on a space's first listing (or after a
// listing of none) every status is news to the exporter, not a move, and
// counting it would make every restart without a cache look like a wave of
// pauses.
func keep(prev Templates, listed []client.Template, total int, disagreement string, c caps, keepAll bool) Templates {
	list := keptList(listed, c)
	moves := changes(prev, list)
	return summarize(list, Templates{Total: total, Disagreement: disagreement, Changes: moves}, keepAll)
}

// summarize returns t with every template of list counted and, unless
// keepAll, only those that need attention kept one by one.
func summarize(list []Kept, t Templates, keepAll bool) Templates {
	t.Listed, t.counted, t.byStatus, t.byCategory = len(list), true, tally{}, tally{}
	for _, k := range list {
		t.byStatus.add(documentedStatuses, k.AuditStatus, 1)
		t.byCategory.add(documentedCategories, k.Category, 1)
	}
	t.List = list
	if !keepAll {
		// A list of its own, no longer than it needs: the listing's array
		// would keep every template's room.
		t.List = make([]Kept, 0, countFunc(list, func(k Kept) bool { return NeedsAttention(k.AuditStatus) }))
		for _, k := range list {
			if NeedsAttention(k.AuditStatus) {
				t.List = append(t.List, k)
			}
		}
	}
	return t
}

// countFunc returns how many elements of s satisfy f.
func countFunc[E any](s []E, f func(E) bool) int {
	n := 0
	for _, e := range s {
		if f(e) {
			n++
		}
	}
	return n
}

// Count returns how many templates the listing gave.
func (t Templates) Count() int {
	if !t.counted {
		return len(t.List)
	}
	return t.Listed
}

// tallies returns the templates counted by audit status and by category.
func (t Templates) tallies() (byStatus, byCategory tally) {
	if !t.counted {
		t = summarize(t.List, t, true)
	}
	return t.byStatus, t.byCategory
}

// Counts returns the templates counted by audit status and by category,
// each sorted by value, a count for each value counted.
func (t Templates) Counts() (byStatus, byCategory []Count) {
	s, c := t.tallies()
	return s.counts(documentedStatuses), c.counts(documentedCategories)
}

// NoneUsable reports whether the space has templates and none it can
// send: each is a problem (fail, paused, disabled) or awaits its review
// (auditing, unaudit), and one at least is a problem. A space whose
// templates all await their review is new, not broken; a template of an
// undocumented status may be usable.
func (t Templates) NoneUsable() bool {
	byStatus, _ := t.tallies()
	problems := 0
	for status, n := range byStatus.all(documentedStatuses) {
		switch {
		case Problem(status):
			problems += n
		case status != StatusAuditing && status != StatusUnaudit && n > 0:
			return false
		}
	}
	return problems > 0
}

// Problems returns how many templates are problems (Problem).
func (t Templates) Problems() int {
	byStatus, _ := t.tallies()
	problems := 0
	for status, n := range byStatus.all(documentedStatuses) {
		if Problem(status) {
			problems += n
		}
	}
	return problems
}

// StatusCount returns how many templates are of status.
func (t Templates) StatusCount(status string) int {
	byStatus, _ := t.tallies()
	return byStatus.of(documentedStatuses, status)
}

// keptList returns what is kept of listed templates: bounded by c,
// sorted, each key once (the first listed).
func keptList(listed []client.Template, c caps) []Kept {
	list := make([]Kept, 0, len(listed))
	for _, t := range listed {
		list = append(list, Kept{
			Code: values.Cut(t.TemplateCode), Language: values.Shared(values.Cut(t.Language)),
			Category: values.Shared(c.category.Fold(t.Category)), AuditStatus: values.Shared(c.status.Fold(t.AuditStatus)),
			Name: client.Cut(t.TemplateName, client.MaxNameBytes), Reason: sharedText(client.Cut(t.Reason, client.MaxNameBytes)),
			Updated: t.LastUpdateTime,
		})
	}
	slices.SortStableFunc(list, compareKeys)
	return slices.CompactFunc(list, func(a, b Kept) bool { return compareKeys(a, b) == 0 })
}

// sharedText returns text shared (values.Shared) when it is not empty: a
// review's reason is one of a few that Meta gives.
func sharedText(text string) string {
	if text == "" {
		return ""
	}
	return values.Shared(text)
}

func compareKeys(a, b Kept) int {
	if c := strings.Compare(a.Code, b.Code); c != 0 {
		return c
	}
	return strings.Compare(a.Language, b.Language)
}

// changes returns prev's Changes with the moves of list into a counted
// status added: prev's own map when there are none (it is immutable).
func changes(prev Templates, list []Kept) map[string]uint64 {
	out, cloned := prev.Changes, false
	for _, t := range list {
		if !slices.Contains(changeStatuses, t.AuditStatus) {
			continue
		}
		before, found := prev.find(t.Code, t.Language)
		if (found && before.AuditStatus == t.AuditStatus) || (!found && prev.Count() == 0) {
			continue
		}
		if !cloned {
			out, cloned = maps.Clone(prev.Changes), true
			if out == nil {
				out = make(map[string]uint64, len(changeStatuses))
			}
		}
		out[t.AuditStatus]++
	}
	return out
}

// find returns the template of key (code, language).
func (t Templates) find(code, language string) (Kept, bool) {
	i, ok := slices.BinarySearchFunc(t.List, Kept{Code: code, Language: language}, compareKeys)
	if !ok {
		return Kept{}, false
	}
	return t.List[i], true
}

// problems returns how many templates of t are problems (Problem).
func (t Templates) problems() int {
	n := 0
	for _, k := range t.List {
		if Problem(k.AuditStatus) {
			n++
		}
	}
	return n
}

// Of returns the templates of a space's part of this source, the zero
// Templates when it has none.
func Of(data any) Templates {
	t, _ := data.(Templates)
	return t
}
