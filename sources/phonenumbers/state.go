package phonenumbers

import (
	"slices"
	"strings"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/sources/values"
)

// Number is what the exporter keeps of a phone number: its label values,
// bounded, and what /status shows beside them. It is immutable.
type Number struct {
	PhoneNumber            string `json:"phone_number"`
	Status                 string `json:"status"`
	QualityRating          string `json:"quality_rating"`
	MessagingLimitTier     string `json:"messaging_limit_tier"`
	CodeVerificationStatus string `json:"code_verification_status"`
	NameStatus             string `json:"name_status"`
	// Never labels: free text, or of no use to an alert.
	VerifiedName  string `json:"verified_name,omitempty"`
	NewNameStatus string `json:"new_name_status,omitempty"`
	IsOfficial    string `json:"is_official,omitempty"`
}

// Numbers is a space's numbers, sorted by PhoneNumber, each once: the
// SpacePart's Data of this source.
type Numbers []Number

// keep returns the numbers of an answer, bounded by caps, sorted, each
// number once (the first answered), without empty numbers.
func keep(answer []client.PhoneNumber, c caps) Numbers {
	out := make(Numbers, 0, len(answer))
	for _, n := range answer {
		if n.PhoneNumber == "" {
			continue
		}
		out = append(out, Number{
			PhoneNumber: values.Cut(n.PhoneNumber), Status: c.status.Fold(n.Status), QualityRating: c.rating.Fold(n.QualityRating),
			MessagingLimitTier: c.tier.Fold(n.MessagingLimitTier), CodeVerificationStatus: c.verification.Fold(n.CodeVerificationStatus),
			NameStatus: c.name.Fold(n.NameStatus), VerifiedName: client.Cut(n.VerifiedName, client.MaxTextBytes),
			NewNameStatus: values.Cut(n.NewNameStatus), IsOfficial: values.Cut(n.IsOfficial),
		})
	}
	slices.SortStableFunc(out, func(a, b Number) int { return strings.Compare(a.PhoneNumber, b.PhoneNumber) })
	return slices.CompactFunc(out, func(a, b Number) bool { return a.PhoneNumber == b.PhoneNumber })
}

// Of returns the numbers of a space's part of this source, nil when it has
// none: for the sources that read them (messaging health).
func Of(data any) Numbers {
	n, _ := data.(Numbers)
	return n
}
