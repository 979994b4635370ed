package health

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// Bounds of a source's section of the status page, whatever the number of
// spaces: maxCodeRows codes, each with maxExamples of its spaces, and
// maxWorstRows rows in each table of the worst (numbers, WABAs, entities,
// templates, template listings), an entity with maxEntityErrors of its
// errors; the rest is counted.
const (
	maxWorstRows    = 25
	maxExamples     = 3
	maxEntityErrors = 3
)

// collectorTitles are the sections' titles of the sources known here.
var collectorTitles = map[string]string{
	phonenumbers.Name: "Phone numbers", waba.Name: "WABA", messaginghealth.Name: "Messaging health", templates.Name: "Message templates",
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
	Templates              []templateRow
	MoreTemplates          int
	Listings               []listingRow
	MoreListings           int
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

// templateRow is a template needing attention (templateSeverity).
type templateRow struct {
	Space, Severity string
	templates.Kept
	severity int
}

// listingRow is a space whose last template listing disagreed with its
// Total: what it listed, the Total (-1 for none) and how.
type listingRow struct {
	Space         string
	Listed, Total int
	Disagreement  string
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
