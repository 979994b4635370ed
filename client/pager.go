package client

import (
	"context"
	"fmt"
)

// MaxPagesLimit is the most pages a listing may take, whatever its caller
// asks: 10,000 pages of 100 flows is a million flows in one space.
const MaxPagesLimit = 10000

// CodeTooManyPages is the outcome code of a listing that did not reach a
// short page within its page limit. It is a listing's outcome, not a failed
// call: every call of the listing succeeded, so no Observer hears of it.
const CodeTooManyPages = "TooManyPages"

// PageFunc fetches page index (1-based) of size flows.
type PageFunc func(ctx context.Context, index, size int) ([]Flow, error)

// Pager lists the flows of one space a page at a time, so that a caller can
// interleave the pages of several listings. It stops at the first page that
// comes back short or empty, keeps a FlowId seen twice once (flows can shift
// between pages while they change), and ends a listing that runs past its
// page limit with CodeTooManyPages. A Pager is not safe for concurrent use.
type Pager struct {
	fetch    PageFunc
	size     int
	maxPages int
	pages    int
	seen     map[string]struct{}
	flows    []Flow
	done     bool
}

// NewPager returns a pager of pages of pageSize flows (DefaultPageSize if
// below 1) that gives up after maxPages pages (MaxPagesLimit if below 1 or
// above it).
func NewPager(fetch PageFunc, pageSize, maxPages int) *Pager {
	pageSize, maxPages = pageBounds(pageSize, DefaultPageSize, maxPages)
	return &Pager{fetch: fetch, size: pageSize, maxPages: maxPages, seen: map[string]struct{}{}}
}

// pageBounds returns the page size and page limit of a listing: pageSize,
// or def below 1; maxPages, or MaxPagesLimit below 1 or above it.
func pageBounds(pageSize, def, maxPages int) (int, int) {
	if pageSize < 1 {
		pageSize = def
	}
	if maxPages < 1 || maxPages > MaxPagesLimit {
		maxPages = MaxPagesLimit
	}
	return pageSize, maxPages
}

// Next fetches the next page and reports whether the listing is complete;
// Flows then holds every flow. An error ends the listing and no partial list
// is ever complete: a caller keeps what it had. Next must not be called again
// after it reported done or an error.
func (p *Pager) Next(ctx context.Context) (done bool, err error) {
	if p.done {
		return true, nil
	}
	index := p.pages + 1
	page, err := p.fetch(ctx, index, p.size)
	if err != nil {
		return false, err
	}
	p.pages = index
	added := 0
	for _, f := range page {
		if _, dup := p.seen[f.FlowID]; !dup {
			p.seen[f.FlowID] = struct{}{}
			p.flows = append(p.flows, f)
			added++
		}
	}
	switch {
	case len(page) < p.size:
		p.done, p.seen = true, nil
		return true, nil
	case added == 0:
		return false, invalidResponse(OperationListFlow, 200, fmt.Sprintf("page %d repeated only flows already listed; the server seems to ignore Page", index))
	case p.pages >= p.maxPages:
		return false, &Error{Operation: OperationListFlow, Code: CodeTooManyPages, Class: ClassPermanent,
			Message: fmt.Sprintf("the listing did not end within %d pages of %d flows (%d flows so far)", p.maxPages, p.size, len(p.flows))}
	}
	return false, nil
}

// Flows returns the flows listed so far, each FlowId once; the whole listing
// once Next reported done.
func (p *Pager) Flows() []Flow { return p.flows }

// Pages returns how many pages have been fetched.
func (p *Pager) Pages() int { return p.pages }

// ListFlowPage lists page index (1-based) of size flows of a space matching
// flowName: a PageFunc for a Pager.
func (c *Client) ListFlowPage(ctx context.Context, space, flowName string, index, size int) ([]Flow, error) {
	resp, err := c.ListFlow(ctx, ListFlowRequest{FlowName: flowName, CustSpaceID: space, Page: &Page{Index: index, Size: size}})
	if err != nil {
		return nil, err
	}
	return resp.Data, nil
}

// Pager returns a pager over the flows of a space matching flowName.
func (c *Client) Pager(space, flowName string, pageSize, maxPages int) *Pager {
	return NewPager(func(ctx context.Context, index, size int) ([]Flow, error) {
		return c.ListFlowPage(ctx, space, flowName, index, size)
	}, pageSize, maxPages)
}
