package simulator

// bindWabaBody is QueryChatappBindWaba's success answer, as the official
// SDK declares it.
type bindWabaBody struct {
	RequestId string
	Code      string
	Message   string
	Success   bool
	Data      WABA
}

// queryBindWaba answers QueryChatappBindWaba: the WABA bound to CustSpaceId
// (the own space when absent or empty: CAMS documents the parameter as
// optional); IsvCode is accepted and ignored. A space without a WABA
// answers ERR-OPERATION-MAAP-0060, an unknown space
// Unknown.ResourceOwnerId, a space with an error code that code.
func (s *Server) queryBindWaba(c *call) (any, *apiError) {
	w, e := s.boundWABA(c.params.Get("CustSpaceId"))
	if e != nil {
		return nil, e
	}
	return bindWabaBody{RequestId: c.requestID, Code: "OK", Message: "SUCCESS", Success: true, Data: w}, nil
}

// boundWABA returns a copy of a space's WABA, or the error the space
// answers.
func (s *Server) boundWABA(spaceID string) (WABA, *apiError) {
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	sp, e := s.answeringSpace(spaceID)
	if e != nil {
		return WABA{}, e
	}
	if sp.waba == nil {
		return WABA{}, newError(CodeNoWABA, "")
	}
	return *sp.waba, nil
}
