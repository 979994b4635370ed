package simulator

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultChannelType is the channel type ListInstance answers for a space
// whose ChannelType is empty.
const DefaultChannelType = "whatsapp"

// DefaultInstancePageSize is ListInstance's PageSize when the call leaves it
// out.
const DefaultInstancePageSize = 10

// instanceState is the State of every instance the simulator lists.
const instanceState = "Approved"

// instance is one entry of ListInstance's Data.
type instance struct {
	CustSpaceId  string
	InstanceId   string
	InstanceName string
	ChannelType  string
	State        string
}

// listInstanceBody is ListInstance's success answer.
type listInstanceBody struct {
	RequestId  string
	Code       string
	Message    string
	TotalCount int
	PageIndex  int
	PageSize   int
	Data       []instance
}

// listInstance answers ListInstance: a page of the ISV's sub-customer spaces
// (every space but the account's own, those with an error included) in the
// order the spaces were loaded or added, one instance each, filtered by the
// ChannelType parameter (exact match; empty matches all). PageIndex (default
// 1) and PageSize (default DefaultInstancePageSize, at most MaxPageSize) are
// plain integers.
func (s *Server) listInstance(c *call) (any, *apiError) {
	index, e := intParam(c, "PageIndex", 1, 1, -1)
	if e != nil {
		return nil, e
	}
	size, e := intParam(c, "PageSize", min(DefaultInstancePageSize, s.maxPageSize), 1, s.maxPageSize)
	if e != nil {
		return nil, e
	}
	all := s.instances(c.params.Get("ChannelType"))
	page := []instance{}
	// index-1 is compared before it is multiplied, which could overflow.
	if pages := (len(all) + size - 1) / size; index-1 < pages {
		lo := (index - 1) * size
		page = all[lo:min(lo+size, len(all))]
	}
	return listInstanceBody{
		RequestId: c.requestID, Code: "OK", Message: "SUCCESS",
		TotalCount: len(all), PageIndex: index, PageSize: size, Data: page,
	}, nil
}

// instances returns the instances of channelType ("" for all), in the
// spaces' order.
func (s *Server) instances(channelType string) []instance {
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	var list []instance
	for _, id := range s.data.order {
		if id == "" {
			continue
		}
		ct := s.data.spaces[id].channelType
		if ct == "" {
			ct = DefaultChannelType
		}
		if channelType != "" && ct != channelType {
			continue
		}
		list = append(list, instance{
			CustSpaceId:  id,
			InstanceId:   "cams-inst-" + strings.TrimPrefix(id, "cams-"),
			InstanceName: id + " instance",
			ChannelType:  ct,
			State:        instanceState,
		})
	}
	return list
}

// intParam reads an integer parameter: def when absent or empty, else a
// decimal integer of at least lo and, when hi is not negative, at most hi.
func intParam(c *call, name string, def, lo, hi int) (int, *apiError) {
	raw := c.params.Get(name)
	if raw == "" {
		return def, nil
	}
	v, err := strconv.Atoi(raw)
	switch {
	case err != nil:
		return 0, invalidParameter(name, "it must be an integer")
	case v < lo || (hi >= 0 && v > hi):
		if hi < 0 {
			return 0, invalidParameter(name, fmt.Sprintf("it must be %d or more", lo))
		}
		return 0, invalidParameter(name, fmt.Sprintf("it must be between %d and %d", lo, hi))
	}
	return v, nil
}
