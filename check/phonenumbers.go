package check

import (
	"slices"

	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
)

// NumbersResult is a space's phone numbers (--collector.phone-numbers).
type NumbersResult struct {
	Call
	Count int `json:"count"`
	// The worst status and quality rating of the space's numbers, and the
	// tier of the lowest known daily limit ("" when no tier maps to one).
	WorstStatus              string `json:"worst_status,omitempty"`
	WorstQualityRating       string `json:"worst_quality_rating,omitempty"`
	LowestMessagingLimitTier string `json:"lowest_messaging_limit_tier,omitempty"`
	// Problems are the numbers that make the run a WARNING or CRITICAL.
	Problems []NumberProblem `json:"problems,omitempty"`
}

// NumberProblem is a number that makes the run a WARNING or CRITICAL.
type NumberProblem struct {
	PhoneNumber        string `json:"phone_number"`
	Severity           string `json:"severity"`
	Status             string `json:"status"`
	QualityRating      string `json:"quality_rating"`
	MessagingLimitTier string `json:"messaging_limit_tier"`
}

// Statuses of a number, worst first: those that make the run CRITICAL
// (the number cannot send), then WARNING (Meta limits or flags it), then
// the other documented ones. An undocumented status ranks after them,
// then none, then CONNECTED.
var (
	criticalNumberStatuses = []string{"BANNED", "DELETED"}
	warningNumberStatuses  = []string{"FLAGGED", "RESTRICTED", "RATE_LIMITED", "DISCONNECTED", "OFFLINE"}
	numberStatusOrder      = slices.Concat(criticalNumberStatuses, warningNumberStatuses,
		[]string{"PAUSED", "PENDING", "UNVERIFIED", "MIGRATED", "UNKNOWN"})
	// ratingOrder: RED makes the run a WARNING.
	ratingOrder = []string{"RED", "YELLOW", "UNKNOWN"}
)

// rankRED puts RED after BANNED and DELETED, before FLAGGED and the other
// warnings, among the numbers' findings; a status's rank is its place in
// numberStatusOrder, those after it one more.
var rankRED = len(criticalNumberStatuses)

func judgeNumbers(j *judging, sr *SpaceResult, part *snapshot.SpacePart) *Call {
	call := j.call(part)
	if call == nil {
		return nil
	}
	res := &NumbersResult{Call: *call}
	sr.PhoneNumbers = res
	if !call.OK {
		return call
	}
	numbers := phonenumbers.Of(part.Data)
	res.Count = len(numbers)
	lowest := 0.0
	for i, n := range numbers {
		if i == 0 || worse(n.Status, res.WorstStatus, numberStatusOrder, "CONNECTED") {
			res.WorstStatus = n.Status
		}
		if i == 0 || worse(n.QualityRating, res.WorstQualityRating, ratingOrder, "GREEN") {
			res.WorstQualityRating = n.QualityRating
		}
		if limit, known := phonenumbers.MessagingLimit(n.MessagingLimitTier); known && (res.LowestMessagingLimitTier == "" || limit < lowest) {
			res.LowestMessagingLimitTier, lowest = n.MessagingLimitTier, limit
		}
		if severity := j.judgeNumber(n); severity != OK {
			res.Problems = append(res.Problems, NumberProblem{PhoneNumber: n.PhoneNumber, Severity: severity.String(),
				Status: n.Status, QualityRating: n.QualityRating, MessagingLimitTier: n.MessagingLimitTier})
		}
	}
	return call
}

// judgeNumber notes what a number shows and returns its severity:
// CRITICAL when BANNED or DELETED, WARNING when RED or FLAGGED,
// RESTRICTED, RATE_LIMITED, DISCONNECTED or OFFLINE.
func (j *judging) judgeNumber(n phonenumbers.Number) Status {
	severity := OK
	rank := slices.Index(numberStatusOrder, n.Status)
	if rank >= rankRED {
		rank++
	}
	switch {
	case slices.Contains(criticalNumberStatuses, n.Status):
		severity = Critical
	case slices.Contains(warningNumberStatuses, n.Status):
		severity = Warning
	}
	if severity != OK {
		j.found.count(severity, j.index, rank, "number", "numbers", n.Status, "")
	}
	if n.QualityRating == "RED" {
		j.found.count(Warning, j.index, rankRED, "number", "numbers", "RED", "")
		severity = max(severity, Warning)
	}
	return severity
}

// worse reports whether value a is worse than b: by their place in order
// (worst first), a value not in it after those in it, "" after those, and
// best last; two values of one rank by name.
func worse(a, b string, order []string, best string) bool {
	ra, rb := valueRank(a, order, best), valueRank(b, order, best)
	if ra != rb {
		return ra < rb
	}
	return a < b
}

func valueRank(v string, order []string, best string) int {
	if i := slices.Index(order, v); i >= 0 {
		return i
	}
	switch v {
	case best:
		return len(order) + 2
	case "":
		return len(order) + 1
	}
	return len(order)
}
