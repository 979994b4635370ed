// Package check turns one refresh into a report for people and for
// monitoring plugins (Nagios, Icinga, cron, Kubernetes exec probes): a table
// or JSON, and an exit status of 0 OK, 1 WARNING, 2 CRITICAL or 3 UNKNOWN.
package check

import (
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/refresh"
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
	Snapshot *refresh.Snapshot
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
}

// SpaceResult is one space's line of the report.
type SpaceResult struct {
	Space          string             `json:"space"`
	OK             bool               `json:"ok"`
	Flows          int                `json:"flows"`
	ByCategory     map[string]int     `json:"flows_by_category"`
	LatencySeconds float64            `json:"latency_seconds"`
	Slow           bool               `json:"slow,omitempty"`
	Error          *refresh.ErrorInfo `json:"error,omitempty"`
	Cause          string             `json:"cause,omitempty"` // for NetworkError and InvalidResponse, see Explain
	Remedy         string             `json:"remedy,omitempty"`
	// FlowsByStatus counts the flows by status, with --collector.flow-status
	// (refresh.UnknownStatus: not known); StatusError is the last GetFlow
	// failure in the space and StatusRemedy what to do about it.
	FlowsByStatus map[string]int     `json:"flows_by_status,omitempty"`
	StatusError   *refresh.ErrorInfo `json:"flow_status_error,omitempty"`
	StatusRemedy  string             `json:"flow_status_remedy,omitempty"`
}

// Evaluate judges one run.
func Evaluate(in Input) Result {
	var r Result
	failed, credentialFailures, slow, flows := 0, 0, 0, 0
	var unfinished []string
	for _, id := range in.spaceIDs() {
		sp := in.Snapshot.Spaces[id]
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
			sr.Cause, sr.Remedy = Explain(sp.LastError)
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
		r.Status, r.Summary = Unknown, "no usable credentials"
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

// Remedy says what to do about an error code.
func Remedy(code string) string {
	switch {
	case code == "Ram.PermissionDeny":
		return "grant cams:ListFlow to the RAM identity the exporter runs as"
	case code == "Product.Unsubscript":
		return "subscribe the account to Chat App Message Service (CAMS)"
	case code == "System.LimitControl" || strings.HasPrefix(code, "Throttling"):
		return "lower --cams.rate-limit or stop other callers of ListFlow on this account (5 calls/s in all)"
	case code == "Unknown.ResourceOwnerId":
		return "the space id does not belong to this account: check --cams.space / --cams.spaces-file"
	case code == client.CodeCredentials:
		return "set credentials; the chain reads " + client.ChainVariables
	case code == "SignatureDoesNotMatch" || strings.HasPrefix(code, "InvalidAccessKeyId"):
		return "check the AccessKeyId and AccessKeySecret"
	case strings.HasPrefix(code, "InvalidSecurityToken"):
		return "the STS token is missing, wrong or expired: check the credentials source"
	case code == "InvalidTimeStamp.Expired":
		return "the clock of this host is off: synchronise it (NTP)"
	case code == client.CodeTimeout:
		return "no answer within --cams.timeout: check network access to the endpoint, or raise --cams.timeout"
	case code == client.CodeNetworkError:
		return "check network access to the endpoint: --cams.endpoint or --cams.region, DNS, firewall and proxy settings"
	case code == client.CodeInvalidResponse:
		return "the endpoint answered something other than CAMS's JSON: check that --cams.endpoint points at CAMS and that no proxy rewrites its answers"
	case strings.HasPrefix(code, "HTTP_5") || code == "InternalError" || code == "ServiceUnavailable":
		return "CAMS had a server-side problem: retry later"
	case code == client.CodeTooManyPages:
		return "the listing never reached a short page: if the space really holds that many flows, raise --cams.max-pages or --cams.page-size; if its pages never end, report it to Alibaba Cloud"
	}
	return ""
}
