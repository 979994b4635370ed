package health

import (
	"encoding/json"
	"slices"

	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
)

// MaxPartDataBytes bounds the data /status shows of one source's part of
// one space: its JSON (compact; written indented in /status it takes up
// to about twice as much). Within it a source's data is its Data as the
// source encodes it, whole for every real space (3 numbers: about 700
// bytes); a space whose data is larger (a space of 1,000 numbers, or
// answers full of long texts) keeps its worst items first, in the data's
// own order, and data_omitted counts those left out.
const MaxPartDataBytes = 64 << 10

// partData returns data as /status shows it, at most MaxPartDataBytes,
// and what was left out by kind ("numbers", "nodes", "entities", "errors",
// "templates", "data"): nil when nothing was. A source's data is shown as
// its Data type encodes it, but the templates' (templatesView). Data that
// surely fits (dataBound) is shown as it is, not encoded here first: that
// is every real space.
func partData(data any) (any, map[string]int) {
	if t, ok := data.(templates.Templates); ok {
		data = templatesView(t)
	}
	if n, known := dataBound(data); known && n <= MaxPartDataBytes {
		return data, nil
	}
	whole, err := json.Marshal(data)
	if err != nil {
		return nil, map[string]int{"data": 1}
	}
	if len(whole) <= MaxPartDataBytes {
		return json.RawMessage(whole), nil
	}
	switch d := data.(type) {
	case phonenumbers.Numbers:
		return cutNumbers(d)
	case messaginghealth.Health:
		return cutHealth(d)
	case templatesData:
		return cutTemplates(d)
	}
	return nil, map[string]int{"data": 1}
}

// listOverhead is what a list's brackets, commas and an object's keys
// around it add at most: the budget keeps room for them.
const listOverhead = 64

// cutNumbers keeps the worst numbers first (numberSeverity, then their
// order) as long as they fit.
func cutNumbers(numbers phonenumbers.Numbers) (any, map[string]int) {
	keep := make([]bool, len(numbers))
	used := listOverhead
	for _, i := range worstFirst(len(numbers), func(i int) int { return numberSeverity(numbers[i]) }) {
		b, err := json.Marshal(numbers[i])
		if err == nil && used+len(b)+1 <= MaxPartDataBytes {
			keep[i], used = true, used+len(b)+1
		}
	}
	kept := phonenumbers.Numbers{}
	for i, n := range numbers {
		if keep[i] {
			kept = append(kept, n)
		}
	}
	return kept, omitted("numbers", len(numbers)-len(kept))
}

// cutHealth keeps the worst items first as long as they fit: nodes
// (nodeSeverity) and entities (canSendSeverity); of the same severity the
// WABA's node, then the entities (they say why), then the numbers' nodes,
// each in its order. A node is kept whole, naming the entities kept; an
// entity whole, or without its errors once whole it no longer fits.
// "nodes" and "entities" count those left out, "errors" the errors of the
// entities kept without them.
func cutHealth(h messaginghealth.Health) (any, map[string]int) {
	type item struct {
		node   *messaginghealth.Node // or
		entity int                   // an index in h.Entities
	}
	var items []item
	if h.WABA != nil {
		items = append(items, item{node: h.WABA})
	}
	for i := range h.Entities {
		items = append(items, item{entity: i})
	}
	for i := range h.Phones {
		items = append(items, item{node: &h.Phones[i]})
	}
	entities := make([]*messaginghealth.Entity, len(h.Entities)) // those kept
	keptNodes := map[*messaginghealth.Node]bool{}
	used, dropped := listOverhead, map[string]int{}
	severity := func(i int) int {
		if n := items[i].node; n != nil {
			return nodeSeverity(h, n)
		}
		return canSendSeverity(h.Entities[items[i].entity].CanSendMessage)
	}
	for _, i := range worstFirst(len(items), severity) {
		if n := items[i].node; n != nil {
			if size := jsonSize(n); used+size <= MaxPartDataBytes {
				keptNodes[n], used = true, used+size+1
			} else {
				dropped["nodes"]++
			}
			continue
		}
		k := items[i].entity
		e := h.Entities[k]
		size := jsonSize(e)
		if used+size > MaxPartDataBytes {
			e.Errors = nil
			if size = jsonSize(e); used+size > MaxPartDataBytes {
				dropped["entities"]++
				continue
			}
			dropped["errors"] += len(h.Entities[k].Errors)
		}
		entities[k], used = &e, used+size+1
	}
	var out messaginghealth.Health
	index := make([]int, len(entities)) // an entity's index among those kept; -1 for none
	for i, e := range entities {
		index[i] = -1
		if e != nil {
			index[i] = len(out.Entities)
			out.Entities = append(out.Entities, *e)
		}
	}
	kept := func(n *messaginghealth.Node) messaginghealth.Node {
		out := *n
		out.NamedEntities = nil
		for _, k := range n.NamedEntities {
			if index[k] >= 0 {
				out.NamedEntities = append(out.NamedEntities, uint32(index[k]))
			}
		}
		return out
	}
	if keptNodes[h.WABA] {
		n := kept(h.WABA)
		out.WABA = &n
	}
	for i := range h.Phones {
		if keptNodes[&h.Phones[i]] {
			out.Phones = append(out.Phones, kept(&h.Phones[i]))
		}
	}
	if len(dropped) == 0 {
		return out, nil
	}
	return out, dropped
}

// worstFirst returns the indexes 0..n-1 by severity, the worst first,
// each severity in index order.
func worstFirst(n int, severity func(i int) int) []int {
	idx := make([]int, n)
	sev := make([]int, n)
	for i := range idx {
		idx[i], sev[i] = i, severity(i)
	}
	slices.SortStableFunc(idx, func(a, b int) int { return sev[b] - sev[a] })
	return idx
}

func jsonSize(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return MaxPartDataBytes + 1
	}
	return len(b)
}

func omitted(kind string, n int) map[string]int {
	if n == 0 {
		return nil
	}
	return map[string]int{kind: n}
}
