package snapshot

import (
	"encoding/binary"
	"slices"
	"strings"
	"unique"

	"github.com/cams-exporter/cams_exporter/client"
)

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

// PackSorted returns flows packed in the order of their ids, a flow id
// listed twice keeping its order; flows is not changed.
func (p *FlowPacker) PackSorted(flows []client.Flow) *FlowList {
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
