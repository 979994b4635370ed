package client

import "fmt"

// checker is a decoded answer that can tell whether it is one the API could
// have sent; decode turns its complaint into an InvalidResponse error, so it
// is counted and retried like any other invalid response.
type checker interface {
	check() error
}

// flowPage is a ListFlow answer to be checked against the page asked for.
type flowPage struct {
	ListFlowResponse
	index, size int
}

// check refuses a page holding more flows than asked for or a flow without
// a FlowId or with more than MaxCategoriesPerFlow categories, and cuts the
// texts of the rest to their bounds.
func (p *flowPage) check() error {
	if len(p.Data) > p.size {
		return fmt.Errorf("page %d holds %d flows, more than the Page.Size of %d asked for", p.index, len(p.Data), p.size)
	}
	p.RequestID, p.Message = Cut(p.RequestID, MaxTextBytes), Cut(p.Message, MaxTextBytes)
	p.AccessDeniedDetail = p.AccessDeniedDetail.bounded()
	for i := range p.Data {
		f := &p.Data[i]
		switch {
		case f.FlowID == "":
			return fmt.Errorf("page %d: flow %d of %d has no FlowId", p.index, i+1, len(p.Data))
		case len(f.Categories) > MaxCategoriesPerFlow:
			return fmt.Errorf("page %d: flow %d of %d carries %d categories, more than %d", p.index, i+1, len(p.Data), len(f.Categories), MaxCategoriesPerFlow)
		}
		f.FlowID, f.FlowName = Cut(f.FlowID, MaxFlowIDBytes), Cut(f.FlowName, MaxFlowNameBytes)
		for j, c := range f.Categories {
			f.Categories[j] = Cut(c, MaxCategoryBytes)
		}
	}
	return nil
}

// instancePage is a ListInstance answer to be checked against the page
// asked for.
type instancePage struct {
	ListInstanceResponse
	index, size int
}

// check refuses a page holding more instances than asked for.
func (p *instancePage) check() error {
	if len(p.Data) > p.size {
		return fmt.Errorf("page %d holds %d instances, more than the PageSize of %d asked for", p.index, len(p.Data), p.size)
	}
	p.RequestID, p.Message = Cut(p.RequestID, MaxTextBytes), Cut(p.Message, MaxTextBytes)
	return nil
}
