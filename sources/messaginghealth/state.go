package messaginghealth

import (
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Health is what the exporter keeps of a space's messaging health: the
// SpacePart's Data of this source. It is immutable.
//
// Every node's answer names the WABA, the business and the app: a space
// keeps each entity once, in Entities, as the freshest answer that names
// it gave it, and each node the indexes of those its last answer named.
type Health struct {
	WABA   *Node  `json:"waba,omitempty"`
	Phones []Node `json:"phones,omitempty"` // sorted by PhoneNumber
	// Entities are those the nodes' last successful answers named, each
	// (Type, ID) once, sorted by Type then ID.
	Entities []Entity `json:"entities,omitempty"`
}

// Node is the last call for one node: the space's WABA or one number.
type Node struct {
	PhoneNumber string    `json:"phone_number,omitempty"` // "" for the WABA
	WabaID      string    `json:"waba_id,omitempty"`
	Checked     time.Time `json:"checked"` // the last call, successful or not
	// Answered is when the last successful answer, the rest's, came.
	Answered       time.Time `json:"answered,omitzero"`
	CanSendMessage string    `json:"can_send_message,omitempty"`
	// NamedEntities are the indexes in Health.Entities of the entities the
	// last successful answer named, in its order, each once. Its JSON name is that of
	// the entities themselves in files written before each entity was
	// kept once: a release of then refuses the data of today (its codec
	// fails, the nodes are asked afresh) rather than read nodes without
	// their entities.
	NamedEntities []uint32 `json:"entities,omitempty"`
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

// NamedBy yields the entities n's last successful answer named, n being
// one of h's nodes.
func (h Health) NamedBy(n *Node) iter.Seq[Entity] {
	return func(yield func(Entity) bool) {
		for _, i := range n.NamedEntities {
			if !yield(h.Entities[i]) {
				return
			}
		}
	}
}

// phone returns the node of number, or nil.
func (h Health) phone(number string) *Node {
	i, found := slices.BinarySearchFunc(h.Phones, number, comparePhone)
	if !found {
		return nil
	}
	return &h.Phones[i]
}

func comparePhone(n Node, number string) int { return strings.Compare(n.PhoneNumber, number) }
