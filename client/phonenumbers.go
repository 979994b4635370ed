package client

import (
	"context"
	"fmt"
)

// OperationQueryPhoneNumbers is QueryChatappPhoneNumbers's action name.
const OperationQueryPhoneNumbers = "QueryChatappPhoneNumbers"

// PhoneNumber is one WhatsApp number of a space, with the fields of the
// official SDK's QueryChatappPhoneNumbersResponseBodyPhoneNumbers a monitor
// reads (its callback URLs, queues and calling settings are left out).
// Every value is kept raw: the sets are open.
type PhoneNumber struct {
	PhoneNumber            string `json:"PhoneNumber"`            // such as "8613800001234"
	VerifiedName           string `json:"VerifiedName"`           // the display name
	Status                 string `json:"Status"`                 // such as CONNECTED, FLAGGED, BANNED
	QualityRating          string `json:"QualityRating"`          // GREEN, YELLOW, RED, UNKNOWN
	MessagingLimitTier     string `json:"MessagingLimitTier"`     // such as TIER_10K
	CodeVerificationStatus string `json:"CodeVerificationStatus"` // such as VERIFIED
	NameStatus             string `json:"NameStatus"`             // such as Approval, APPROVED
	NewNameStatus          string `json:"NewNameStatus"`          // the review of a name change
	IsOfficial             string `json:"IsOfficial"`             // "Y" or "N": a string in the SDK
}

// QueryPhoneNumbers lists every number of a space in one call (the
// operation has no paging). It sends what the official SDK sends (POST,
// CustSpaceId in the query, no Status filter, no IsvCode), waits on the
// operation's own limiter (LimiterOf), retries and reports its attempts as
// ListFlow does, with operation "QueryChatappPhoneNumbers".
//
// The numbers are the answer's top-level PhoneNumbers (its Data is an
// unrelated string), at most MaxPhoneNumbersPerAnswer, each with a
// PhoneNumber of at most MaxPhoneNumberBytes; an answer beyond these is an
// InvalidResponse error, and so is one listing a number twice with different
// values (listed twice alike, it is returned once). Names are cut to
// MaxNameBytes and values to MaxValueBytes.
func (c *Client) QueryPhoneNumbers(ctx context.Context, space string) ([]PhoneNumber, error) {
	params, err := spaceQuery(OperationQueryPhoneNumbers, space)
	if err != nil {
		return nil, err
	}
	var resp phoneNumbersAnswer
	if err := c.call(ctx, OperationQueryPhoneNumbers, params, &resp); err != nil {
		return nil, err
	}
	return resp.PhoneNumbers, nil
}

// phoneNumbersAnswer is QueryChatappPhoneNumbers's body as the client reads
// it: the envelope is read by call.
type phoneNumbersAnswer struct {
	PhoneNumbers phoneNumberList `json:"PhoneNumbers"`
}

type phoneNumberList []PhoneNumber

// UnmarshalJSON implements json.Unmarshaler, within MaxPhoneNumbersPerAnswer.
func (l *phoneNumberList) UnmarshalJSON(data []byte) (err error) {
	*l, err = decodeBounded[PhoneNumber](data, MaxPhoneNumbersPerAnswer, "PhoneNumbers")
	return err
}

// check refuses a number without a usable PhoneNumber or listed twice with
// different values, keeps one of numbers listed twice alike, and cuts the
// texts.
func (a *phoneNumbersAnswer) check() error {
	seen := make(map[string]PhoneNumber, len(a.PhoneNumbers))
	kept := a.PhoneNumbers[:0]
	for i, n := range a.PhoneNumbers {
		if problem := idProblem(n.PhoneNumber, MaxPhoneNumberBytes); problem != "" {
			return fmt.Errorf("PhoneNumbers[%d]: PhoneNumber %s", i, problem)
		}
		n = n.bounded()
		if first, ok := seen[n.PhoneNumber]; ok {
			if first != n {
				return fmt.Errorf("PhoneNumbers[%d]: number %s listed twice with different values", i, n.PhoneNumber)
			}
			continue
		}
		seen[n.PhoneNumber] = n
		kept = append(kept, n)
	}
	clear(a.PhoneNumbers[len(kept):])
	a.PhoneNumbers = kept
	return nil
}

func (n PhoneNumber) bounded() PhoneNumber {
	n.VerifiedName = Cut(n.VerifiedName, MaxNameBytes)
	n.Status, n.QualityRating = Cut(n.Status, MaxValueBytes), Cut(n.QualityRating, MaxValueBytes)
	n.MessagingLimitTier = Cut(n.MessagingLimitTier, MaxValueBytes)
	n.CodeVerificationStatus = Cut(n.CodeVerificationStatus, MaxValueBytes)
	n.NameStatus, n.NewNameStatus = Cut(n.NameStatus, MaxValueBytes), Cut(n.NewNameStatus, MaxValueBytes)
	n.IsOfficial = Cut(n.IsOfficial, MaxValueBytes)
	return n
}
