package refresh

import (
	"encoding/binary"
	"iter"
	"slices"
	"strings"
	"unique"

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

// NewFlowList packs flows, in their order, with category lists of their
// own: for tests and tools. A refresher packs with a FlowPacker shared by
// all its spaces.
func NewFlowList(flows []client.Flow) *FlowList {
	var p FlowPacker
	return p.Pack(flows)
}

// FlowPacker packs flows into FlowLists whose equal category lists are
// one: most flows carry one of a few lists (["SIGN_UP"], ["SURVEY",
// "OTHER"], ...), and a shared list costs a flow a byte or two. At most
// maxSharedLists lists are shared; past them, a list is kept with its
// space's flows. The zero value is ready; it is not safe for concurrent
// use (the refresher's mutex guards its own), but the FlowLists it made
// may be read while it packs more.
type FlowPacker struct {
	index map[string]uint64 // by listKey: the list's place in table, plus 1
	table *listTable
	key   []byte // scratch
}

// Pack returns flows packed, in their order; nil for none.
func (p *FlowPacker) Pack(flows []client.Flow) *FlowList {
	return p.pack(flows, nil)
}

// packSorted returns flows packed in the order of their ids, a flow id
// listed twice keeping its order; flows is not changed.
func (p *FlowPacker) packSorted(flows []client.Flow) *FlowList {
	order := make([]int32, len(flows))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return strings.Compare(flows[a].FlowID, flows[b].FlowID) })
	return p.pack(flows, order)
}

// pack packs flows in the given order of their indexes, or in theirs
// without one.
func (p *FlowPacker) pack(flows []client.Flow, order []int32) *FlowList {
	if len(flows) == 0 {
		return nil
	}
	at := func(i int) *client.Flow {
		if order != nil {
			return &flows[order[i]]
		}
		return &flows[i]
	}
	size := 0
	for i := range flows {
		f := at(i)
		size += uvarintLen(len(f.FlowID)) + len(f.FlowID) + uvarintLen(len(f.FlowName)) + len(f.FlowName) + 2 // a list's place: 2 bytes up to 16,383
	}
	l := &FlowList{n: len(flows)}
	var b strings.Builder
	b.Grow(size)
	var own []string // the lists not shared, in one array
	for i := range flows {
		f := at(i)
		appendText(&b, f.FlowID)
		appendText(&b, f.FlowName)
		list, shared := p.share(f.Categories)
		if !shared {
			if own == nil {
				own = make([]string, 0, categoriesFrom(flows, order, i))
			}
			start := len(own)
			for _, c := range f.Categories {
				own = append(own, unique.Make(c).Value())
			}
			l.own = append(l.own, own[start:len(own):len(own)])
			list = uint64(maxSharedLists + len(l.own))
		}
		appendUvarint(&b, list)
	}
	l.packed, l.lists, l.own = b.String(), p.table, slices.Clip(l.own)
	return l
}

// categoriesFrom counts the categories of the flows from the i-th on, in
// the order given, if any.
func categoriesFrom(flows []client.Flow, order []int32, i int) int {
	n := 0
	for j := i; j < len(flows); j++ {
		if order != nil {
			n += len(flows[order[j]].Categories)
		} else {
			n += len(flows[j].Categories)
		}
	}
	return n
}

func appendText(b *strings.Builder, s string) {
	appendUvarint(b, uint64(len(s)))
	b.WriteString(s)
}

func appendUvarint(b *strings.Builder, x uint64) {
	var buf [binary.MaxVarintLen64]byte
	b.Write(binary.AppendUvarint(buf[:0], x))
}

func uvarintLen(n int) int {
	size := 1
	for ; n >= 0x80; n >>= 7 {
		size++
	}
	return size
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

// share returns the place of cats among the shared lists, plus 1, sharing
// it if it is new and there is room; 0 for nil cats; and false when cats
// is not shared (maxSharedLists are, and cats is none of them).
func (p *FlowPacker) share(cats []string) (uint64, bool) {
	if cats == nil {
		return 0, true
	}
	p.key = listKey(p.key[:0], cats)
	if i, ok := p.index[string(p.key)]; ok {
		return i, true
	}
	if len(p.index) >= maxSharedLists {
		return 0, false
	}
	if p.index == nil {
		p.index, p.table = map[string]uint64{}, &listTable{}
	}
	l := make([]string, len(cats))
	for i, c := range cats {
		l[i] = unique.Make(c).Value()
	}
	i := len(p.index)
	p.table.set(i, l)
	p.index[string(p.key)] = uint64(i + 1)
	return uint64(i + 1), true
}

// maxSharedLists bounds the distinct category lists a packer shares.
// Real accounts use a few dozen; the simulator's random data, 1,464.
const maxSharedLists = 4096

// listChunk is how many lists a chunk of a listTable holds.
const listChunk = 64

// listTable holds shared category lists, each at a fixed place once set:
// a FlowList reads the places its flows name while its packer sets others,
// and no place is ever set twice. Chunks are made as they are needed.
type listTable struct {
	chunks [maxSharedLists / listChunk]*[listChunk][]string
}

func (t *listTable) set(i int, list []string) {
	c := t.chunks[i/listChunk]
	if c == nil {
		c = new([listChunk][]string)
		t.chunks[i/listChunk] = c
	}
	c[i%listChunk] = list
}

func (t *listTable) get(i int) []string { return t.chunks[i/listChunk][i%listChunk] }

// listKey appends a key that tells lists apart: each value prefixed with its
// length. An empty list has an empty key.
func listKey(b []byte, cats []string) []byte {
	for _, c := range cats {
		b = binary.AppendUvarint(b, uint64(len(c)))
		b = append(b, c...)
	}
	return b
}
