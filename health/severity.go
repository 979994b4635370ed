package health

import (
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
)

// Severities rank what a number, a messaging-health node or a template
// says, the worst highest, as the alerts rank them: the status page lists
// the worst first, and /status keeps them first when it must cut a
// space's data.
const (
	fine     = iota
	notice   // YELLOW; a status neither CONNECTED nor one below; a node call that failed; an undocumented value (a template's audit status too)
	warning  // RED; FLAGGED, RESTRICTED, RATE_LIMITED, DISCONNECTED, OFFLINE; LIMITED; a template fail, paused or disabled
	critical // BANNED, DELETED; BLOCKED; a template that cannot be sent in a space without a usable one
)

// severityNames names each severity on the page.
var severityNames = [...]string{fine: "fine", notice: "notice", warning: "warning", critical: "critical"}

// numberSeverity ranks a number by its status and quality rating.
func numberSeverity(n phonenumbers.Number) int {
	switch n.Status {
	case "BANNED", "DELETED":
		return critical
	case "FLAGGED", "RESTRICTED", "RATE_LIMITED", "DISCONNECTED", "OFFLINE":
		return warning
	}
	switch {
	case n.QualityRating == "RED":
		return warning
	case n.QualityRating == "YELLOW", n.Status != "CONNECTED":
		return notice
	}
	return fine
}

// canSendSeverity ranks a CanSendMessage value; "" (never answered) is
// fine: nothing is known against it.
func canSendSeverity(v string) int {
	switch v {
	case "BLOCKED":
		return critical
	case "LIMITED":
		return warning
	case "AVAILABLE", "":
		return fine
	}
	return notice
}

// nodeSeverity ranks a node of h by its worst: its own value, that of the
// entities it names, and a failed last call.
func nodeSeverity(h messaginghealth.Health, n *messaginghealth.Node) int {
	worst := canSendSeverity(n.CanSendMessage)
	for e := range h.NamedBy(n) {
		worst = max(worst, canSendSeverity(e.CanSendMessage))
	}
	if n.LastError != nil {
		worst = max(worst, notice)
	}
	return worst
}

// templateSeverity ranks a template of a space by its audit status: one
// that cannot be sent (templates.Problem) is a warning, and critical when
// its space has no usable template (templates.Templates.NoneUsable: nothing can be sent
// outside the 24-hour window); an undocumented status is a notice; pass
// and a template waiting for its review (auditing, unaudit) are fine.
func templateSeverity(status string, noneUsable bool) int {
	switch {
	case templates.Problem(status) && noneUsable:
		return critical
	case templates.Problem(status):
		return warning
	case status == templates.StatusPass, status == templates.StatusAuditing, status == templates.StatusUnaudit:
		return fine
	}
	return notice
}
