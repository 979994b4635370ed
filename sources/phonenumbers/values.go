package phonenumbers

import (
	"math"

	"github.com/cams-exporter/cams_exporter/sources/values"
)

// The documented values of each label (the SDK's history, CAMS's docs
// and Meta's): they always pass under their own name; others are bounded
// by values.Cap.
var (
	documentedStatuses = []string{"PENDING", "DELETED", "MIGRATED", "BANNED", "RESTRICTED", "RATE_LIMITED", "FLAGGED",
		"CONNECTED", "DISCONNECTED", "UNKNOWN", "UNVERIFIED", "OFFLINE", "PAUSED"}
	documentedRatings      = []string{"GREEN", "YELLOW", "RED", "UNKNOWN"}
	documentedTiers        = []string{"TIER_50", "TIER_250", "TIER_1K", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED", "UNLIMITED", "TIER_10", "TIER_1000"}
	documentedVerification = []string{"VERIFIED", "NOT_VERIFIED", "EXPIRED"}
	documentedNameStatuses = []string{"Approval", "Pending_Review", "Rejected", "APPROVED", "DECLINED", "PENDING_REVIEW"}
)

// messagingLimits maps Meta's tier names, which CAMS relays, to the
// business-initiated conversations a number may open in 24 hours. TIER_10
// and TIER_1000 (one CAMS docs page, contradicting Meta's names) and any
// other name are not mapped: their limit is not known.
var messagingLimits = map[string]float64{
	"TIER_50":        50,
	"TIER_250":       250,
	"TIER_1K":        1000,
	"TIER_2K":        2000,
	"TIER_10K":       10000,
	"TIER_100K":      100000,
	"TIER_UNLIMITED": math.Inf(1),
	"UNLIMITED":      math.Inf(1),
}

// MessagingLimit returns the daily limit tier stands for, +Inf for
// unlimited; false when the tier is not known.
func MessagingLimit(tier string) (float64, bool) {
	v, ok := messagingLimits[tier]
	return v, ok
}

// caps bounds the values of each label of cams_phone_number_state.
type caps struct {
	status, rating, tier, verification, name *values.Cap
}

func newCaps() caps {
	return caps{
		status: values.NewCap(documentedStatuses...), rating: values.NewCap(documentedRatings...),
		tier: values.NewCap(documentedTiers...), verification: values.NewCap(documentedVerification...),
		name: values.NewCap(documentedNameStatuses...),
	}
}

func (c caps) folded() uint64 {
	return c.status.Folded() + c.rating.Folded() + c.tier.Folded() + c.verification.Folded() + c.name.Folded()
}
