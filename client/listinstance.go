package client

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// OperationListInstance is ListInstance's action name.
const OperationListInstance = "ListInstance"

// unsizedInstancePage bounds a ListInstance page when no PageSize was sent:
// CAMS documents no default page size, so only this generous bound applies.
const unsizedInstancePage = 1000

// ListInstanceRequest holds ListInstance's parameters, all optional. Zero
// leaves PageIndex or PageSize out of the request; CAMS documents no default
// for either, so ListAllSpaces always sends both.
type ListInstanceRequest struct {
	ChannelType string // optional filter such as "whatsapp"; empty means all
	PageIndex   int    // 1-based
	PageSize    int
}

// Instance is one channel instance of an ISV sub-customer, with the fields
// of the official SDK's ListInstanceResponseBodyData that the exporter may
// show.
type Instance struct {
	CustSpaceID      string `json:"CustSpaceId"`
	InstanceID       string `json:"InstanceId"`
	InstanceName     string `json:"InstanceName"`
	ChannelType      string `json:"ChannelType"`      // documented lower-case ("whatsapp"); the SDK's example says "VIBER"
	State            string `json:"State"`            // such as "published"
	ResourceRegionID string `json:"ResourceRegionId"` // the region the instance belongs to
	ResourceGroupID  string `json:"ResourceGroupId"`
	SubmitTime       string `json:"SubmitTime"` // such as "2023-12-12 00:00:00"
}

// ListInstanceResponse is ListInstance's body, as the official SDK declares
// it: no PageIndex or PageSize comes back, only TotalCount.
type ListInstanceResponse struct {
	RequestID          string             `json:"RequestId"`
	Code               string             `json:"Code"`
	Message            string             `json:"Message"`
	AccessDeniedDetail AccessDeniedDetail `json:"AccessDeniedDetail"`
	Success            bool               `json:"Success"`
	TotalCount         int                `json:"TotalCount"` // instances matching the filter, over all pages
	Data               []Instance         `json:"Data"`
}

// ListInstance lists one page of the ISV's instances. It shares the
// account's limiter, retries and observer with ListFlow. A page holding more
// instances than its PageSize is an InvalidResponse error.
func (c *Client) ListInstance(ctx context.Context, req ListInstanceRequest) (*ListInstanceResponse, error) {
	params, err := req.query()
	if err != nil {
		return nil, err
	}
	resp := instancePage{index: max(req.PageIndex, 1), size: req.PageSize}
	if resp.size == 0 {
		resp.size = unsizedInstancePage
	}
	if err := c.call(ctx, OperationListInstance, params, &resp); err != nil {
		return nil, err
	}
	return &resp.ListInstanceResponse, nil
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
// when less than 1).
//
// The channel type is compared without regard to case: CAMS documents the
// values in lower case ("whatsapp", "viber") while the SDK's examples say
// "VIBER", so it is sent in lower case, the documented form, and an instance
// whose ChannelType differs from it other than by case is left out (an
// instance without a ChannelType is kept).
//
// It stops once it has seen TotalCount distinct instances or a page comes
// back short or empty. Any failing page fails the whole listing: a partial
// list is never returned. A full page of instances all listed before (a
// server that ignores PageIndex) is an InvalidResponse error, and so is a
// listing of more than 10000 pages.
func (c *Client) ListAllSpaces(ctx context.Context, channelType string, pageSize int) ([]string, error) {
	if pageSize < 1 {
		pageSize = DefaultPageSize
	}
	channelType = strings.ToLower(strings.TrimSpace(channelType))
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
			if !channelMatches(in.ChannelType, channelType) {
				continue
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

// channelMatches reports whether an instance of channel type got passes the
// filter want ("" for all), without regard to case.
func channelMatches(got, want string) bool {
	return want == "" || got == "" || strings.EqualFold(got, want)
}
