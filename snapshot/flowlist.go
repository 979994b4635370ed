package snapshot

import (
	"iter"

	"github.com/cams-exporter/cams_exporter/client"
)

// FlowList is the flows of a space kept for flow info
// (--collector.flow-info), packed: their ids and names in one string, each
// flow's category list one that a FlowPacker shares between flows and
// spaces. Kept as client.Flows, a flow cost about 240 bytes of peak memory
// (its struct, its name's allocation, and the garbage collector's room
// over them); packed, the bytes of its name and two or three more.
//
// A FlowList never changes once made, and is safe to read from any
// goroutine. A nil *FlowList holds no flow.
type FlowList struct {
	// packed holds each flow in turn: the uvarint length of its id, its
	// id, the uvarint length of its name, its name, and the uvarint of its
	// category list: 0 for none (nil), i in 1..maxSharedLists the list at
	// i-1 in lists, and above that own[i-maxSharedLists-1].
	packed string
	n      int
	lists  *listTable
	own    [][]string // lists past the shared ones
}

// Len returns the number of flows.
func (l *FlowList) Len() int {
	if l == nil {
		return 0
	}
	return l.n
}

// All yields the flows in order, each with its index. Their ids and names
// are parts of one string, and their category lists shared: read them,
// never write into them.
func (l *FlowList) All() iter.Seq2[int, client.Flow] {
	return func(yield func(int, client.Flow) bool) {
		if l == nil {
			return
		}
		rest := l.packed
		for i := range l.n {
			var f client.Flow
			f.FlowID, rest = cutText(rest)
			f.FlowName, rest = cutText(rest)
			list, size := uvarint(rest)
			rest = rest[size:]
			f.Categories = l.list(list)
			if !yield(i, f) {
				return
			}
		}
	}
}

// IDs returns the flows' ids, in order; they are parts of the packed
// string, which they share.
func (l *FlowList) IDs() []string {
	if l.Len() == 0 {
		return nil
	}
	ids := make([]string, 0, l.n)
	for _, f := range l.All() {
		ids = append(ids, f.FlowID)
	}
	return ids
}

// Flows returns a copy of the flows as client.Flows; their category lists
// are still shared.
func (l *FlowList) Flows() []client.Flow {
	if l.Len() == 0 {
		return nil
	}
	flows := make([]client.Flow, 0, l.n)
	for _, f := range l.All() {
		flows = append(flows, f)
	}
	return flows
}

func (l *FlowList) list(i uint64) []string {
	switch {
	case i == 0:
		return nil
	case i <= maxSharedLists:
		return l.lists.get(int(i - 1))
	default:
		return l.own[i-maxSharedLists-1]
	}
}

// cutText returns the text at the start of packed, preceded by its uvarint
// length, and what follows it.
func cutText(packed string) (text, rest string) {
	n, size := uvarint(packed)
	end := size + int(n)
	return packed[size:end], packed[end:]
}

// uvarint decodes the uvarint at the start of s, which holds one, and
// returns it and its length.
func uvarint(s string) (uint64, int) {
	var x uint64
	for i, shift := 0, uint(0); i < len(s); i, shift = i+1, shift+7 {
		if c := s[i]; c < 0x80 {
			return x | uint64(c)<<shift, i + 1
		}
		x |= uint64(s[i]&0x7f) << shift
	}
	return 0, len(s)
}
