package messaginghealth

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// Health is what the exporter keeps of a space's messaging health: the
// SpacePart's Data of this source. It is immutable.
type Health struct {
	WABA   *Node  `json:"waba,omitempty"`
	Phones []Node `json:"phones,omitempty"` // sorted by PhoneNumber
}

// Node is the last answer for one node: the space's WABA or one number.
type Node struct {
	PhoneNumber string    `json:"phone_number,omitempty"` // "" for the WABA
	WabaID      string    `json:"waba_id,omitempty"`
	Checked     time.Time `json:"checked"` // the last call, successful or not
	// Answered is when the last successful answer, the rest's, came.
	Answered       time.Time `json:"answered,omitzero"`
	CanSendMessage string    `json:"can_send_message,omitempty"`
	Entities       []Entity  `json:"entities,omitempty"`
	// LastError is the last call's error; the rest is the last success's.
	LastError *snapshot.ErrorInfo `json:"last_error,omitempty"`
}

// Entity is an entity of an answer: the WABA, the business, the app, the
// number.
type Entity struct {
	Type           string  `json:"type"`
	ID             string  `json:"id"`
	CanSendMessage string  `json:"can_send_message"`
	Errors         []Error `json:"errors,omitempty"`
}

// Error is why an entity is limited or blocked. Description and Solution
// are free text: /status only, never labels.
type Error struct {
	Code        string `json:"code"`
	Description string `json:"description,omitempty"`
	Solution    string `json:"solution,omitempty"`
}

// Of returns the health of a space's part of this source.
func Of(data any) Health {
	h, _ := data.(Health)
	return h
}

// phone returns the node of number, or nil.
func (h Health) phone(number string) *Node {
	i, found := slices.BinarySearchFunc(h.Phones, number, comparePhone)
	if !found {
		return nil
	}
	return &h.Phones[i]
}

// with returns h with the results of done: a success replaces its node, a
// failure keeps the node's last answer with the error and the time of the
// call, so that the node is asked again an interval later, not at once.
func (h Health) with(done []engine.Done) Health {
	phones := slices.Clone(h.Phones)
	out := Health{WABA: h.WABA}
	for _, d := range done {
		n, ok := d.Value.(Node)
		if d.Err != nil || !ok {
			n = failed(h.node(d.Key), d)
		} else {
			n.Answered = d.At
		}
		n.Checked = d.At
		if _, isWABA := strings.CutPrefix(d.Key, wabaKey); isWABA {
			out.WABA = &n
			continue
		}
		i, found := slices.BinarySearchFunc(phones, n.PhoneNumber, comparePhone)
		if found {
			phones[i] = n
		} else {
			phones = slices.Insert(phones, i, n)
		}
	}
	out.Phones = phones
	return out
}

// node returns the node of a task's key, or nil.
func (h Health) node(key string) *Node {
	if number, ok := strings.CutPrefix(key, phoneKey); ok {
		return h.phone(number)
	}
	return h.WABA
}

// failed returns last (or a node of d's key without an answer) with d's
// error.
func failed(last *Node, d engine.Done) Node {
	var n Node
	if last != nil {
		n = *last
	} else if number, ok := strings.CutPrefix(d.Key, phoneKey); ok {
		n.PhoneNumber = number
	} else {
		n.WabaID = strings.TrimPrefix(d.Key, wabaKey)
	}
	n.LastError = snapshot.NewErrorInfo(d.Err)
	return n
}

// within returns h without the nodes the other sources no longer name:
// the WABA when the space's is unbound or another, the numbers not in
// numbers. Without the WABA's data (its source off or not answered yet)
// the WABA node stays.
func (h Health) within(wabaData any, numbers phonenumbers.Numbers) Health {
	if h.WABA != nil && wabaData != nil {
		if w, bound := waba.Of(wabaData); !bound || w.ID != h.WABA.WabaID {
			h.WABA = nil
		}
	}
	if numbers == nil {
		return h
	}
	h.Phones = slices.DeleteFunc(slices.Clone(h.Phones), func(n Node) bool {
		_, found := slices.BinarySearchFunc(numbers, n.PhoneNumber, func(x phonenumbers.Number, number string) int { return strings.Compare(x.PhoneNumber, number) })
		return !found
	})
	return h
}

func comparePhone(n Node, number string) int { return strings.Compare(n.PhoneNumber, number) }

// sortedEntities returns the entities of m sorted by type and id, so that
// a space's series come in the same order each time.
func sortedEntities(m map[[2]string]Entity) []Entity {
	keys := slices.SortedFunc(maps.Keys(m), func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	out := make([]Entity, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}
