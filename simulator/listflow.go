package simulator

import (
	"encoding/json"
	"fmt"
)

// listFlowBody is ListFlow's success answer.
type listFlowBody struct {
	RequestId string
	Code      string
	Message   string
	Data      []listedFlow
}

// listedFlow is a flow as ListFlow answers it: never with its Status, which
// only GetFlow tells.
type listedFlow struct {
	FlowId     string
	FlowName   string
	Categories []string
}

// pageParam is ListFlow's Page parameter, a JSON object in the query.
type pageParam struct {
	Index *int
	Size  *int
}

// listFlow answers ListFlow: a page of the flows of CustSpaceId (the own
// space when absent or empty) whose FlowName contains the FlowName parameter
// (case-sensitive; empty matches all).
func (s *Server) listFlow(c *call) (any, *apiError) {
	index, size, e := s.parsePage(c.params.Get("Page"))
	if e != nil {
		return nil, e
	}
	flows, e := s.listFlows(c.params.Get("CustSpaceId"), c.params.Get("FlowName"), index, size)
	if e != nil {
		return nil, e
	}
	listed := make([]listedFlow, len(flows))
	for i, f := range flows {
		listed[i] = listedFlow{FlowId: f.FlowId, FlowName: f.FlowName, Categories: f.Categories}
	}
	return listFlowBody{RequestId: c.requestID, Code: "OK", Message: "SUCCESS", Data: listed}, nil
}

// parsePage reads the Page parameter: {"Index":1,"Size":20}, both optional
// (Index defaults to 1, Size to DefaultPageSize or MaxPageSize if smaller).
func (s *Server) parsePage(raw string) (index, size int, e *apiError) {
	return parsePageParam(raw, min(DefaultPageSize, s.maxPageSize), s.maxPageSize)
}

// parsePageParam reads a Page parameter as the SDK sends it, the JSON
// object {"Index":1,"Size":20}, both fields optional (Index 1, Size def):
// InvalidParameter for one that is not such an object, an Index below 1
// or a Size outside 1 to max.
func parsePageParam(raw string, def, max int) (index, size int, e *apiError) {
	index, size = 1, def
	if raw == "" {
		return index, size, nil
	}
	var p pageParam
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return 0, 0, invalidParameter("Page", "it must be a JSON object such as {\"Index\":1,\"Size\":20}")
	}
	if p.Index != nil {
		index = *p.Index
	}
	if p.Size != nil {
		size = *p.Size
	}
	switch {
	case index < 1:
		return 0, 0, invalidParameter("Page.Index", "it must be 1 or more")
	case size < 1 || size > max:
		return 0, 0, invalidParameter("Page.Size", fmt.Sprintf("it must be between 1 and %d", max))
	}
	return index, size, nil
}

func invalidParameter(name, why string) *apiError {
	e := newError(CodeInvalidParameter, "")
	e.message = fmt.Sprintf("The specified parameter %s is not valid: %s.", name, why)
	return e
}
