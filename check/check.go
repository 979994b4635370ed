// Package check turns one refresh into a report for people and for
// monitoring plugins (Nagios, Icinga, cron, Kubernetes exec probes): a table
// or JSON, and an exit status of 0 OK, 1 WARNING, 2 CRITICAL or 3 UNKNOWN.
package check

import (
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/remedy"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Status is a monitoring-plugin status, also the process's exit code.
type Status int

// The monitoring-plugin statuses.
const (
	OK Status = iota
	Warning
	Critical
	Unknown
)

func (s Status) String() string {
	return [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}[s]
}

// Input is what one check run found.
type Input struct {
	// Snapshot holds the listings and, for each source that was on
	// (Snapshot.Sources), its part of each space.
	Snapshot *snapshot.Snapshot
	// Watched are the spaces the run was to check; nil means those of the
	// snapshot. A watched space the snapshot has no state for (a space
	// still pending when the run ended) was not finished.
	Watched []string
	// Throttled counts the attempts answered with throttling during the run.
	Throttled int
	// SlowAfter marks a space whose listing took longer as slow.
	SlowAfter time.Duration
	// TimedOut is the --check.timeout that cut the run short; 0 when the
	// run finished. The spaces never listed to the end are then UNKNOWN.
	TimedOut time.Duration
	// FlowStatus reports the flow statuses the run read with GetFlow
	// (--collector.flow-status); see evaluateStatuses.
	FlowStatus bool
}

// Result is the report.
type Result struct {
	Status  Status        `json:"-"`
	State   string        `json:"status"`
	Summary string        `json:"summary"`
	Spaces  []SpaceResult `json:"spaces"`
	// sources are the sources that were on, in their order.
	sources []sourceInfo
}

// sourceInfo names a source that was on.
type sourceInfo struct{ name, operation string }

// SpaceResult is one space's line of the report.
type SpaceResult struct {
	Space          string              `json:"space"`
	OK             bool                `json:"ok"`
	Flows          int                 `json:"flows"`
	ByCategory     map[string]int      `json:"flows_by_category"`
	LatencySeconds float64             `json:"latency_seconds"`
	Slow           bool                `json:"slow,omitempty"`
	Error          *snapshot.ErrorInfo `json:"error,omitempty"`
	Cause          string              `json:"cause,omitempty"` // for NetworkError and InvalidResponse, see remedy.Explain
	Remedy         string              `json:"remedy,omitempty"`
	// FlowsByStatus counts the flows by status, with --collector.flow-status
	// (snapshot.UnknownStatus: not known); StatusError is the last GetFlow
	// failure in the space and StatusRemedy what to do about it.
	FlowsByStatus map[string]int      `json:"flows_by_status,omitempty"`
	StatusError   *snapshot.ErrorInfo `json:"flow_status_error,omitempty"`
	StatusRemedy  string              `json:"flow_status_remedy,omitempty"`
	// The space's results of the sources that are on (see
	// judgeSources); absent for a source that is off, for the account's
	// own space, which they make no call for, and for the messaging
	// health of a space it asked nothing (no WABA bound or known, no
	// number known).
	PhoneNumbers    *NumbersResult   `json:"phone_numbers,omitempty"`
	WABA            *WABAResult      `json:"waba,omitempty"`
	MessagingHealth *HealthResult    `json:"messaging_health,omitempty"`
	Templates       *TemplatesResult `json:"templates,omitempty"`
}

// Evaluate judges one run.
func Evaluate(in Input) Result {
	var r Result
	failed, credentialFailures, slow, flows := 0, 0, 0, 0
	var unfinished []string
	for _, id := range in.spaceIDs() {
		sp := in.Snapshot.Space(id)
		if in.unfinished(sp) {
			unfinished = append(unfinished, id)
			r.Spaces = append(r.Spaces, notFinished(id, in.TimedOut))
			continue
		}
		sr := SpaceResult{Space: id, OK: sp.Up, LatencySeconds: sp.LastDuration.Seconds(), ByCategory: map[string]int{}}
		if sp.Up {
			sr.Flows, sr.ByCategory = sp.Count, sp.ByCategory
			if in.FlowStatus {
				sr.statuses(sp)
			}
			flows += sp.Count
			if in.SlowAfter > 0 && sp.LastDuration > in.SlowAfter {
				sr.Slow = true
				slow++
			}
		} else {
			failed++
			sr.Error = sp.LastError
			sr.Cause, sr.Remedy = remedy.Explain(sp.LastError.Code, sp.LastError.Message)
			if sp.LastError.Code == client.CodeCredentials {
				credentialFailures++
			}
		}
		r.Spaces = append(r.Spaces, sr)
	}
	n := len(r.Spaces)
	switch {
	case len(unfinished) > 0:
		r.Status, r.Summary = Unknown, notFinishedSummary(in.TimedOut, unfinished, n)
	case n == 0:
		r.Status, r.Summary = Unknown, "no space to check"
	case credentialFailures == n:
		r.Status, r.Summary = Unknown, noCredentials
	case failed > 0:
		r.Status, r.Summary = Critical, plural(failed, "space")+" of "+plural(n, "")+" failed"
	case in.FlowStatus && in.statusesLacking(&r): // sets r.Status and r.Summary
	case in.Throttled > 0:
		r.Status, r.Summary = Warning, "complete, but CAMS throttled "+plural(in.Throttled, "call")
	case slow > 0:
		r.Status, r.Summary = Warning, "complete, but "+plural(slow, "space")+" slower than "+in.SlowAfter.String()
	default:
		r.Status, r.Summary = OK, plural(n, "space")+", "+plural(flows, "flow")
	}
	r.withFindings(in.judgeSources(&r))
	r.State = r.Status.String()
	return r
}

func plural(n int, noun string) string {
	s := itoa(n)
	if noun == "" {
		return s
	}
	if n == 1 {
		return s + " " + noun
	}
	return s + " " + noun + "s"
}
