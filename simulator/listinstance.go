package simulator

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultChannelType is the channel type ListInstance answers for a space
// whose ChannelType is empty.
const DefaultChannelType = "whatsapp"

// DefaultInstancePageSize is the simulator's PageSize when a ListInstance
// call leaves it out. CAMS documents no default; 10 is the simulator's
// choice, and the exporter always sends a PageSize.
const DefaultInstancePageSize = 10

// Fields every listed instance shares: the official SDK's examples give
// State "published"; the rest are the simulator's choice.
const (
	instanceState      = "published"
	instanceRegion     = "ap-southeast-1"
	instanceSubmitTime = "2024-01-01 00:00:00"
)

// instance is one entry of ListInstance's Data, with the fields of the
// official SDK's ListInstanceResponseBodyData the simulator fills in.
type instance struct {
	CustSpaceId      string
	InstanceId       string
	InstanceName     string
	ChannelType      string
	State            string
	ResourceRegionId string
	SubmitTime       string
}

// listInstanceBody is ListInstance's success answer, as the official SDK
// declares it: Success and TotalCount, no PageIndex or PageSize.
type listInstanceBody struct {
	RequestId  string
	Code       string
	Message    string
	Success    bool
	TotalCount int
	Data       []instance
}

// listInstance answers ListInstance: a page of the ISV's sub-customer spaces
// (every space but the account's own, those with an error included) in the
// order the spaces were loaded or added, one instance each, filtered by the
// ChannelType parameter (compared without regard to case; empty matches
// all). PageIndex (default 1) and PageSize (default DefaultInstancePageSize,
// at most MaxPageSize) are plain integers.
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
		RequestId: c.requestID, Code: "OK", Message: "SUCCESS", Success: true,
		TotalCount: len(all), Data: page,
	}, nil
}

// instances returns the instances of channelType ("" for all, compared
// without regard to case), in the spaces' order.
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
		if channelType != "" && !strings.EqualFold(ct, channelType) {
			continue
		}
		list = append(list, instance{
			CustSpaceId:      id,
			InstanceId:       "cams-inst-" + strings.TrimPrefix(id, "cams-"),
			InstanceName:     id + " instance",
			ChannelType:      ct,
			State:            instanceState,
			ResourceRegionId: instanceRegion,
			SubmitTime:       instanceSubmitTime,
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
