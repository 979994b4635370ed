package check

import (
	"slices"
	"strings"

	"github.com/cams-exporter/cams_exporter/remedy"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// statuses fills in the flow statuses of a space that was listed.
func (sr *SpaceResult) statuses(sp *snapshot.SpaceState) {
	sr.FlowsByStatus = sp.Statuses.ByStatus(sp.Count)
	if e := sp.Statuses.LastErrorOrNil(); e != nil {
		sr.StatusError, sr.StatusRemedy = e, remedy.ForGetFlow(e.Code)
	}
}

// statusesLacking judges the flow statuses of a run whose listings all
// succeeded: UNKNOWN when --check.timeout cut the checks short, WARNING
// when GetFlow failed for a space (its flows were listed; only their
// statuses are missing). It reports whether it set r's status.
func (in Input) statusesLacking(r *Result) bool {
	failed, unchecked := 0, 0
	var codes []string
	for _, s := range r.Spaces {
		switch {
		case s.StatusError != nil:
			failed++
			if !slices.Contains(codes, s.StatusError.Code) {
				codes = append(codes, s.StatusError.Code)
			}
		case in.TimedOut > 0:
			unchecked += s.FlowsByStatus[snapshot.UnknownStatus]
		}
	}
	switch {
	case unchecked > 0:
		r.Status, r.Summary = Unknown, "--check.timeout "+in.TimedOut.String()+" expired: the statuses of "+plural(unchecked, "flow")+" not checked"
	case failed > 0:
		slices.Sort(codes)
		r.Status, r.Summary = Warning, "every space listed, but GetFlow failed for "+plural(failed, "space")+" of "+plural(len(r.Spaces), "")+" ("+strings.Join(codes, ", ")+"): their flow statuses are not known"
	default:
		return false
	}
	return true
}

// hasStatuses reports whether the report carries flow statuses.
func (r Result) hasStatuses() bool {
	for _, s := range r.Spaces {
		if s.FlowsByStatus != nil {
			return true
		}
	}
	return false
}

// statusText is a space's STATUSES column: the counts, documented
// statuses first, and the GetFlow failure.
func (s SpaceResult) statusText() string {
	var parts []string
	for _, st := range snapshot.DocumentedStatuses {
		parts = append(parts, st+"="+itoa(s.FlowsByStatus[st]))
	}
	var others []string
	for st := range s.FlowsByStatus {
		if !slices.Contains(snapshot.DocumentedStatuses, st) && st != snapshot.UnknownStatus {
			others = append(others, st)
		}
	}
	slices.Sort(others)
	for _, st := range append(others, snapshot.UnknownStatus) {
		parts = append(parts, st+"="+itoa(s.FlowsByStatus[st]))
	}
	text := strings.Join(parts, " ")
	if e := s.StatusError; e != nil {
		text += "; GetFlow " + e.Code
		if e.RequestID != "" {
			text += " (RequestId " + e.RequestID + ")"
		}
		if s.StatusRemedy != "" {
			text += ": " + s.StatusRemedy
		}
	}
	return text
}
