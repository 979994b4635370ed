package alerts

import (
	"maps"
	"math"
	"slices"
	"sort"
)

// The message templates of the model (--collector.templates): each space's
// templates as healthAccount.templatesAt gives them at the start of each
// listing, kept from its last successful one (a failed listing keeps the
// last one's), and the moves of a template into paused or disabled between
// two successful listings, counted as the source counts them.

// templatePages is how many ListChatappTemplate pages a listing of a space
// makes: 50 templates, 20 a page.
const templatePages = 3

// templateStatuses are the documented audit statuses, which the exporter
// always writes, 0 when none; changeStatuses are those a move into counts.
var (
	templateStatuses = []string{"pass", "fail", "auditing", "unaudit", "paused", "disabled"}
	changeStatuses   = []string{"paused", "disabled"}
)

// allPass is 50 templates, all pass.
var allPass = slices.Repeat([]string{"pass"}, 50)

// templateListing is a successful listing of a space's templates: when its
// data appears, and what it holds.
type templateListing struct {
	end     float64
	counts  map[string]int // templates by audit status
	changes map[string]int // moves into paused or disabled since the first listing
}

// templateListings returns space i's successful listings in the scenario's
// time, oldest first.
func (h *healthAccount) templateListings(i int) []templateListing {
	if h.listings == nil {
		h.listings = map[int][]templateListing{}
	}
	if l, ok := h.listings[i]; ok {
		return l
	}
	m := h.templates
	horizon := h.flows.at(h.flows.samples - 1)
	var out []templateListing
	var prev []string
	changes := map[string]int{}
	for n := 0; ; n++ {
		start, end := m.listed(i, n)
		if end > horizon {
			break
		}
		if m.failing(i, start) {
			continue
		}
		now := h.templatesAt(i, start)
		changes = maps.Clone(changes)
		for j, status := range now {
			if !slices.Contains(changeStatuses, status) {
				continue
			}
			// A template not held before counts only when templates were
			// (the first listing is no move).
			if found := j < len(prev); (found && prev[j] == status) || (!found && len(prev) == 0) {
				continue
			}
			changes[status]++
		}
		counts := map[string]int{}
		for _, status := range now {
			counts[status]++
		}
		out = append(out, templateListing{end: end, counts: counts, changes: changes})
		prev = now
	}
	h.listings[i] = out
	return out
}

// templatesView is a space's templates as the exporter serves them at one
// scrape.
type templatesView struct {
	templateListing
	lastSuccess float64 // when its last listing ended, seconds after start-up
}

// templatesView returns space i's templates at scrape k, nil while it has
// none (pending, or no listing succeeded).
func (h *healthAccount) templatesView(i, k int) *templatesView {
	st, ok := h.sourceAt(templatesCollector, i, k)
	if !ok || math.IsNaN(st.lastSuccess) {
		return nil
	}
	listings := h.templateListings(i)
	n := sort.Search(len(listings), func(n int) bool { return listings[n].end > st.lastSuccess })
	if n == 0 {
		return nil
	}
	return &templatesView{templateListing: listings[n-1], lastSuccess: st.lastSuccess}
}

// statuses returns the statuses the exporter writes a series of: the
// documented ones, then the others held, sorted.
func (tv *templatesView) statuses() []string {
	out := slices.Clone(templateStatuses)
	for _, status := range slices.Sorted(maps.Keys(tv.counts)) {
		if !slices.Contains(out, status) {
			out = append(out, status)
		}
	}
	return out
}

// problems returns how many templates are in each problem status: fail,
// paused, disabled (those the exporter cannot send).
func (tv *templatesView) problems() map[string]int {
	out := map[string]int{}
	for _, status := range []string{"fail", "paused", "disabled"} {
		if n := tv.counts[status]; n > 0 {
			out[status] = n
		}
	}
	return out
}

// noneUsable reports whether the space has templates, none that can be
// sent, and at least one problem: as RUNBOOK.md says, a template not
// reviewed yet (auditing, unaudit) cannot be sent either, and a status the
// exporter does not know may be.
func (tv *templatesView) noneUsable() bool {
	total, unusable := 0, 0
	for status, n := range tv.counts {
		total += n
		if slices.Contains([]string{"fail", "paused", "disabled", "auditing", "unaudit"}, status) {
			unusable += n
		}
	}
	return total > 0 && unusable == total && len(tv.problems()) > 0
}

// templateProblemSpaces returns the spaces with a template problem in some
// successful listing of the scenario's time.
func (h *healthAccount) templateProblemSpaces() map[int]bool {
	out := map[int]bool{}
	if h.source(templatesCollector) == nil {
		return out
	}
	for i := range h.templates.spaces {
		for _, l := range h.templateListings(i) {
			if tv := (&templatesView{templateListing: l}); len(tv.problems()) > 0 {
				out[i] = true
			}
		}
	}
	return out
}

// templateSeries is what the rules of the templates' waves read of the
// whole account: the exporter's own series of the sources, and of every
// space in spaces with a template problem at some time, its templates'
// last success and its cams_templates that are not 0 (a series at 0
// changes no count and no sum, and the other spaces are never counted).
func (h *healthAccount) templateSeries(spaces []int) []inputSeries {
	s := newSeriesSet(h.flows.samples)
	problems := h.templateProblemSpaces()
	labels := func(kv ...string) []string { return slices.Concat(h.exporterLabels(), kv) }
	for k := range h.flows.samples {
		h.exporterSeries(s, k)
		for _, i := range spaces {
			tv := h.templatesView(i, k)
			if !problems[i] || tv == nil {
				continue
			}
			space := h.spaceID(i)
			for status, n := range tv.counts {
				if n > 0 {
					s.set(seriesName("cams_templates", labels("space", space, "audit_status", status)...), k, float64(n))
				}
			}
			// promtool's clock starts at the first scrape.
			s.set(seriesName("cams_collector_space_last_success_timestamp_seconds", labels("collector", templatesCollector, "space", space)...), k, tv.lastSuccess-h.flows.phase)
		}
	}
	return s.inputSeries()
}
