package simulator

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Errors of the data mutation methods, for errors.Is.
var (
	ErrUnknownSpace  = errors.New("unknown space")
	ErrUnknownFlow   = errors.New("unknown flow")
	ErrDuplicateFlow = errors.New("duplicate FlowId")
	ErrEmptyFlowID   = errors.New("empty FlowId")
)

// space is a space's live data.
type space struct {
	flows       []Flow
	code        string // error code answered on every ListFlow and GetFlow call; "" for none
	channelType string // as loaded; "" is served as DefaultChannelType
	endless     bool   // every page full of new flows

	numbers        []PhoneNumber
	waba           *WABA // nil: none bound
	wabaHealth     *Health
	businessHealth *Health
	extraEntities  []HealthEntity
	templates      []Template
}

// store holds the spaces in their order, and the account's APP health;
// guarded by Server.dataMu.
type store struct {
	order     []string
	spaces    map[string]*space
	appHealth *Health
}

func newStore(d *Dataset) store {
	st := store{spaces: map[string]*space{}, appHealth: d.AppHealth.clone()}
	for _, sp := range d.Spaces {
		st.order = append(st.order, sp.ID)
		st.spaces[sp.ID] = &space{
			flows: cloneFlows(sp.Flows), code: sp.Error, channelType: sp.ChannelType, endless: sp.Endless,
			numbers: cloneNumbers(sp.PhoneNumbers), waba: sp.WABA.clone(),
			wabaHealth: sp.WABAHealth.clone(), businessHealth: sp.BusinessHealth.clone(), extraEntities: cloneEntities(sp.ExtraEntities),
			templates: slices.Clone(sp.Templates),
		}
	}
	if st.spaces[""] == nil {
		st.order = append([]string{""}, st.order...)
		st.spaces[""] = &space{}
	}
	return st
}

// Dataset returns a deep copy of the data the server serves now, spaces in
// the order they were loaded or added.
func (s *Server) Dataset() *Dataset {
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	d := &Dataset{AppHealth: s.data.appHealth.clone(), Spaces: make([]Space, 0, len(s.data.order))}
	for _, id := range s.data.order {
		sp := s.data.spaces[id]
		d.Spaces = append(d.Spaces, Space{
			ID: id, Flows: cloneFlows(sp.flows), Error: sp.code, ChannelType: sp.channelType, Endless: sp.endless,
			PhoneNumbers: cloneNumbers(sp.numbers), WABA: sp.waba.clone(),
			WABAHealth: sp.wabaHealth.clone(), BusinessHealth: sp.businessHealth.clone(), ExtraEntities: cloneEntities(sp.extraEntities),
			Templates: slices.Clone(sp.templates),
		})
	}
	return d
}

// AddFlow appends f to the flows of a space. The space must exist, the
// FlowId be new to it and the Status empty or valid ([ValidFlowStatus]).
func (s *Server) AddFlow(spaceID string, f Flow) error {
	switch {
	case f.FlowId == "":
		return ErrEmptyFlowID
	case f.Status != "" && !ValidFlowStatus(f.Status):
		return ErrBadFlowStatus
	}
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	sp, err := s.spaceLocked(spaceID)
	if err != nil {
		return err
	}
	for _, g := range sp.flows {
		if g.FlowId == f.FlowId {
			return fmt.Errorf("%w %q in space %q", ErrDuplicateFlow, f.FlowId, spaceID)
		}
	}
	sp.flows = append(sp.flows, f.clone())
	return nil
}

// RemoveFlow removes a flow from a space.
func (s *Server) RemoveFlow(spaceID, flowID string) error {
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	sp, err := s.spaceLocked(spaceID)
	if err != nil {
		return err
	}
	for i, g := range sp.flows {
		if g.FlowId == flowID {
			sp.flows = append(sp.flows[:i:i], sp.flows[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("%w %q in space %q", ErrUnknownFlow, flowID, spaceID)
}

// spaceLocked returns a space, or ErrUnknownSpace; the caller holds dataMu.
func (s *Server) spaceLocked(id string) (*space, error) {
	sp := s.data.spaces[id]
	if sp == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownSpace, id)
	}
	return sp, nil
}

// SetSpaceError makes every call on a space (all but ListInstance) answer
// code (with the status [StatusOf] gives); "" clears it. A space that does not exist is
// created, empty.
func (s *Server) SetSpaceError(spaceID, code string) {
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	s.addSpaceLocked(spaceID).code = code
}

// AddSpace adds an empty space (channel type DefaultChannelType); it does
// nothing if the space exists.
func (s *Server) AddSpace(id string) {
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	s.addSpaceLocked(id)
}

func (s *Server) addSpaceLocked(id string) *space {
	sp := s.data.spaces[id]
	if sp == nil {
		sp = &space{}
		s.data.spaces[id] = sp
		s.data.order = append(s.data.order, id)
	}
	return sp
}

// DeleteSpace removes a space and its flows; calls on it then answer
// Unknown.ResourceOwnerId. Deleting a space that does not exist does nothing.
func (s *Server) DeleteSpace(id string) {
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	if s.data.spaces[id] == nil {
		return
	}
	delete(s.data.spaces, id)
	for i, o := range s.data.order {
		if o == id {
			s.data.order = append(s.data.order[:i:i], s.data.order[i+1:]...)
			break
		}
	}
}

// listFlows returns a page of a space's flows whose name contains name, or
// the error the space answers. Index is 1-based.
func (s *Server) listFlows(spaceID, name string, index, size int) ([]Flow, *apiError) {
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	sp := s.data.spaces[spaceID]
	if sp == nil {
		return nil, newError(CodeUnknownResourceOwnerID, "")
	}
	if sp.code != "" {
		return nil, newError(sp.code, "")
	}
	if sp.endless {
		return EndlessPage(index, size), nil
	}
	page := []Flow{}
	skip := (index - 1)
	matched := 0
	for _, f := range sp.flows {
		if !strings.Contains(f.FlowName, name) {
			continue
		}
		if matched/size == skip {
			f = f.clone()
			if f.Categories == nil {
				f.Categories = []string{}
			}
			page = append(page, f)
			if len(page) == size {
				break
			}
		}
		matched++
	}
	return page, nil
}
