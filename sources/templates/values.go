package templates

import "github.com/cams-exporter/cams_exporter/sources/values"

// Name is the source's collector name.
const Name = "templates"

// The documented audit statuses: the SDK's pass, fail, auditing and
// unaudit, and paused and disabled, which the ChatAppAudit push adds
// (cams-health-api.md). Meta pauses a template whose quality drops (3 h
// the first time, 6 h the second) and disables it the third time.
const (
	StatusPass     = "pass"
	StatusFail     = "fail"
	StatusAuditing = "auditing"
	StatusUnaudit  = "unaudit"
	StatusPaused   = "paused"
	StatusDisabled = "disabled"
)

// The documented values of each label: they always pass under their own
// name; others are bounded by values.Cap.
var (
	documentedStatuses   = []string{StatusPass, StatusFail, StatusAuditing, StatusUnaudit, StatusPaused, StatusDisabled}
	documentedCategories = []string{"MARKETING", "UTILITY", "AUTHENTICATION"}
	// changeStatuses are the statuses a move into is counted
	// (Templates.Changes).
	changeStatuses = []string{StatusPaused, StatusDisabled}
)

// Problem reports whether a template of this audit status is a problem:
// fail (its review failed), paused or disabled (Meta stopped it for its
// quality). All three keep the template from being sent, so every flow
// sending it fails until it is fixed. Auditing and unaudit are not
// problems: a new template waits for its review.
func Problem(status string) bool {
	return status == StatusFail || status == StatusPaused || status == StatusDisabled
}

// NeedsAttention reports whether a template of this audit status is kept
// one by one: a problem, or a status the documentation does not name. A
// template that passed or awaits its review is only counted.
func NeedsAttention(status string) bool {
	return status != StatusPass && status != StatusAuditing && status != StatusUnaudit
}

// caps bounds the values of the audit_status and category labels.
type caps struct {
	status, category *values.Cap
}

func newCaps() caps {
	return caps{status: values.NewCap(documentedStatuses...), category: values.NewCap(documentedCategories...)}
}

func (c caps) folded() uint64 { return c.status.Folded() + c.category.Folded() }
