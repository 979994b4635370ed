package messaginghealth

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// Answer is a node with the entities its last successful answer named:
// what a call brings, and what a node was before each space kept each
// entity once.
type Answer struct {
	Node
	Entities []Entity
}

// FromAnswers returns the Health of a space whose WABA's node (nil for
// none) and numbers' nodes last answered so: each entity once, as the
// freshest answer (the latest Answered) that names it gave it, on a tie
// the first node's (the WABA's, then the numbers in their order). A node
// that never answered (no CanSendMessage) names none. Numbers given twice
// keep the first.
func FromAnswers(wabaNode *Answer, phones ...Answer) Health {
	type answered struct {
		rank int // the node's place: 0 the WABA's, then the numbers'
		Answer
	}
	var all []answered
	d := &draft{versions: map[entityKey]Entity{}}
	if wabaNode != nil {
		all = append(all, answered{0, *wabaNode})
	}
	phones = slices.Clone(phones)
	slices.SortStableFunc(phones, func(a, b Answer) int { return strings.Compare(a.PhoneNumber, b.PhoneNumber) })
	phones = slices.CompactFunc(phones, func(a, b Answer) bool { return a.PhoneNumber == b.PhoneNumber })
	for i, a := range phones {
		all = append(all, answered{i + 1, a})
	}
	slices.SortStableFunc(all, func(a, b answered) int { return byFreshness(a.Answered, b.Answered, cmp.Compare(a.rank, b.rank)) })
	for _, a := range all {
		if a.CanSendMessage == "" {
			a.Entities = nil
		}
		d.answer(a.rank == 0, a.Answer)
	}
	return d.health()
}

// byFreshness orders answers so that the one to be kept comes last: the
// later answer, and of two at once the first node's; nodeOrder compares
// the nodes' places (negative when a's comes first).
func byFreshness(a, b time.Time, nodeOrder int) int {
	return cmp.Or(a.Compare(b), -nodeOrder)
}

// entityKey is what makes an entity one: its type and id.
type entityKey struct{ typ, id string }

func (e Entity) key() entityKey { return entityKey{e.Type, e.ID} }

func compareKeys(a, b entityKey) int {
	return cmp.Or(strings.Compare(a.typ, b.typ), strings.Compare(a.id, b.id))
}

// draft is a Health being made: each node with the keys of the entities
// its last answer named, and the version of each entity kept.
type draft struct {
	waba     *draftNode
	phones   []draftNode // sorted by number
	versions map[entityKey]Entity
}

type draftNode struct {
	Node
	named []entityKey
}

// draft returns h to change.
func (h Health) draft() *draft {
	d := &draft{versions: make(map[entityKey]Entity, len(h.Entities)), phones: make([]draftNode, 0, len(h.Phones)+1)}
	for _, e := range h.Entities {
		d.versions[e.key()] = e
	}
	of := func(n *Node) draftNode {
		out := draftNode{Node: *n, named: make([]entityKey, len(n.NamedEntities))}
		for k, i := range n.NamedEntities {
			out.named[k] = h.Entities[i].key()
		}
		return out
	}
	if h.WABA != nil {
		n := of(h.WABA)
		d.waba = &n
	}
	for i := range h.Phones {
		d.phones = append(d.phones, of(&h.Phones[i]))
	}
	return d
}

// apply sets the nodes of the calls done: a success replaces its node and
// gives the entities it names their version, the freshest answer applied
// last; a failure keeps the node's last answer with the error and the
// time of the call, so that the node is asked again an interval later,
// not at once.
func (d *draft) apply(done []engine.Done) {
	done = slices.Clone(done)
	slices.SortStableFunc(done, func(a, b engine.Done) int { return byFreshness(a.At, b.At, compareNodeKeys(a.Key, b.Key)) })
	for _, c := range done {
		number, isPhone := strings.CutPrefix(c.Key, phoneKey)
		a, ok := c.Value.(Answer)
		if c.Err != nil || !ok {
			d.failed(c, number, isPhone)
			continue
		}
		a.Checked, a.Answered = c.At, c.At
		d.answer(!isPhone, a)
	}
}

// compareNodeKeys orders the nodes of two tasks' keys as a Health lists
// them: the WABA's, then the numbers.
func compareNodeKeys(a, b string) int {
	numberA, phoneA := strings.CutPrefix(a, phoneKey)
	numberB, phoneB := strings.CutPrefix(b, phoneKey)
	switch {
	case phoneA != phoneB && phoneA:
		return 1
	case phoneA != phoneB:
		return -1
	}
	return strings.Compare(numberA, numberB)
}

// answer sets a node's last successful answer; of an entity it names twice
// the first is kept.
func (d *draft) answer(isWABA bool, a Answer) {
	n := draftNode{Node: a.Node, named: make([]entityKey, 0, len(a.Entities))}
	for _, e := range a.Entities {
		if k := e.key(); !slices.Contains(n.named, k) {
			d.versions[k] = e
			n.named = append(n.named, k)
		}
	}
	d.put(isWABA, n)
}

// failed records the failed call c on its node, made if it had none (or,
// for the WABA, had another WABA's).
func (d *draft) failed(c engine.Done, number string, isPhone bool) {
	n := d.node(isPhone, number)
	wabaID := strings.TrimPrefix(c.Key, wabaKey)
	var next draftNode
	switch {
	case n != nil && (isPhone || n.WabaID == wabaID):
		next = *n
	case isPhone:
		next.PhoneNumber = number
	default:
		next.WabaID = wabaID
	}
	next.Checked, next.LastError = c.At, snapshot.NewErrorInfo(c.Err)
	d.put(!isPhone, next)
}

// node returns the WABA's node or number's, nil for none.
func (d *draft) node(isPhone bool, number string) *draftNode {
	if !isPhone {
		return d.waba
	}
	if i, found := slices.BinarySearchFunc(d.phones, number, comparePhoneDraft); found {
		return &d.phones[i]
	}
	return nil
}

func (d *draft) put(isWABA bool, n draftNode) {
	if isWABA {
		d.waba = &n
		return
	}
	i, found := slices.BinarySearchFunc(d.phones, n.PhoneNumber, comparePhoneDraft)
	if found {
		d.phones[i] = n
	} else {
		d.phones = slices.Insert(d.phones, i, n)
	}
}

func comparePhoneDraft(n draftNode, number string) int { return strings.Compare(n.PhoneNumber, number) }

// keepNamed drops the nodes the other sources no longer name: the WABA
// when the space's is unbound or another, the numbers not in numbers.
// Without the WABA's data (its source off or not answered yet) the WABA's
// node stays; without numbers, every number's.
func (d *draft) keepNamed(wabaData any, numbers phonenumbers.Numbers) {
	if d.waba != nil && wabaData != nil {
		if w, bound := waba.Of(wabaData); !bound || w.ID != d.waba.WabaID {
			d.waba = nil
		}
	}
	if numbers == nil {
		return
	}
	d.phones = slices.DeleteFunc(d.phones, func(n draftNode) bool {
		_, found := slices.BinarySearchFunc(numbers, n.PhoneNumber, func(x phonenumbers.Number, number string) int { return strings.Compare(x.PhoneNumber, number) })
		return !found
	})
}

// health returns the Health the draft is: the entities its nodes name,
// each once, and each node their indexes. An entity no node names any
// longer is gone.
func (d *draft) health() Health {
	var keys []entityKey
	nodes := make([]*draftNode, 0, len(d.phones)+1)
	if d.waba != nil {
		nodes = append(nodes, d.waba)
	}
	for i := range d.phones {
		nodes = append(nodes, &d.phones[i])
	}
	for _, n := range nodes {
		keys = append(keys, n.named...)
	}
	slices.SortFunc(keys, compareKeys)
	keys = slices.Compact(keys)
	var h Health
	if len(keys) > 0 {
		h.Entities = make([]Entity, len(keys))
		for i, k := range keys {
			h.Entities[i] = d.versions[k]
		}
	}
	node := func(n *draftNode) Node {
		out := n.Node
		out.NamedEntities = nil
		if len(n.named) > 0 {
			out.NamedEntities = make([]uint32, 0, len(n.named))
			for _, k := range n.named {
				i, _ := slices.BinarySearchFunc(keys, k, compareKeys)
				if !slices.Contains(out.NamedEntities, uint32(i)) {
					out.NamedEntities = append(out.NamedEntities, uint32(i))
				}
			}
		}
		return out
	}
	if d.waba != nil {
		n := node(d.waba)
		h.WABA = &n
	}
	if len(d.phones) > 0 {
		h.Phones = make([]Node, len(d.phones))
		for i := range d.phones {
			h.Phones[i] = node(&d.phones[i])
		}
	}
	return h
}
