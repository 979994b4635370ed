package simulator

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"
)

// DefaultFlowStatus is the Status GetFlow answers for a flow whose data
// carries none: a new flow is a draft until it is published.
const DefaultFlowStatus = "DRAFT"

// DocumentedFlowStatuses are the flow statuses CAMS documents. Meta also
// has BLOCKED and THROTTLED; a data set may use any status name.
var DocumentedFlowStatuses = []string{"DRAFT", "PUBLISHED", "DEPRECATED"}

var flowStatusPattern = regexp.MustCompile(`^[A-Z][A-Z_]{0,31}$`)

const flowStatusRule = "Status must be upper-case letters and underscores (at most 32), such as PUBLISHED"

// ValidFlowStatus reports whether s can be a flow's Status: upper-case
// letters and underscores, at most 32 of them.
func ValidFlowStatus(s string) bool { return flowStatusPattern.MatchString(s) }

// ErrBadFlowStatus is returned by SetFlowStatus for a status that
// [ValidFlowStatus] rejects.
var ErrBadFlowStatus = errors.New(flowStatusRule)

// Fields of GetFlow's Data that the data set does not hold: the official
// SDK's examples, and a preview link valid for 30 days, as Meta's are.
const (
	flowJSONVersion    = "2.1"
	flowDataAPIVersion = "3.0"
	previewLifetime    = 30 * 24 * time.Hour
)

// getFlowBody is GetFlow's success answer.
type getFlowBody struct {
	RequestId string
	Code      string
	Message   string
	Data      flowDetail
}

// flowDetail is GetFlow's Data, as the official SDK declares it.
type flowDetail struct {
	FlowId            string
	FlowName          string
	Categories        []string
	Status            string
	JSONVersion       string
	DataApiVersion    string
	EndpointUri       string
	PreviewUrl        string
	PreviewUrlExpires int64 // Unix milliseconds
}

// getFlow answers GetFlow: the flow FlowId of CustSpaceId (the own space
// when absent or empty), with its Status from the data set.
//
// No error of GetFlow's is documented beyond CAMS's common ones, so these
// answers are inferred: no FlowId answers MissingFlowId (400, "FlowId is
// mandatory for this action.", the gateway's answer to a missing required
// parameter); an unknown CustSpaceId Unknown.ResourceOwnerId, as ListFlow;
// a space with an error code that code, as ListFlow; and a FlowId the space
// does not hold Unknown.ResourceOwnerId (400) too, CAMS's code for a
// resource that does not belong to the caller, its message naming the flow.
func (s *Server) getFlow(c *call) (any, *apiError) {
	flowID := c.params.Get("FlowId")
	if flowID == "" {
		return nil, missingParameter("FlowId")
	}
	f, e := s.lookupFlow(c.params.Get("CustSpaceId"), flowID)
	if e != nil {
		return nil, e
	}
	status := f.Status
	if status == "" {
		status = DefaultFlowStatus
	}
	categories := f.Categories
	if categories == nil {
		categories = []string{}
	}
	return getFlowBody{RequestId: c.requestID, Code: "OK", Message: "SUCCESS", Data: flowDetail{
		FlowId: f.FlowId, FlowName: f.FlowName, Categories: categories, Status: status,
		JSONVersion: flowJSONVersion, DataApiVersion: flowDataAPIVersion,
		PreviewUrl:        "https://business.facebook.com/wa/manage/flows/" + f.FlowId + "/preview/?token=simulated",
		PreviewUrlExpires: s.now().Add(previewLifetime).UnixMilli(),
	}}, nil
}

// lookupFlow returns a copy of a flow of a space, or the error the space
// answers.
func (s *Server) lookupFlow(spaceID, flowID string) (Flow, *apiError) {
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	sp := s.data.spaces[spaceID]
	switch {
	case sp == nil:
		return Flow{}, newError(CodeUnknownResourceOwnerID, "")
	case sp.code != "":
		return Flow{}, newError(sp.code, "")
	}
	for _, f := range sp.flows {
		if f.FlowId == flowID {
			return f.clone(), nil
		}
	}
	return Flow{}, newError(CodeUnknownResourceOwnerID, fmt.Sprintf("The flow %q is not in this space.", flowID))
}

// missingParameter is the gateway's answer to a call without a required
// parameter.
func missingParameter(name string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "Missing" + name, message: name + " is mandatory for this action."}
}

// SetFlowStatus sets the Status GetFlow answers for a flow; "" gives
// DefaultFlowStatus again.
func (s *Server) SetFlowStatus(spaceID, flowID, status string) error {
	if status != "" && !ValidFlowStatus(status) {
		return ErrBadFlowStatus
	}
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	sp, err := s.spaceLocked(spaceID)
	if err != nil {
		return err
	}
	for i := range sp.flows {
		if sp.flows[i].FlowId == flowID {
			sp.flows[i].Status = status
			return nil
		}
	}
	return fmt.Errorf("%w %q in space %q", ErrUnknownFlow, flowID, spaceID)
}
