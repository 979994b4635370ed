package client

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// OperationListInstance is ListInstance's action name.
const OperationListInstance = "ListInstance"

// ListInstanceRequest holds ListInstance's parameters. Zero leaves PageIndex
// or PageSize out, and the API's default applies (1 and 10).
type ListInstanceRequest struct {
	ChannelType string // optional filter such as "whatsapp"; empty means all
	PageIndex   int    // 1-based
	PageSize    int
}

// Instance is one channel instance of an ISV sub-customer.
type Instance struct {
	CustSpaceID  string `json:"CustSpaceId"`
	InstanceID   string `json:"InstanceId"`
	InstanceName string `json:"InstanceName"`
	ChannelType  string `json:"ChannelType"`
	State        string `json:"State"`
}

// ListInstanceResponse is ListInstance's body.
type ListInstanceResponse struct {
	RequestID  string     `json:"RequestId"`
	Code       string     `json:"Code"`
	Message    string     `json:"Message"`
	TotalCount int        `json:"TotalCount"`
	Data       []Instance `json:"Data"`
}

// ListInstance lists one page of the ISV's instances. It shares the
// account's limiter, retries and observer with ListFlow.
func (c *Client) ListInstance(ctx context.Context, req ListInstanceRequest) (*ListInstanceResponse, error) {
	params, err := req.query()
	if err != nil {
		return nil, err
	}
	var resp ListInstanceResponse
	if err := c.call(ctx, OperationListInstance, params, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

func (r ListInstanceRequest) query() (url.Values, error) {
	if r.PageIndex < 0 || r.PageSize < 0 {
		return nil, fmt.Errorf("page index and size must not be negative, got %d and %d", r.PageIndex, r.PageSize)
	}
	q := url.Values{}
	if r.ChannelType != "" {
		q.Set("ChannelType", r.ChannelType)
	}
	if r.PageIndex != 0 {
		q.Set("PageIndex", strconv.Itoa(r.PageIndex))
	}
	if r.PageSize != 0 {
		q.Set("PageSize", strconv.Itoa(r.PageSize))
	}
	return q, nil
}

// ListAllSpaces lists the ISV's sub-customer spaces: the distinct, non-empty
// CustSpaceIds of every instance of channelType (empty for all), in the
// order the API lists them, page after page of pageSize (DefaultPageSize
// when less than 1). It stops once it has seen TotalCount distinct
// instances or a page comes back short or empty. Any failing page fails the
// whole listing: a partial list is never returned. A full page of instances
// all listed before (a server that ignores PageIndex) is an InvalidResponse
// error, and so is a listing of more than 10000 pages.
func (c *Client) ListAllSpaces(ctx context.Context, channelType string, pageSize int) ([]string, error) {
	if pageSize < 1 {
		pageSize = DefaultPageSize
	}
	type key struct{ space, instance string }
	seenInstance := map[key]bool{}
	seenSpace := map[string]bool{}
	var spaces []string
	for index := 1; index <= MaxPagesLimit; index++ {
		resp, err := c.ListInstance(ctx, ListInstanceRequest{ChannelType: channelType, PageIndex: index, PageSize: pageSize})
		if err != nil {
			return nil, err
		}
		added := 0
		for _, in := range resp.Data {
			if k := (key{in.CustSpaceID, in.InstanceID}); !seenInstance[k] {
				seenInstance[k] = true
				added++
			}
			if in.CustSpaceID != "" && !seenSpace[in.CustSpaceID] {
				seenSpace[in.CustSpaceID] = true
				spaces = append(spaces, in.CustSpaceID)
			}
		}
		// A TotalCount of 0 with a full page is not believed: the listing
		// goes on until a short page rather than stop early.
		if len(resp.Data) < pageSize || (resp.TotalCount > 0 && len(seenInstance) >= resp.TotalCount) {
			return spaces, nil
		}
		if added == 0 {
			return nil, invalidResponse(OperationListInstance, 200, fmt.Sprintf("page %d repeated only instances already listed; the server seems to ignore PageIndex", index))
		}
	}
	return nil, invalidResponse(OperationListInstance, 200, fmt.Sprintf("more than %d pages", MaxPagesLimit))
}
