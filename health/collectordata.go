package health

import (
	"encoding/json"
	"slices"

	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
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
// and what was left out by kind ("numbers", "nodes", "entities", "data"):
// nil when nothing was. Data that surely fits (dataBound) is shown as it
// is, not encoded here first: that is every real space.
func partData(data any) (any, map[string]int) {
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

// cutHealth keeps the worst nodes first (nodeSeverity; the WABA's before
// a number's), whole while they fit, then without their entities, as
// long as they fit: "nodes" counts the nodes left out, "entities" the
// entities of the nodes kept without them.
func cutHealth(h messaginghealth.Health) (any, map[string]int) {
	var nodes []*messaginghealth.Node
	if h.WABA != nil {
		nodes = append(nodes, h.WABA)
	}
	for i := range h.Phones {
		nodes = append(nodes, &h.Phones[i])
	}
	kept := make([]*messaginghealth.Node, len(nodes))
	used, droppedNodes, droppedEntities := listOverhead, 0, 0
	for _, i := range worstFirst(len(nodes), func(i int) int { return nodeSeverity(nodes[i]) }) {
		n := *nodes[i]
		size := jsonSize(n)
		if used+size > MaxPartDataBytes {
			n.Entities = nil
			if size = jsonSize(n); used+size > MaxPartDataBytes {
				droppedNodes++
				continue
			}
			droppedEntities += len(nodes[i].Entities)
		}
		kept[i], used = &n, used+size+1
	}
	var out messaginghealth.Health
	for i, n := range kept {
		switch {
		case n == nil:
		case i == 0 && h.WABA != nil:
			out.WABA = n
		default:
			out.Phones = append(out.Phones, *n)
		}
	}
	dropped := omitted("nodes", droppedNodes)
	if droppedEntities > 0 {
		if dropped == nil {
			dropped = map[string]int{}
		}
		dropped["entities"] = droppedEntities
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
