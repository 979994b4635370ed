package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
)

// checker is a decoded answer that can tell whether it is one the API could
// have sent; decode turns its complaint into an InvalidResponse error, so it
// is counted and retried like any other invalid response.
type checker interface {
	check() error
}

// flowPage is a ListFlow answer to be checked against the page asked for.
// Its Data, which shadows the response's, decodes no more flows than the
// page may hold.
type flowPage struct {
	ListFlowResponse
	Data        boundedFlows `json:"Data"`
	index, size int
}

// newFlowPage returns a page ready to decode the answer to page index of
// size flows.
func newFlowPage(index, size int) *flowPage {
	return &flowPage{index: index, size: size, Data: boundedFlows{max: size}}
}

// check refuses a page holding more flows than asked for or a flow without
// a FlowId or with more than MaxCategoriesPerFlow categories, and cuts the
// texts of the rest to their bounds.
func (p *flowPage) check() error {
	p.ListFlowResponse.Data = p.Data.flows
	if p.Data.count > p.size {
		return fmt.Errorf("page %d holds %d flows, more than the Page.Size of %d asked for", p.index, p.Data.count, p.size)
	}
	p.RequestID, p.Message = Cut(p.RequestID, MaxTextBytes), Cut(p.Message, MaxTextBytes)
	p.AccessDeniedDetail = p.AccessDeniedDetail.bounded()
	for i := range p.ListFlowResponse.Data {
		f := &p.ListFlowResponse.Data[i]
		switch {
		case f.FlowID == "":
			return fmt.Errorf("page %d: flow %d of %d has no FlowId", p.index, i+1, len(p.ListFlowResponse.Data))
		case len(f.Categories) > MaxCategoriesPerFlow:
			return fmt.Errorf("page %d: flow %d of %d carries %d categories, more than %d", p.index, i+1, len(p.ListFlowResponse.Data), len(f.Categories), MaxCategoriesPerFlow)
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

// check refuses a page holding more instances than asked for, or an
// instance whose CustSpaceId is longer than any space id can be.
func (p *instancePage) check() error {
	if len(p.Data) > p.size {
		return fmt.Errorf("page %d holds %d instances, more than the PageSize of %d asked for", p.index, len(p.Data), p.size)
	}
	for i, in := range p.Data {
		if len(in.CustSpaceID) > MaxSpaceIDBytes {
			return fmt.Errorf("page %d: instance %d of %d has a CustSpaceId of %d bytes, more than %d", p.index, i+1, len(p.Data), len(in.CustSpaceID), MaxSpaceIDBytes)
		}
	}
	p.RequestID, p.Message = Cut(p.RequestID, MaxTextBytes), Cut(p.Message, MaxTextBytes)
	return nil
}

// boundedFlows decodes a JSON array of flows one at a time and keeps at
// most max of them: a page holding far more flows than asked for costs no
// memory beyond the body. count is how many the array held.
type boundedFlows struct {
	flows []Flow
	count int
	max   int
}

// UnmarshalJSON implements json.Unmarshaler.
func (b *boundedFlows) UnmarshalJSON(data []byte) error {
	b.flows, b.count = nil, 0
	if string(data) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return &json.UnmarshalTypeError{Value: jsonKind(data), Type: reflectFlows}
	}
	b.flows = make([]Flow, 0, min(b.max, 128))
	for ; dec.More(); b.count++ {
		if b.count >= b.max {
			if err := dec.Decode(&skipValue{}); err != nil {
				return err
			}
			continue
		}
		var f Flow
		if err := dec.Decode(&f); err != nil {
			return err
		}
		b.flows = append(b.flows, f)
	}
	return nil
}

var reflectFlows = reflect.TypeOf([]Flow(nil))

// jsonKind names the kind of a JSON value as encoding/json's errors do.
func jsonKind(value []byte) string {
	switch value[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case 't', 'f':
		return "bool"
	default:
		return "number"
	}
}

// skipValue decodes any JSON value to nothing, without allocating.
type skipValue struct{}

// UnmarshalJSON implements json.Unmarshaler.
func (*skipValue) UnmarshalJSON([]byte) error { return nil }
