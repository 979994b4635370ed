package phonenumbers

import (
	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Series is the source's series (collector.SourceSeries).
type Series struct {
	numbers, state, limit *collector.Family
}

func (*Series) Name() string { return Name }

func (s *Series) Families(add collector.AddFamily) {
	gauge := dto.MetricType_GAUGE
	s.numbers = add(true, gauge, "cams_phone_numbers",
		"Phone numbers of the space, as QueryChatappPhoneNumbers last answered (--collector.phone-numbers). Cached: read in the background every --phone-numbers.interval, never at scrape time.",
		"space")
	s.state = add(true, gauge, "cams_phone_number_state",
		"A phone number of the space and its state as Meta reports it through CAMS, always 1: status (CONNECTED, FLAGGED, RESTRICTED, BANNED...), quality_rating (GREEN, YELLOW, RED, UNKNOWN), messaging_limit_tier, code_verification_status and name_status, each raw; the first 30 undocumented values of each label appear under their own name, later ones as _other.",
		"code_verification_status", "messaging_limit_tier", "name_status", "phone_number", "quality_rating", "space", "status")
	s.limit = add(true, gauge, "cams_phone_number_messaging_limit",
		"Business-initiated conversations the number may open in 24 hours, from its messaging_limit_tier (Meta's names: TIER_50=50, TIER_250=250, TIER_1K=1000, TIER_2K=2000, TIER_10K=10000, TIER_100K=100000, TIER_UNLIMITED and UNLIMITED=+Inf); absent when the tier is not one of them.",
		"phone_number", "space")
}

func (s *Series) SpaceSeries(dst []collector.Series, space string, part *snapshot.SpacePart) []collector.Series {
	numbers := Of(part.Data)
	dst = append(dst, collector.NewSeries(s.numbers, float64(len(numbers)), space))
	for _, n := range numbers {
		dst = append(dst, collector.NewSeries(s.state, 1, n.CodeVerificationStatus, n.MessagingLimitTier, n.NameStatus, n.PhoneNumber, n.QualityRating, space, n.Status))
		if v, ok := MessagingLimit(n.MessagingLimitTier); ok {
			dst = append(dst, collector.NewSeries(s.limit, v, n.PhoneNumber, space))
		}
	}
	return dst
}
