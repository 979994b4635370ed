package messaginghealth

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/values"
)

// Decode reads back the Data of a space's part (Health) from the JSON the
// cache file holds, bounded as the answers it was made of are: at most
// client.MaxPhoneNumbersPerAnswer numbers, each with a PhoneNumber the
// client would take (the WABA's node has none), client.MaxHealthEntities
// entities a node names and client.MaxHealthErrorsPerEntity errors an
// entity, every text cut and every label value folded by the source's caps
// as an answer's are; the numbers sorted, each once. It reads today's
// shape (the space's entities beside its nodes, which name them by index)
// and the shape of files written before each entity was kept once (each
// node with its answer's entities), which it makes today's
// (FromAnswers). It is the source's codec for the cache (cache.Codecs).
func (s *Source) Decode(raw json.RawMessage) (any, error) {
	var st stored
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, err
	}
	if len(st.Phones) > client.MaxPhoneNumbersPerAnswer {
		return nil, fmt.Errorf("%d numbers, more than the %d of an answer", len(st.Phones), client.MaxPhoneNumbersPerAnswer)
	}
	nodes := len(st.Phones)
	if st.WABA != nil {
		nodes++
	}
	if len(st.Entities) > client.MaxHealthEntities*nodes {
		return nil, fmt.Errorf("%d entities, more than the %d the answers of %d nodes can name", len(st.Entities), client.MaxHealthEntities*nodes, nodes)
	}
	ids := idSet{}
	entities := make([]Entity, len(st.Entities))
	for i, e := range st.Entities {
		if len(e.Errors) > client.MaxHealthErrorsPerEntity {
			return nil, fmt.Errorf("entity %d: %d errors, more than the %d of an answer", i, len(e.Errors), client.MaxHealthErrorsPerEntity)
		}
		entities[i] = s.kept(e, ids)
	}
	var wabaNode *Answer
	if st.WABA != nil {
		if st.WABA.PhoneNumber != "" {
			return nil, fmt.Errorf("the WABA's node has a phone number")
		}
		a, err := s.restored(*st.WABA, entities, ids)
		if err != nil {
			return nil, fmt.Errorf("the WABA's node: %w", err)
		}
		wabaNode = &a
	}
	phones := make([]Answer, 0, len(st.Phones))
	for i, node := range st.Phones {
		if err := values.CheckID(node.PhoneNumber, client.MaxPhoneNumberBytes); err != nil {
			return nil, fmt.Errorf("number %d: %w", i, err)
		}
		a, err := s.restored(node, entities, ids)
		if err != nil {
			return nil, fmt.Errorf("number %d: %w", i, err)
		}
		phones = append(phones, a)
	}
	return FromAnswers(wabaNode, phones...), nil
}

// stored is a space's Health as the cache file holds it: today's shape
// (Entities, which the nodes name by index), or that of files written
// before each entity was kept once (each node with its answer's entities).
type stored struct {
	WABA     *storedNode  `json:"waba"`
	Phones   []storedNode `json:"phones"`
	Entities []Entity     `json:"entities"`
}

// storedNode is a node as the cache file holds it: its "entities" are
// indexes in the space's (today's shape) or entities of its own (before).
type storedNode struct {
	Node
	Entities json.RawMessage `json:"entities"`
}

// answer returns the node with the entities it names: its own, or those
// of entities it names by index.
func (n storedNode) answer(entities []Entity) (Answer, error) {
	a := Answer{Node: n.Node}
	raw := bytes.TrimSpace(n.Entities)
	if len(raw) == 0 || string(raw) == "null" {
		return a, nil
	}
	if inner := bytes.TrimSpace(raw[1:]); raw[0] == '[' && len(inner) > 0 && inner[0] == '{' {
		if len(entities) > 0 {
			return Answer{}, fmt.Errorf("entities of its own beside the space's")
		}
		return a, json.Unmarshal(raw, &a.Entities)
	}
	var named []uint32
	if err := json.Unmarshal(raw, &named); err != nil {
		return Answer{}, err
	}
	if len(named) > client.MaxHealthEntities {
		return Answer{}, fmt.Errorf("%d entities, more than the %d of an answer", len(named), client.MaxHealthEntities)
	}
	for _, i := range named {
		if int(i) >= len(entities) {
			return Answer{}, fmt.Errorf("names entity %d of %d", i, len(entities))
		}
		a.Entities = append(a.Entities, entities[i])
	}
	return a, nil
}

// restored returns a node read back with the entities it names (its own
// in the older shape, bounded here; the space's, already bounded, by index
// in today's), bounded as a node keeps an answer, its ids one string each
// within the space (ids).
func (s *Source) restored(n storedNode, entities []Entity, ids idSet) (Answer, error) {
	a, err := n.answer(entities)
	if err != nil {
		return Answer{}, err
	}
	if len(a.Entities) > client.MaxHealthEntities {
		return Answer{}, fmt.Errorf("%d entities, more than the %d of an answer", len(a.Entities), client.MaxHealthEntities)
	}
	out := Answer{Node: Node{PhoneNumber: ids.one(a.PhoneNumber), WabaID: ids.one(values.Cut(a.WabaID)), Checked: a.Checked, Answered: a.Answered,
		CanSendMessage: values.Shared(s.caps.canSend.Fold(a.CanSendMessage)), LastError: boundedError(a.LastError)}}
	if len(entities) > 0 {
		out.Entities = a.Entities // the space's, bounded already
		return out, nil
	}
	if len(a.Entities) > 0 {
		out.Entities = make([]Entity, 0, len(a.Entities))
	}
	for _, e := range a.Entities {
		if len(e.Errors) > client.MaxHealthErrorsPerEntity {
			return Answer{}, fmt.Errorf("an entity with %d errors, more than the %d of an answer", len(e.Errors), client.MaxHealthErrorsPerEntity)
		}
		out.Entities = append(out.Entities, s.kept(e, ids))
	}
	return out, nil
}

// kept returns e as the source keeps an entity: its type and what it can
// send folded by the caps, its id cut, every error's code folded and texts
// cut. The values many spaces share (types, states, codes, Meta's texts, a
// business's or the app's id) are one string each (values.Shared), the ids
// of the space's own entities one string within the space (ids), the
// number's and the WABA's shared with their nodes.
func (s *Source) kept(e Entity, ids idSet) Entity {
	out := Entity{Type: values.Shared(s.caps.entityType.Fold(e.Type)), ID: values.Cut(e.ID), CanSendMessage: values.Shared(s.caps.canSend.Fold(e.CanSendMessage))}
	if out.Type == client.EntityTypeBusiness || out.Type == client.EntityTypeApp {
		out.ID = values.Shared(out.ID) // one business or app behind many spaces
	} else {
		out.ID = ids.one(out.ID)
	}
	if len(e.Errors) > 0 {
		out.Errors = make([]Error, 0, len(e.Errors))
	}
	for _, er := range e.Errors {
		out.Errors = append(out.Errors, Error{Code: values.Shared(s.caps.errorCode.Fold(er.Code)),
			Description: values.Shared(client.Cut(er.Description, client.MaxTextBytes)), Solution: values.Shared(client.Cut(er.Solution, client.MaxTextBytes))})
	}
	return out
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
