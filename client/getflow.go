package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
)

// OperationGetFlow is GetFlow's action name.
const OperationGetFlow = "GetFlow"

// The flow statuses CAMS documents. Meta also knows BLOCKED and THROTTLED;
// CAMS documents only these three, so a caller must expect others too.
const (
	FlowStatusDraft      = "DRAFT"
	FlowStatusPublished  = "PUBLISHED"
	FlowStatusDeprecated = "DEPRECATED"
)

// maxFlowIDBytes bounds a FlowId sent: ListFlow's are 16 digits or so.
const maxFlowIDBytes = 256

// GetFlowRequest holds GetFlow's parameters.
type GetFlowRequest struct {
	FlowID      string // required
	CustSpaceID string // the ISV sub-customer's space; empty means the caller's own
}

// FlowDetail is GetFlow's Data: one flow with its status.
type FlowDetail struct {
	FlowID            string   `json:"FlowId"`
	FlowName          string   `json:"FlowName"`
	Categories        []string `json:"Categories"`
	Status            string   `json:"Status"` // DRAFT, PUBLISHED or DEPRECATED as documented
	JSONVersion       string   `json:"JSONVersion"`
	DataAPIVersion    string   `json:"DataApiVersion"`
	EndpointURI       string   `json:"EndpointUri"`
	PreviewURL        string   `json:"PreviewUrl"`
	PreviewURLExpires int64    `json:"PreviewUrlExpires"` // Unix time in milliseconds
}

// GetFlowResponse is GetFlow's body.
type GetFlowResponse struct {
	RequestID          string             `json:"RequestId"`
	Code               string             `json:"Code"`
	Message            string             `json:"Message"`
	AccessDeniedDetail AccessDeniedDetail `json:"AccessDeniedDetail"`
	Data               *FlowDetail        `json:"Data"`
}

// GetFlow reads one flow, its status included. It sends what the official
// SDK sends (POST, FlowId and CustSpaceId in the query, ACS3 signature),
// waits on the GetFlow limiter (see GetFlowLimiter), retries and reports its
// attempts as ListFlow does, with operation "GetFlow". A success without
// Data.FlowId is an InvalidResponse error, retried like a broken body.
func (c *Client) GetFlow(ctx context.Context, req GetFlowRequest) (*GetFlowResponse, error) {
	params, err := req.query()
	if err != nil {
		return nil, err
	}
	var resp GetFlowResponse
	if err := c.call(ctx, OperationGetFlow, params, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// check rejects a success that does not say which flow it describes, and
// cuts the texts of the answer to their bounds (see limits.go).
func (r *GetFlowResponse) check() error {
	if r.Data == nil || r.Data.FlowID == "" {
		return errors.New("no Data.FlowId")
	}
	if len(r.Data.Categories) > MaxCategoriesPerFlow {
		return fmt.Errorf("flow carries %d categories, more than %d", len(r.Data.Categories), MaxCategoriesPerFlow)
	}
	r.RequestID, r.Message = Cut(r.RequestID, MaxTextBytes), Cut(r.Message, MaxTextBytes)
	r.AccessDeniedDetail = r.AccessDeniedDetail.bounded()
	d := r.Data
	d.FlowID, d.FlowName = Cut(d.FlowID, MaxFlowIDBytes), Cut(d.FlowName, MaxFlowNameBytes)
	for i, c := range d.Categories {
		d.Categories[i] = Cut(c, MaxCategoryBytes)
	}
	d.Status = Cut(d.Status, MaxCategoryBytes)
	d.JSONVersion, d.DataAPIVersion = Cut(d.JSONVersion, MaxTextBytes), Cut(d.DataAPIVersion, MaxTextBytes)
	d.EndpointURI, d.PreviewURL = Cut(d.EndpointURI, MaxTextBytes), Cut(d.PreviewURL, MaxTextBytes)
	return nil
}

// GetFlowLimiter returns the account limiter GetFlow calls wait on.
func (c *Client) GetFlowLimiter() *Limiter { return c.LimiterOf(OperationGetFlow) }

func (r GetFlowRequest) query() (url.Values, error) {
	switch {
	case r.FlowID == "":
		return nil, errors.New("GetFlow needs a FlowId")
	case len(r.FlowID) > maxFlowIDBytes:
		return nil, errors.New("GetFlow: FlowId longer than 256 bytes")
	}
	q := url.Values{}
	q.Set("FlowId", r.FlowID)
	if r.CustSpaceID != "" {
		q.Set("CustSpaceId", r.CustSpaceID)
	}
	return q, nil
}
