package health

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// dataTally sums up the data of a source's parts for its section: counts
// by value and the worst items.
type dataTally interface {
	add(space string, data any)
	fill(s *collectorSection)
}

func newDataTally(source string) dataTally {
	switch source {
	case phonenumbers.Name:
		return &numbersTally{byStatus: counter{}, byRating: counter{}, byTier: counter{},
			worst: newTopList(maxWorstRows, func(a, b numberRow) int {
				return cmp.Or(numberSeverity(b.Number)-numberSeverity(a.Number), strings.Compare(a.Space, b.Space), strings.Compare(a.PhoneNumber, b.PhoneNumber))
			})}
	case waba.Name:
		return &wabaTally{byReview: counter{}, notApproved: newTopList(maxWorstRows, func(a, b wabaRow) int { return strings.Compare(a.Space, b.Space) })}
	case messaginghealth.Name:
		return &healthTally{wabaNodes: counter{}, phoneNodes: counter{}, entities: map[entityKey]*entityRow{}}
	case templates.Name:
		return newTemplatesTally()
	}
	return noTally{}
}

type noTally struct{}

func (noTally) add(string, any)        {}
func (noTally) fill(*collectorSection) {}

// counter counts values; its detail lists them by count, the most first.
type counter map[string]int

func (c counter) detail(label string) Detail {
	values := make([]string, 0, len(c))
	for v := range c {
		values = append(values, v)
	}
	slices.SortFunc(values, func(a, b string) int { return cmp.Or(c[b]-c[a], strings.Compare(a, b)) })
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = cmp.Or(v, `""`) + " " + strconv.Itoa(c[v])
	}
	if len(parts) == 0 {
		parts = []string{"none"}
	}
	return Detail{Label: label, Value: strings.Join(parts, " · ")}
}

type numbersTally struct {
	numbers                    int
	byStatus, byRating, byTier counter
	worst                      *topList[numberRow]
}

func (t *numbersTally) add(space string, data any) {
	for _, n := range phonenumbers.Of(data) {
		t.numbers++
		t.byStatus[n.Status]++
		t.byRating[n.QualityRating]++
		t.byTier[n.MessagingLimitTier]++
		if sev := numberSeverity(n); sev > fine {
			t.worst.add(numberRow{Space: space, Severity: severityNames[sev], Number: n})
		}
	}
}

func (t *numbersTally) fill(s *collectorSection) {
	s.Tallies = []Detail{{Label: "Numbers", Value: strconv.Itoa(t.numbers)}, t.byStatus.detail("By status"),
		t.byRating.detail("By quality rating"), t.byTier.detail("By messaging limit tier")}
	s.Numbers, s.MoreNumbers = t.worst.result()
}

type wabaTally struct {
	bound, unbound int
	byReview       counter
	notApproved    *topList[wabaRow]
}

func (t *wabaTally) add(space string, data any) {
	w, bound := waba.Of(data)
	if !bound {
		t.unbound++
		return
	}
	t.bound++
	t.byReview[w.AccountReviewStatus]++
	if w.AccountReviewStatus != "APPROVED" {
		t.notApproved.add(wabaRow{Space: space, WABA: w})
	}
}

func (t *wabaTally) fill(s *collectorSection) {
	s.Tallies = []Detail{{Label: "Spaces with a WABA", Value: strconv.Itoa(t.bound)}, {Label: "Spaces without one", Value: strconv.Itoa(t.unbound)},
		t.byReview.detail("By account review status")}
	s.WABAs, s.MoreWABAs = t.notApproved.result()
}

type entityKey struct{ typ, id, canSend string }

type healthTally struct {
	wabaNodes, phoneNodes counter
	failingNodes          int
	entities              map[entityKey]*entityRow
}

func (t *healthTally) add(space string, data any) {
	h := messaginghealth.Of(data)
	node := func(n *messaginghealth.Node, byValue counter) {
		if n.LastError != nil {
			t.failingNodes++
		}
		if n.CanSendMessage != "" {
			byValue[n.CanSendMessage]++
		}
	}
	if h.WABA != nil {
		node(h.WABA, t.wabaNodes)
	}
	for i := range h.Phones {
		node(&h.Phones[i], t.phoneNodes)
	}
	for _, e := range h.Entities { // each once in a space
		if canSendSeverity(e.CanSendMessage) >= warning {
			t.entity(entityKey{e.Type, e.ID, e.CanSendMessage}, space, e)
		}
	}
}

// entity counts a space that names e, and keeps e's first errors.
func (t *healthTally) entity(k entityKey, space string, e messaginghealth.Entity) {
	row := t.entities[k]
	if row == nil {
		sev := canSendSeverity(e.CanSendMessage)
		row = &entityRow{Type: e.Type, ID: e.ID, CanSend: e.CanSendMessage, Severity: severityNames[sev], severity: sev}
		t.entities[k] = row
	}
	row.Spaces++
	row.Examples = firstIDs(row.Examples, space, maxExamples)
	for _, er := range e.Errors {
		switch {
		case slices.ContainsFunc(row.Errors, func(x messaginghealth.Error) bool { return x.Code == er.Code }):
		case len(row.Errors) < maxEntityErrors:
			row.Errors = append(row.Errors, er)
		default:
			row.MoreErrors++
		}
	}
}

func (t *healthTally) fill(s *collectorSection) {
	s.Tallies = []Detail{t.wabaNodes.detail("WABAs can send"), t.phoneNodes.detail("Numbers can send"),
		{Label: "Nodes whose last call failed", Value: strconv.Itoa(t.failingNodes)}}
	worst := newTopList(maxWorstRows, func(a, b entityRow) int {
		return cmp.Or(b.severity-a.severity, b.Spaces-a.Spaces, strings.Compare(a.Type, b.Type), strings.Compare(a.ID, b.ID))
	})
	for _, row := range t.entities {
		worst.add(*row)
	}
	s.Entities, s.MoreEntities = worst.result()
}

type templatesTally struct {
	templates, noneUsable int
	byStatus, byCategory  counter
	worst                 *topList[templateRow]
	listings              *topList[listingRow]
}

func newTemplatesTally() *templatesTally {
	return &templatesTally{byStatus: counter{}, byCategory: counter{},
		worst: newTopList(maxWorstRows, func(a, b templateRow) int {
			return cmp.Or(b.severity-a.severity, strings.Compare(a.Space, b.Space), strings.Compare(a.Code, b.Code), strings.Compare(a.Language, b.Language))
		}),
		listings: newTopList(maxWorstRows, func(a, b listingRow) int { return strings.Compare(a.Space, b.Space) })}
}

func (t *templatesTally) add(space string, data any) {
	ts := templates.Of(data)
	noneUsable := ts.NoneUsable()
	if noneUsable {
		t.noneUsable++
	}
	t.templates += ts.Count()
	byStatus, byCategory := ts.Counts()
	for _, c := range byStatus {
		t.byStatus[c.Value] += c.N
	}
	for _, c := range byCategory {
		t.byCategory[c.Value] += c.N
	}
	for _, k := range ts.List {
		if sev := templateSeverity(k.AuditStatus, noneUsable); sev > fine {
			t.worst.add(templateRow{Space: space, Severity: severityNames[sev], Kept: k, severity: sev})
		}
	}
	if ts.Disagreement != "" {
		t.listings.add(listingRow{Space: space, Listed: ts.Count(), Total: ts.Total, Disagreement: ts.Disagreement})
	}
}

func (t *templatesTally) fill(s *collectorSection) {
	s.Listings, s.MoreListings = t.listings.result()
	s.Tallies = []Detail{{Label: "Templates", Value: strconv.Itoa(t.templates)}, t.byStatus.detail("By audit status"),
		t.byCategory.detail("By category"), {Label: "Spaces without a usable template", Value: strconv.Itoa(t.noneUsable)},
		{Label: "Listings at odds with their Total", Value: strconv.Itoa(len(s.Listings) + s.MoreListings)}}
	s.Templates, s.MoreTemplates = t.worst.result()
}
