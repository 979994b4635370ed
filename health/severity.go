package health

import (
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
)

// Severities rank what a number or a messaging-health node says, the worst
// highest, as the alerts rank them: the status page lists the worst first,
// and /status keeps them first when it must cut a space's data.
const (
	fine     = iota
	notice   // YELLOW; a status neither CONNECTED nor one below; a node call that failed; an undocumented value
	warning  // RED; FLAGGED, RESTRICTED, RATE_LIMITED, DISCONNECTED, OFFLINE; LIMITED
	critical // BANNED, DELETED; BLOCKED
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
