package simulator

// Queues every listed number carries, as the SDK's examples name them; the
// account part is the simulator's made-up owner id.
const (
	numberUpQueue     = "Alicom-Queue-1234567890123456-ChatAppInbound"
	numberStatusQueue = "Alicom-Queue-1234567890123456-ChatAppStatus"
)

// phoneNumbersBody is QueryChatappPhoneNumbers's success answer, as the
// official SDK declares it: the numbers at the top level, in PhoneNumbers
// (its Data is an unrelated string, which the simulator leaves out).
type phoneNumbersBody struct {
	RequestId    string
	Code         string
	Message      string
	Success      bool
	PhoneNumbers []listedNumber
}

// listedNumber is a number as QueryChatappPhoneNumbers answers it: the data
// set's fields (empty ones left out) and the queues of its messages.
type listedNumber struct {
	PhoneNumber            string
	VerifiedName           string `json:",omitempty"`
	Status                 string `json:",omitempty"`
	QualityRating          string `json:",omitempty"`
	MessagingLimitTier     string `json:",omitempty"`
	CodeVerificationStatus string `json:",omitempty"`
	NameStatus             string `json:",omitempty"`
	NewNameStatus          string `json:",omitempty"`
	IsOfficial             string `json:",omitempty"`
	UpQueue                string
	StatusQueue            string
}

// queryPhoneNumbers answers QueryChatappPhoneNumbers: every number of
// CustSpaceId (the own space when absent or empty: CAMS documents the
// parameter as optional) in one answer, without paging. A Status parameter
// keeps the numbers of that Status only (the SDK documents the parameter,
// not its matching: the simulator compares exactly); IsvCode is accepted
// and ignored. An unknown space answers Unknown.ResourceOwnerId, a space
// with an error code that code.
func (s *Server) queryPhoneNumbers(c *call) (any, *apiError) {
	numbers, e := s.phoneNumbers(c.params.Get("CustSpaceId"))
	if e != nil {
		return nil, e
	}
	status := c.params.Get("Status")
	listed := []listedNumber{}
	for _, n := range numbers {
		if status != "" && n.Status != status {
			continue
		}
		listed = append(listed, listedNumber{
			PhoneNumber: n.PhoneNumber, VerifiedName: n.VerifiedName, Status: n.Status, QualityRating: n.QualityRating,
			MessagingLimitTier: n.MessagingLimitTier, CodeVerificationStatus: n.CodeVerificationStatus,
			NameStatus: n.NameStatus, NewNameStatus: n.NewNameStatus, IsOfficial: n.IsOfficial,
			UpQueue: numberUpQueue, StatusQueue: numberStatusQueue,
		})
	}
	return phoneNumbersBody{RequestId: c.requestID, Code: "OK", Message: "SUCCESS", Success: true, PhoneNumbers: listed}, nil
}

// phoneNumbers returns a copy of a space's numbers, or the error the space
// answers.
func (s *Server) phoneNumbers(spaceID string) ([]PhoneNumber, *apiError) {
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	sp, e := s.answeringSpace(spaceID)
	if e != nil {
		return nil, e
	}
	return cloneNumbers(sp.numbers), nil
}

// answeringSpace returns a space that answers calls, or the error a call
// on it gets: Unknown.ResourceOwnerId for an unknown space, the space's
// error code. The caller holds dataMu.
func (s *Server) answeringSpace(spaceID string) (*space, *apiError) {
	sp := s.data.spaces[spaceID]
	switch {
	case sp == nil:
		return nil, newError(CodeUnknownResourceOwnerID, "")
	case sp.code != "":
		return nil, newError(sp.code, "")
	}
	return sp, nil
}
