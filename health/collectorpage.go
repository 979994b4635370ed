package health

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// Bounds of a source's section of the status page, whatever the number of
// spaces: maxCodeRows codes, each with maxExamples of its spaces, and
// maxWorstRows rows in each table of the worst (numbers, WABAs, entities),
// an entity with maxEntityErrors of its errors; the rest is counted.
const (
	maxWorstRows    = 25
	maxExamples     = 3
	maxEntityErrors = 3
	// maxRowCodeBytes cuts a code in a space's row (its section has it
	// whole): codes are short, but the client keeps up to 512 bytes.
	maxRowCodeBytes = 64
)

// collectorTitles are the sections' titles of the sources known here.
var collectorTitles = map[string]string{
	phonenumbers.Name: "Phone numbers", waba.Name: "WABA", messaginghealth.Name: "Messaging health",
}

// collectorSection is a source's section of the page.
type collectorSection struct {
	Name, Title, Operation string
	Counts                 StateCounts
	Interval, ExpectedPass string
	Limiter                *LimiterStatus
	Folded                 uint64
	Oldest                 string // the age of the oldest data; "" without data
	Tallies                []Detail
	Codes                  []sourceCodeRow
	MoreCodes, MoreSpaces  int
	Numbers                []numberRow
	MoreNumbers            int
	WABAs                  []wabaRow
	MoreWABAs              int
	Entities               []entityRow
	MoreEntities           int
}

// sourceCodeRow counts the spaces a source fails for with one code.
type sourceCodeRow struct {
	Code     string
	Spaces   int
	Remedy   string
	Examples []string // the first spaces by id
}

type numberRow struct {
	Space, Severity string
	phonenumbers.Number
}

type wabaRow struct {
	Space string
	waba.WABA
}

// entityRow is an entity that is not AVAILABLE, with the spaces whose
// health answers name it: a BUSINESS or an APP is shared by many.
type entityRow struct {
	Type, ID, CanSend, Severity string
	Spaces                      int
	Examples                    []string
	Errors                      []messaginghealth.Error
	MoreErrors                  int
	severity                    int
}

// collectorSections returns a section for each source of snap.
func (c Checker) collectorSections(snap *snapshot.Snapshot, now time.Time) []collectorSection {
	var out []collectorSection
	for _, src := range snap.Sources() {
		out = append(out, c.collectorSection(snap, src, now))
	}
	return out
}

func (c Checker) collectorSection(snap *snapshot.Snapshot, src *snapshot.SourceState, now time.Time) collectorSection {
	s := collectorSection{Name: src.Name, Title: cmp.Or(collectorTitles[src.Name], src.Name), Operation: src.Operation,
		Counts: sourceCounts(snap, src), Interval: approx(src.Interval), ExpectedPass: approx(src.ExpectedPass), Folded: src.Folded}
	if l, ok := c.SourceLimiters[src.Name]; ok && l.Rate != nil {
		s.Limiter = &LimiterStatus{Rate: l.Rate(), MaxRate: l.MaxRate}
	}
	codes := newCodeCounter()
	var oldest time.Time
	data := newDataTally(src.Name)
	for id, p := range src.All() {
		if !p.Up {
			codes.add(src, id, p.LastError)
		}
		if !p.HasData {
			continue
		}
		if oldest.IsZero() || p.LastSuccess.Before(oldest) {
			oldest = p.LastSuccess
		}
		data.add(id, p.Data)
	}
	if !oldest.IsZero() {
		s.Oldest = ago(oldest, now)
	}
	s.Codes, s.MoreCodes, s.MoreSpaces = codes.rows()
	data.fill(&s)
	return s
}

// codeCounter counts a source's failing spaces by code, with the first
// spaces of each.
type codeCounter struct {
	byCode map[string]*sourceCodeRow
}

func newCodeCounter() *codeCounter { return &codeCounter{byCode: map[string]*sourceCodeRow{}} }

func (cc *codeCounter) add(src *snapshot.SourceState, space string, e *snapshot.ErrorInfo) {
	code := ""
	if e != nil {
		code = e.Code
	}
	row := cc.byCode[code]
	if row == nil {
		row = &sourceCodeRow{Code: code}
		if e != nil {
			_, row.Remedy = explainSource(src, e)
		}
		cc.byCode[code] = row
	}
	row.Spaces++
	row.Examples = firstIDs(row.Examples, space, maxExamples)
}

// rows lists the codes by their spaces, the most first, at most
// maxCodeRows; more counts the others and their spaces.
func (cc *codeCounter) rows() (rows []sourceCodeRow, moreCodes, moreSpaces int) {
	for _, r := range cc.byCode {
		rows = append(rows, *r)
	}
	slices.SortFunc(rows, func(a, b sourceCodeRow) int { return cmp.Or(b.Spaces-a.Spaces, strings.Compare(a.Code, b.Code)) })
	for _, r := range rows[min(len(rows), maxCodeRows):] {
		moreCodes++
		moreSpaces += r.Spaces
	}
	return rows[:min(len(rows), maxCodeRows)], moreCodes, moreSpaces
}

// firstIDs adds id to ids, sorted, keeping the first n.
func firstIDs(ids []string, id string, n int) []string {
	i, _ := slices.BinarySearch(ids, id)
	if i >= n {
		return ids
	}
	ids = slices.Insert(ids, i, id)
	return ids[:min(len(ids), n)]
}

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
		return &healthTally{wabaNodes: counter{}, phoneNodes: counter{}, entities: map[entityKey]*entityRow{}, seen: map[entityKey]bool{}}
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
	seen                  map[entityKey]bool // a space's entities, counted once
}

func (t *healthTally) add(space string, data any) {
	h := messaginghealth.Of(data)
	seen := t.seen
	clear(seen)
	node := func(n *messaginghealth.Node, byValue counter) {
		if n.LastError != nil {
			t.failingNodes++
		}
		if n.CanSendMessage != "" {
			byValue[n.CanSendMessage]++
		}
		for _, e := range n.Entities {
			k := entityKey{e.Type, e.ID, e.CanSendMessage}
			if sev := canSendSeverity(e.CanSendMessage); sev < warning || seen[k] {
				continue
			}
			seen[k] = true
			t.entity(k, space, e)
		}
	}
	if h.WABA != nil {
		node(h.WABA, t.wabaNodes)
	}
	for i := range h.Phones {
		node(&h.Phones[i], t.phoneNodes)
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

// spaceCollectorDetails shows a space's part of each source in its row:
// pending, failing (with the code), or what its data says in a few
// words.
func spaceCollectorDetails(snap *snapshot.Snapshot, space string) []Detail {
	var out []Detail
	for _, src := range snap.Sources() {
		label := cmp.Or(collectorTitles[src.Name], src.Name)
		p := src.Part(space)
		var value string
		switch {
		case p == nil:
			value = "pending"
		case !p.Up && p.LastError != nil:
			value = "failing: " + client.Cut(p.LastError.Code, maxRowCodeBytes)
		}
		if p != nil && p.HasData {
			value = strings.TrimPrefix(value+"; "+dataSummary(src.Name, p.Data), "; ")
		}
		out = append(out, Detail{Label: label, Value: value})
	}
	return out
}

// dataSummary says what a part's data says in a few words, each value
// bounded: a row stays short whatever the space holds.
func dataSummary(source string, data any) string {
	switch source {
	case phonenumbers.Name:
		ns := phonenumbers.Of(data)
		worst := -1
		for i, n := range ns {
			if worst < 0 || numberSeverity(n) > numberSeverity(ns[worst]) {
				worst = i
			}
		}
		if worst < 0 || numberSeverity(ns[worst]) == fine {
			return countOf(len(ns), "number") + ", none needing attention"
		}
		w := ns[worst]
		return fmt.Sprintf("%s, worst %s: %s, %s", countOf(len(ns), "number"), w.PhoneNumber, w.Status, w.QualityRating)
	case waba.Name:
		if w, bound := waba.Of(data); bound {
			return fmt.Sprintf("WABA %s, %s", w.ID, w.AccountReviewStatus)
		}
		return "no WABA bound"
	case messaginghealth.Name:
		return healthSummary(messaginghealth.Of(data))
	}
	return ""
}

// healthSummary names the space's worst node and what it can send.
func healthSummary(h messaginghealth.Health) string {
	var worst *messaginghealth.Node
	nodes := 0
	consider := func(n *messaginghealth.Node) {
		nodes++
		if worst == nil || nodeSeverity(n) > nodeSeverity(worst) {
			worst = n
		}
	}
	if h.WABA != nil {
		consider(h.WABA)
	}
	for i := range h.Phones {
		consider(&h.Phones[i])
	}
	switch {
	case worst == nil:
		return "no node asked yet"
	case nodeSeverity(worst) == fine:
		return countOf(nodes, "node") + ", none LIMITED or BLOCKED"
	}
	name := "WABA " + worst.WabaID
	if worst.PhoneNumber != "" {
		name = "number " + worst.PhoneNumber
	}
	what := cmp.Or(worst.CanSendMessage, "not answered")
	if worst.LastError != nil {
		what += ", last call failed: " + worst.LastError.Code
	}
	return fmt.Sprintf("%s, worst %s: %s", countOf(nodes, "node"), name, what)
}

// countOf says n things: "1 number", "3 numbers".
func countOf(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}
