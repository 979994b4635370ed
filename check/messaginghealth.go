package check

import (
	"slices"
	"strings"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// HealthResult is a space's messaging health (--collector.messaging-health):
// whether its WABA and each of its numbers can send, and the entities
// Meta limits or blocks.
type HealthResult struct {
	Call
	// CanSendMessage is the WABA's: the worst of its entities'.
	CanSendMessage string         `json:"can_send_message,omitempty"`
	Numbers        []NumberHealth `json:"numbers,omitempty"`
	// Entities are the BLOCKED and LIMITED ones, each once (the business
	// and the app are in every answer; the space keeps each once, as the
	// freshest answer gave it), with the codes of their errors.
	Entities []EntityHealth `json:"entities,omitempty"`
	// failures counts the calls that failed, answered those that did not.
	failures, answered int
}

// NumberHealth is whether a number can send.
type NumberHealth struct {
	PhoneNumber    string              `json:"phone_number"`
	CanSendMessage string              `json:"can_send_message,omitempty"`
	Error          *snapshot.ErrorInfo `json:"error,omitempty"`
}

// EntityHealth is an entity Meta blocks or limits.
type EntityHealth struct {
	Type           string   `json:"entity_type"`
	ID             string   `json:"entity_id"`
	CanSendMessage string   `json:"can_send_message"`
	ErrorCodes     []string `json:"error_codes,omitempty"`
}

// The values of CanSendMessage that make the run CRITICAL and WARNING.
const (
	blocked = "BLOCKED"
	limited = "LIMITED"
)

// entityTypes are the documented entity types, in the order findings name
// them, with their names in a summary.
var entityTypes = []struct{ name, one, many string }{
	{"WABA", "WABA", "WABAs"}, {"BUSINESS", "business", "businesses"}, {"APP", "app", "apps"},
	{"PHONE_NUMBER", "number", "numbers"}, {"MESSAGE_TEMPLATE", "template", "templates"},
}

func judgeHealth(j *judging, sr *SpaceResult, part *snapshot.SpacePart) *Call {
	var h messaginghealth.Health
	if part != nil {
		h = messaginghealth.Of(part.Data)
	}
	res := &HealthResult{Call: Call{OK: true}}
	if w := h.WABA; w != nil {
		res.CanSendMessage = res.node(j, h, w)
	}
	for i := range h.Phones {
		n := &h.Phones[i]
		if e := n.LastError; e != nil && e.Code == client.CodeNoWABA {
			continue // a space without a WABA: its numbers' health is not known
		}
		res.Numbers = append(res.Numbers, NumberHealth{PhoneNumber: n.PhoneNumber, CanSendMessage: res.node(j, h, n), Error: n.LastError})
	}
	missing, expected := j.missingNodes(sr.Space, h)
	switch {
	case missing > 0 && j.in.TimedOut > 0:
		res.Call = *j.notFinished(plural(missing, "health check") + " of " + plural(expected, "") + " not made")
	case part == nil && expected == 0:
		return nil // nothing asked: no WABA bound or known, no number known
	}
	sr.MessagingHealth = res
	for _, e := range res.Entities {
		j.noteEntity(sr.Space, e)
	}
	return &res.Call
}

// node adds what a node of h's last call told to res and returns its
// CanSendMessage. A failed call is the space's failure, but
// ERR-OPERATION-MAAP-0060: a space without a WABA is OK.
func (res *HealthResult) node(j *judging, h messaginghealth.Health, n *messaginghealth.Node) string {
	if e := n.LastError; e != nil {
		if e.Code == client.CodeNoWABA {
			return n.CanSendMessage
		}
		if res.failures == 0 {
			res.Call = *j.failed(e)
		}
		res.failures++
		return n.CanSendMessage
	}
	res.answered++
	atFault := false
	for e := range h.NamedBy(n) {
		if e.CanSendMessage == blocked || e.CanSendMessage == limited {
			res.addEntity(e.Type, e.ID, e.CanSendMessage, e.Errors)
			atFault = atFault || sendRank(e.CanSendMessage) >= sendRank(n.CanSendMessage)
		}
	}
	if (n.CanSendMessage == blocked || n.CanSendMessage == limited) && !atFault {
		// No entity says why: the node itself is at fault.
		typ, id := "WABA", n.WabaID
		if n.PhoneNumber != "" {
			typ, id = "PHONE_NUMBER", n.PhoneNumber
		}
		res.addEntity(typ, id, n.CanSendMessage, nil)
	}
	return n.CanSendMessage
}

// addEntity adds an entity at fault, once: the worst of what the nodes
// said of it (the space keeps each entity once, as the freshest answer
// gave it), with every error code given.
func (res *HealthResult) addEntity(typ, id, canSend string, errs []messaginghealth.Error) {
	i := slices.IndexFunc(res.Entities, func(e EntityHealth) bool { return e.Type == typ && e.ID == id })
	if i < 0 {
		res.Entities = append(res.Entities, EntityHealth{Type: typ, ID: id, CanSendMessage: canSend})
		i = len(res.Entities) - 1
	}
	e := &res.Entities[i]
	if sendRank(canSend) > sendRank(e.CanSendMessage) {
		e.CanSendMessage = canSend
	}
	for _, er := range errs {
		if !slices.Contains(e.ErrorCodes, er.Code) {
			e.ErrorCodes = append(e.ErrorCodes, er.Code)
		}
	}
}

// noteEntity counts an entity at fault: BLOCKED is CRITICAL, LIMITED a
// WARNING. An entity is counted once however many spaces name it.
func (j *judging) noteEntity(space string, e EntityHealth) {
	status := Warning
	if e.CanSendMessage == blocked {
		status = Critical
	}
	rank := slices.IndexFunc(entityTypes, func(t struct{ name, one, many string }) bool { return t.name == e.Type })
	one, many := strings.ToLower(e.Type)+" entity", strings.ToLower(e.Type)+" entities"
	if rank >= 0 {
		one, many = entityTypes[rank].one, entityTypes[rank].many
	} else {
		rank = len(entityTypes)
	}
	id := e.Type + "/" + e.ID
	if e.ID == "" && e.Type != "APP" { // the account has one app
		id = space + "/" + e.Type
	}
	j.found.count(status, j.index, rank, one, many, e.CanSendMessage, id)
}

// sendRank orders CanSendMessage values: BLOCKED worst, then LIMITED, an
// undocumented value, AVAILABLE, none.
func sendRank(v string) int {
	switch v {
	case blocked:
		return 4
	case limited:
		return 3
	case "AVAILABLE":
		return 1
	case "":
		return 0
	}
	return 2
}

// missingNodes counts the nodes of a space the other sources name (its
// WABA, its numbers) that h has no call of, and those it names.
func (j *judging) missingNodes(space string, h messaginghealth.Health) (missing, expected int) {
	if w, bound := waba.Of(j.partData(waba.Name, space)); bound && w.ID != "" {
		expected++
		if h.WABA == nil || h.WABA.WabaID != w.ID {
			missing++
		}
	}
	for _, n := range phonenumbers.Of(j.partData(phonenumbers.Name, space)) {
		expected++
		if _, found := slices.BinarySearchFunc(h.Phones, n.PhoneNumber, func(p messaginghealth.Node, number string) int { return strings.Compare(p.PhoneNumber, number) }); !found {
			missing++
		}
	}
	return missing, expected
}

// partData is the data of space's part of the source name, nil for none.
func (j *judging) partData(name, space string) any {
	if st := j.in.Snapshot.Source(name); st != nil {
		if p := st.Part(space); p != nil {
			return p.Data
		}
	}
	return nil
}

// nodes is how many nodes' calls were answered.
func (res *HealthResult) nodes() int { return res.answered }

// worst is the worst CanSendMessage of the space's WABA and numbers.
func (res *HealthResult) worst() string {
	w := res.CanSendMessage
	for _, n := range res.Numbers {
		if sendRank(n.CanSendMessage) > sendRank(w) {
			w = n.CanSendMessage
		}
	}
	return w
}
