package health

import (
	"slices"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// SourceLimiter describes a source's own limiter for /status.
type SourceLimiter struct {
	Rate    func() float64
	MaxRate float64
}

// CollectorStatus is /status's summary of a source of the engine that is
// on (--collector.<name>): its calls, its spaces by state, as
// cams_collector_spaces counts them, and its values folded.
type CollectorStatus struct {
	Name          string         `json:"name"`
	Operation     string         `json:"operation"`
	Interval      float64        `json:"interval_seconds"`
	ExpectedPass  float64        `json:"expected_pass_seconds"`
	SpacesByState StateCounts    `json:"spaces_by_state"`
	Folded        uint64         `json:"values_folded"`
	Limiter       *LimiterStatus `json:"limiter,omitempty"`
}

// CollectorPart is a space's part of one source: its last calls, as a
// space's listing is shown, and its data as the source keeps it (at most
// MaxPartDataBytes of it: DataOmitted counts what was left out).
type CollectorPart struct {
	Up          bool                `json:"up"`
	LastSuccess *time.Time          `json:"last_success,omitempty"`
	AgeSeconds  *float64            `json:"age_seconds,omitempty"`
	LastAttempt *time.Time          `json:"last_attempt,omitempty"`
	LastError   *snapshot.ErrorInfo `json:"last_error,omitempty"`
	Cause       string              `json:"cause,omitempty"`
	Remedy      string              `json:"remedy,omitempty"`
	// Data is the source's Data (of a type its package defines), or a
	// part of it, or JSON.
	Data        any            `json:"data,omitempty"`
	DataOmitted map[string]int `json:"data_omitted,omitempty"`
}

// PendingSpaceStatus is a space the flows have not listed yet (pending in
// spaces_by_state) that a source has a part of.
type PendingSpaceStatus struct {
	Space      string                    `json:"space"`
	Collectors map[string]*CollectorPart `json:"collectors"`
}

// collectorStatuses sums up the sources of snap; nil without any.
func (c Checker) collectorStatuses(snap *snapshot.Snapshot) []CollectorStatus {
	var out []CollectorStatus
	for _, src := range snap.Sources() {
		st := CollectorStatus{Name: src.Name, Operation: src.Operation, Interval: src.Interval.Seconds(),
			ExpectedPass: src.ExpectedPass.Seconds(), SpacesByState: sourceCounts(snap, src), Folded: src.Folded}
		if l, ok := c.SourceLimiters[src.Name]; ok && l.Rate != nil {
			st.Limiter = &LimiterStatus{Rate: l.Rate(), MaxRate: l.MaxRate}
		}
		out = append(out, st)
	}
	return out
}

// sourceCounts counts the watched spaces by the state of their part of
// src, as cams_collector_spaces does: pending without a part.
func sourceCounts(snap *snapshot.Snapshot, src *snapshot.SourceState) StateCounts {
	counts := snap.Counts()
	watched := counts.Pending + counts.Up + counts.Down
	up := src.Up()
	return StateCounts{Pending: max(watched-src.Len(), 0), Up: up, Down: src.Len() - up}
}

// spaceCollectors returns the parts of space of snap's sources by name;
// nil when none has one.
func spaceCollectors(snap *snapshot.Snapshot, space string, now time.Time) map[string]*CollectorPart {
	var out map[string]*CollectorPart
	for _, src := range snap.Sources() {
		p := src.Part(space)
		if p == nil {
			continue
		}
		if out == nil {
			out = make(map[string]*CollectorPart, len(snap.Sources()))
		}
		out[src.Name] = collectorPart(src, p, now)
	}
	return out
}

// collectorPart is /status's view of a part of src at now.
func collectorPart(src *snapshot.SourceState, p *snapshot.SpacePart, now time.Time) *CollectorPart {
	out := &CollectorPart{Up: p.Up, LastError: p.LastError}
	if !p.LastSuccess.IsZero() {
		age := now.Sub(p.LastSuccess).Seconds()
		out.LastSuccess, out.AgeSeconds = &p.LastSuccess, &age
	}
	if !p.LastAttempt.IsZero() {
		out.LastAttempt = &p.LastAttempt
	}
	if p.LastError != nil {
		out.Cause, out.Remedy = explainSource(src, p.LastError)
	}
	if p.HasData && p.Data != nil {
		out.Data, out.DataOmitted = partData(p.Data)
	}
	return out
}

// isPending reports whether id is one of pendingSpaces(snap).
func isPending(snap *snapshot.Snapshot, id string) bool {
	if snap.Counts().Pending == 0 || snap.Space(id) != nil {
		return false
	}
	for _, src := range snap.Sources() {
		if src.Part(id) != nil {
			return true
		}
	}
	return false
}

// pendingSpaces returns the spaces a source has a part of that snap's
// flows have no state of, sorted: none once no space is pending (a part
// of a space no longer watched is on its way out).
func pendingSpaces(snap *snapshot.Snapshot) []string {
	if snap.Counts().Pending == 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, src := range snap.Sources() {
		if src.Len() == 0 {
			continue
		}
		for id := range src.All() {
			if !seen[id] && snap.Space(id) == nil {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return out
}
