package phonenumbers

import (
	"encoding/json"
	"fmt"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/sources/values"
)

// Decode reads back the Data of a space's part (Numbers) from the JSON the
// cache file holds, bounded as an answer is: at most
// client.MaxPhoneNumbersPerAnswer numbers, each with a PhoneNumber the
// client would take, every value cut and its label values folded by the
// source's caps as an answer's are, sorted, each number once. It is the
// source's codec for the cache (cache.Codecs).
func (s *Source) Decode(raw json.RawMessage) (any, error) {
	var numbers []Number
	if err := json.Unmarshal(raw, &numbers); err != nil {
		return nil, err
	}
	if len(numbers) > client.MaxPhoneNumbersPerAnswer {
		return nil, fmt.Errorf("%d numbers, more than the %d of an answer", len(numbers), client.MaxPhoneNumbersPerAnswer)
	}
	answer := make([]client.PhoneNumber, len(numbers))
	for i, n := range numbers {
		if err := values.CheckID(n.PhoneNumber, client.MaxPhoneNumberBytes); err != nil {
			return nil, fmt.Errorf("number %d: %w", i, err)
		}
		answer[i] = client.PhoneNumber{PhoneNumber: n.PhoneNumber, VerifiedName: n.VerifiedName, Status: n.Status, QualityRating: n.QualityRating,
			MessagingLimitTier: n.MessagingLimitTier, CodeVerificationStatus: n.CodeVerificationStatus, NameStatus: n.NameStatus,
			NewNameStatus: n.NewNameStatus, IsOfficial: n.IsOfficial}
	}
	kept := keep(answer, s.caps)
	for i := range kept {
		n := &kept[i]
		n.Status, n.QualityRating, n.MessagingLimitTier = values.Shared(n.Status), values.Shared(n.QualityRating), values.Shared(n.MessagingLimitTier)
		n.CodeVerificationStatus, n.NameStatus = values.Shared(n.CodeVerificationStatus), values.Shared(n.NameStatus)
		n.NewNameStatus, n.IsOfficial = values.Shared(n.NewNameStatus), values.Shared(n.IsOfficial)
	}
	return kept, nil
}
