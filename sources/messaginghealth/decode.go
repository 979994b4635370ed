package messaginghealth

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/values"
)

// Decode reads back the Data of a space's part (Health) from the JSON the
// cache file holds, bounded as the answers it was made of are: at most
// client.MaxPhoneNumbersPerAnswer numbers, each with a PhoneNumber the
// client would take (the WABA's node has none), client.MaxHealthEntities
// entities a node and client.MaxHealthErrorsPerEntity errors an entity,
// every text cut and every label value folded by the source's caps as an
// answer's are; the numbers sorted, each once. It is the source's codec
// for the cache (cache.Codecs).
func (s *Source) Decode(raw json.RawMessage) (any, error) {
	var h Health
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, err
	}
	if len(h.Phones) > client.MaxPhoneNumbersPerAnswer {
		return nil, fmt.Errorf("%d numbers, more than the %d of an answer", len(h.Phones), client.MaxPhoneNumbersPerAnswer)
	}
	var out Health
	ids := idSet{}
	if h.WABA != nil {
		if h.WABA.PhoneNumber != "" {
			return nil, fmt.Errorf("the WABA's node has a phone number")
		}
		n, err := s.restored(*h.WABA, ids)
		if err != nil {
			return nil, fmt.Errorf("the WABA's node: %w", err)
		}
		out.WABA = &n
	}
	if len(h.Phones) > 0 {
		out.Phones = make([]Node, 0, len(h.Phones))
	}
	for i, node := range h.Phones {
		if err := values.CheckID(node.PhoneNumber, client.MaxPhoneNumberBytes); err != nil {
			return nil, fmt.Errorf("number %d: %w", i, err)
		}
		n, err := s.restored(node, ids)
		if err != nil {
			return nil, fmt.Errorf("number %d: %w", i, err)
		}
		out.Phones = append(out.Phones, n)
	}
	slices.SortStableFunc(out.Phones, func(a, b Node) int { return strings.Compare(a.PhoneNumber, b.PhoneNumber) })
	out.Phones = slices.CompactFunc(out.Phones, func(a, b Node) bool { return a.PhoneNumber == b.PhoneNumber })
	return out, nil
}

// restored returns a node read back, bounded as node keeps an answer, in
// memory of its exact size, its ids one string each within the space
// (ids).
func (s *Source) restored(n Node, ids idSet) (Node, error) {
	if len(n.Entities) > client.MaxHealthEntities {
		return Node{}, fmt.Errorf("%d entities, more than the %d of an answer", len(n.Entities), client.MaxHealthEntities)
	}
	out := Node{PhoneNumber: ids.one(n.PhoneNumber), WabaID: ids.one(values.Cut(n.WabaID)), Checked: n.Checked, Answered: n.Answered,
		CanSendMessage: values.Shared(s.caps.canSend.Fold(n.CanSendMessage)), LastError: boundedError(n.LastError)}
	if len(n.Entities) > 0 {
		out.Entities = make([]Entity, 0, len(n.Entities))
	}
	for _, e := range n.Entities {
		if len(e.Errors) > client.MaxHealthErrorsPerEntity {
			return Node{}, fmt.Errorf("an entity with %d errors, more than the %d of an answer", len(e.Errors), client.MaxHealthErrorsPerEntity)
		}
		ent := Entity{Type: values.Shared(s.caps.entityType.Fold(e.Type)), ID: ids.one(values.Cut(e.ID)), CanSendMessage: values.Shared(s.caps.canSend.Fold(e.CanSendMessage))}
		if ent.Type == "BUSINESS" || ent.Type == "APP" {
			ent.ID = values.Shared(ent.ID) // one business or app behind many spaces
		}
		if len(e.Errors) > 0 {
			ent.Errors = make([]Error, 0, len(e.Errors))
		}
		for _, er := range e.Errors {
			ent.Errors = append(ent.Errors, Error{Code: values.Shared(s.caps.errorCode.Fold(er.Code)),
				Description: values.Shared(client.Cut(er.Description, client.MaxTextBytes)), Solution: values.Shared(client.Cut(er.Solution, client.MaxTextBytes))})
		}
		out.Entities = append(out.Entities, ent)
	}
	return out, nil
}

// idSet holds one string of each id read back of a space: the WABA's id
// and each number are in several of its nodes' entities.
type idSet map[string]string

func (s idSet) one(id string) string {
	if id == "" {
		return ""
	}
	if kept, ok := s[id]; ok {
		return kept
	}
	s[id] = id
	return id
}

// boundedError returns e with every text cut to client.MaxTextBytes, as
// snapshot.NewErrorInfo cuts them; nil for nil.
func boundedError(e *snapshot.ErrorInfo) *snapshot.ErrorInfo {
	if e == nil {
		return nil
	}
	cut := func(s string) string { return client.Cut(s, client.MaxTextBytes) }
	return &snapshot.ErrorInfo{Code: cut(e.Code), Message: cut(e.Message), RequestID: cut(e.RequestID), Recommend: cut(e.Recommend), Class: cut(e.Class)}
}
