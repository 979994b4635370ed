package messaginghealth

import (
	"context"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/values"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// Name is the source's collector name.
const Name = "messaging-health"

// Defaults of --messaging-health.interval and --messaging-health.phone-interval.
const (
	DefaultInterval      = time.Hour
	DefaultPhoneInterval = 12 * time.Hour
)

// Task keys: the WABA node's is wabaKey+id, a number's phoneKey+number.
const (
	wabaKey  = "waba/"
	phoneKey = "phone/"
)

// Checker reads a node's health; *client.Client is one.
type Checker interface {
	GetHealthStatus(ctx context.Context, space string, node client.HealthNode) (*client.HealthStatus, error)
}

// Source is the messaging-health source.
type Source struct {
	api                     Checker
	interval, phoneInterval time.Duration
	caps                    caps
}

// New returns the source: each WABA every interval, each number every
// phoneInterval.
func New(api Checker, interval, phoneInterval time.Duration) *Source {
	if interval <= 0 {
		interval = DefaultInterval
	}
	if phoneInterval <= 0 {
		phoneInterval = DefaultPhoneInterval
	}
	return &Source{api: api, interval: interval, phoneInterval: phoneInterval, caps: newCaps()}
}

func (s *Source) Name() string      { return Name }
func (s *Source) Operation() string { return client.OperationGetHealthStatus }
func (s *Source) Folded() uint64    { return s.caps.folded() }

// Needs names the sources whose data says which nodes to ask.
func (s *Source) Needs() []string { return []string{waba.Name, phonenumbers.Name} }

// Due asks for the WABA the waba source knows and the numbers the
// phone-numbers source knows, each once its last call is its interval old;
// a number never asked, not CONNECTED or not GREEN is urgent.
func (s *Source) Due(dst []engine.Task, space string, part *snapshot.SpacePart, snap *snapshot.Snapshot, now time.Time) ([]engine.Task, time.Time, float64) {
	if space == "" {
		return dst, time.Time{}, 0 // the account's own space: no CustSpaceId to send
	}
	var h Health
	if part != nil {
		h = Of(part.Data)
	}
	var next time.Time
	calls := 0.0
	due := func(t engine.Task, n *Node, every time.Duration) {
		calls += float64(s.interval) / float64(every) // per WABA interval, the runner's
		if n != nil && !n.Checked.After(now) {
			t.Last = n.Checked
			if at := n.Checked.Add(every); now.Before(at) {
				if next.IsZero() || at.Before(next) {
					next = at
				}
				return
			}
		} else {
			t.Urgent = true
		}
		dst = append(dst, t)
	}
	if w, bound := waba.Of(sourceData(snap, waba.Name, space)); bound && w.ID != "" {
		due(engine.Task{Space: space, Key: wabaKey + w.ID}, h.WABA, s.interval)
	}
	for _, n := range phonenumbers.Of(sourceData(snap, phonenumbers.Name, space)) {
		t := engine.Task{Space: space, Key: phoneKey + n.PhoneNumber, Urgent: n.Status != "CONNECTED" || n.QualityRating != "GREEN"}
		due(t, h.phone(n.PhoneNumber), s.phoneInterval)
	}
	return dst, next, calls
}

// sourceData returns the data of the part of space of the source name in
// snap, nil when there is none.
func sourceData(snap *snapshot.Snapshot, name, space string) any {
	if snap == nil {
		return nil
	}
	st := snap.Source(name)
	if st == nil {
		return nil
	}
	if p := st.Part(space); p != nil {
		return p.Data
	}
	return nil
}

func (s *Source) Call(ctx context.Context, t engine.Task) (any, error) {
	node := client.HealthNode{Type: "waba", WabaID: strings.TrimPrefix(t.Key, wabaKey)}
	if number, ok := strings.CutPrefix(t.Key, phoneKey); ok {
		node = client.HealthNode{Type: "phone", PhoneNumber: number}
	}
	st, err := s.api.GetHealthStatus(ctx, t.Space, node)
	if err != nil {
		return nil, err
	}
	return s.answer(node, st), nil
}

// answer keeps an answer, its values bounded.
func (s *Source) answer(asked client.HealthNode, st *client.HealthStatus) Answer {
	a := Answer{Node: Node{PhoneNumber: values.Cut(asked.PhoneNumber), WabaID: values.Cut(asked.WabaID), CanSendMessage: values.Shared(s.caps.canSend.Fold(st.CanSendMessage))}}
	ids := idSet{} // the number's and the WABA's entities share the node's ids
	ids.one(a.PhoneNumber)
	ids.one(a.WabaID)
	for _, e := range st.Entities {
		ent := Entity{Type: e.EntityType, ID: e.ID, CanSendMessage: e.CanSendMessage}
		for _, er := range e.Errors {
			ent.Errors = append(ent.Errors, Error{Code: er.ErrorCode, Description: er.ErrorDescription, Solution: er.PossibleSolution})
		}
		a.Entities = append(a.Entities, s.kept(ent, ids))
	}
	return a
}

// Apply sets the nodes of done, keeps the last answer of a node whose call
// failed, and drops the nodes the other sources no longer name (a WABA
// unbound or replaced, a number gone) and the entities no node names any
// longer.
func (s *Source) Apply(space string, prev *snapshot.SpacePart, done []engine.Done, snap *snapshot.Snapshot) *snapshot.SpacePart {
	var h Health
	if prev != nil {
		h = Of(prev.Data)
	}
	d := h.draft()
	d.apply(done)
	d.keepNamed(sourceData(snap, waba.Name, space), phonenumbers.Of(sourceData(snap, phonenumbers.Name, space)))
	h = d.health()
	last := engine.Last(done)
	next := engine.Applied(prev, last, h)
	if last.Err != nil {
		next.Data = h // the failed node's Checked moved on too
	}
	return next
}
