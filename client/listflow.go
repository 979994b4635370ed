package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
)

// ListFlowRequest holds ListFlow's parameters.
type ListFlowRequest struct {
	FlowName    string // optional filter; empty means all flows
	Page        *Page  // optional; CAMS documents no default, so ListAllFlows always sends one
	CustSpaceID string // the ISV sub-customer's space; empty means the caller's own
}

// Page selects one page; Index is 1-based.
type Page struct {
	Index int `json:"Index"`
	Size  int `json:"Size"`
}

// Flow is one WhatsApp Flow.
type Flow struct {
	FlowID     string   `json:"FlowId"`
	FlowName   string   `json:"FlowName"`
	Categories []string `json:"Categories"`
}

// ListFlowResponse is ListFlow's body.
type ListFlowResponse struct {
	RequestID          string             `json:"RequestId"`
	Code               string             `json:"Code"`
	Message            string             `json:"Message"`
	AccessDeniedDetail AccessDeniedDetail `json:"AccessDeniedDetail"`
	Data               []Flow             `json:"Data"`
}

// OperationListFlow is ListFlow's action name.
const OperationListFlow = "ListFlow"

// ListFlow lists one page of flows. A page holding more flows than its
// Page.Size, a flow without a FlowId or one carrying more than
// MaxCategoriesPerFlow categories is an InvalidResponse error; texts are cut
// to MaxFlowIDBytes, MaxFlowNameBytes, MaxCategoryBytes and MaxTextBytes.
func (c *Client) ListFlow(ctx context.Context, req ListFlowRequest) (*ListFlowResponse, error) {
	params, err := req.query()
	if err != nil {
		return nil, err
	}
	page := newFlowPage(1, DefaultPageSize)
	if req.Page != nil {
		page = newFlowPage(req.Page.Index, req.Page.Size)
	}
	if err := c.call(ctx, OperationListFlow, params, page); err != nil {
		return nil, err
	}
	return &page.ListFlowResponse, nil
}

func (r ListFlowRequest) query() (url.Values, error) {
	q := url.Values{}
	if r.FlowName != "" {
		q.Set("FlowName", r.FlowName)
	}
	if r.CustSpaceID != "" {
		q.Set("CustSpaceId", r.CustSpaceID)
	}
	if r.Page != nil {
		if r.Page.Index < 1 || r.Page.Size < 1 {
			return nil, fmt.Errorf("page index and size must be at least 1, got %+v", *r.Page)
		}
		page, _ := json.Marshal(r.Page) // a struct of two ints always marshals
		q.Set("Page", string(page))
	}
	return q, nil
}

// ListAllFlows lists every flow of a space matching flowName, page after page
// of pageSize, until a page comes back short or empty, within MaxPagesLimit
// pages (see Pager). Any failing page fails the whole listing: a partial list
// is never returned.
func (c *Client) ListAllFlows(ctx context.Context, space, flowName string, pageSize int) ([]Flow, error) {
	p := c.Pager(space, flowName, pageSize, MaxPagesLimit)
	for {
		done, err := p.Next(ctx)
		if err != nil {
			return nil, err
		}
		if done {
			return p.Flows(), nil
		}
	}
}
