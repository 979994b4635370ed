package refresh

import (
	"hash/maphash"
	"iter"
	"math/bits"
	"sync/atomic"
)

// spaceTable maps space ids to states. It is persistent: a table is never
// changed once frozen, and a change makes a new table that shares every
// node off the changed path with the old one. It is a hash array mapped
// trie: an inner node has up to tableWidth children chosen by tableBits of
// the id's hash per level, a leaf holds up to leafMax entries (any number at
// the last level, where the hash is spent). Changing one space copies a
// node per level, about log32(n) of them; two tables that share nodes are
// compared in proportion to what differs (changes). It counts its entries
// by state as they change, so that readiness never reads every space.
type spaceTable struct {
	root   *tableNode // nil when empty
	len    int        // entries
	up     int        // entries whose state is Up
	noData int        // entries whose state has no data
}

const (
	tableBits  = 5
	tableWidth = 1 << tableBits
	leafMax    = 8
)

// tableNode is an inner node (children) or a leaf (entries).
type tableNode struct {
	// edit is the batch that made the node: only that batch may change it
	// in place (see tableBuilder).
	edit     uint64
	leaf     bool
	bitmap   uint32       // inner: the slots present, in children's order
	children []*tableNode // inner
	entries  []tableEntry // leaf
}

type tableEntry struct {
	hash  uint64
	id    string
	state *SpaceState
}

// tableSeed seeds the ids' hash: tables are only ever compared within one
// process.
var tableSeed = maphash.MakeSeed()

// hashID hashes a space id; tests replace it to make ids collide.
var hashID = func(id string) uint64 { return maphash.String(tableSeed, id) }

// slot is where hash goes in an inner node at depth.
func slot(hash uint64, depth int) uint32 {
	return uint32(hash>>(depth*tableBits)) & (tableWidth - 1)
}

// canSplit reports whether a leaf at depth may become an inner node: not
// once the hash is spent.
func canSplit(depth int) bool { return depth*tableBits < 64 }

// child returns n's child in slot s, or nil.
func (n *tableNode) child(s uint32) *tableNode {
	bit := uint32(1) << s
	if n.bitmap&bit == 0 {
		return nil
	}
	return n.children[bits.OnesCount32(n.bitmap&(bit-1))]
}

// get returns the state of id, or nil.
func (t spaceTable) get(id string) *SpaceState {
	return lookup(t.root, 0, hashID(id), id)
}

func lookup(n *tableNode, depth int, hash uint64, id string) *SpaceState {
	for n != nil && !n.leaf {
		n = n.child(slot(hash, depth))
		depth++
	}
	if n == nil {
		return nil
	}
	for i := range n.entries {
		if e := &n.entries[i]; e.hash == hash && e.id == id {
			return e.state
		}
	}
	return nil
}

// all yields every entry of the table, in no particular order.
func (t spaceTable) all() iter.Seq2[string, *SpaceState] {
	return func(yield func(string, *SpaceState) bool) {
		walk(t.root, func(e *tableEntry) bool { return yield(e.id, e.state) })
	}
}

func walk(n *tableNode, f func(*tableEntry) bool) bool {
	if n == nil {
		return true
	}
	if n.leaf {
		for i := range n.entries {
			if !f(&n.entries[i]) {
				return false
			}
		}
		return true
	}
	for _, c := range n.children {
		if !walk(c, f) {
			return false
		}
	}
	return true
}

// changes yields, for every id whose state differs between since and t, its
// state in t (nil if t has none). Subtrees the two tables share are skipped,
// so the cost follows what changed, not the size of the tables.
func (t spaceTable) changes(since spaceTable) iter.Seq2[string, *SpaceState] {
	return func(yield func(string, *SpaceState) bool) {
		diff(since.root, t.root, 0, yield)
	}
}

// diff yields the differences from a to b, two subtrees at depth.
func diff(a, b *tableNode, depth int, yield func(string, *SpaceState) bool) bool {
	if a == b {
		return true
	}
	if a != nil && b != nil && !a.leaf && !b.leaf {
		for s := range uint32(tableWidth) {
			if !diff(a.child(s), b.child(s), depth+1, yield) {
				return false
			}
		}
		return true
	}
	// A leaf on either side (or none): entry by entry, a few at most
	// unless a whole subtree came or went.
	if !walk(b, func(e *tableEntry) bool {
		return lookup(a, depth, e.hash, e.id) == e.state || yield(e.id, e.state)
	}) {
		return false
	}
	return walk(a, func(e *tableEntry) bool {
		return lookup(b, depth, e.hash, e.id) != nil || yield(e.id, nil)
	})
}

// lastEdit numbers the batches of changes, process-wide, so that no batch
// ever changes in place a node of another.
var lastEdit atomic.Uint64

// tableBuilder makes new tables from one: a batch of changes (puts and
// removes) changes in place the nodes it made itself and copies the others,
// so that a batch of k changes costs k paths, and building a table of n
// entries from nothing costs n insertions, not n copies of paths. freeze
// ends the batch: the table it returns is never changed again.
type tableBuilder struct {
	t    spaceTable
	edit uint64
}

func newTableBuilder(t spaceTable) *tableBuilder {
	return &tableBuilder{t: t, edit: lastEdit.Add(1)}
}

// freeze returns the table as it is and starts a new batch.
func (b *tableBuilder) freeze() spaceTable {
	b.edit = lastEdit.Add(1)
	return b.t
}

// all yields every entry of the table as it is; the batch must not change
// meanwhile.
func (b *tableBuilder) all() iter.Seq2[string, *SpaceState] { return b.t.all() }

// put sets the state of id (st must not be nil) and returns the one it
// replaces, or nil.
func (b *tableBuilder) put(id string, st *SpaceState) (old *SpaceState) {
	e := tableEntry{hash: hashID(id), id: id, state: st}
	b.t.root, old = b.putNode(b.t.root, 0, e)
	if old == nil {
		b.t.len++
	}
	b.t.up += upCount(st) - upCount(old)
	b.t.noData += noDataCount(st) - noDataCount(old)
	return old
}

// remove removes id and returns its state, or nil if it had none.
func (b *tableBuilder) remove(id string) (old *SpaceState) {
	b.t.root, old = b.removeNode(b.t.root, 0, hashID(id), id)
	if old != nil {
		b.t.len--
		b.t.up -= upCount(old)
		b.t.noData -= noDataCount(old)
	}
	return old
}

func upCount(st *SpaceState) int {
	if st != nil && st.Up {
		return 1
	}
	return 0
}

func noDataCount(st *SpaceState) int {
	if st != nil && !st.HasData {
		return 1
	}
	return 0
}

// own returns n if this batch made it, or a copy of it that it makes.
func (b *tableBuilder) own(n *tableNode) *tableNode {
	if n.edit == b.edit {
		return n
	}
	c := &tableNode{edit: b.edit, leaf: n.leaf, bitmap: n.bitmap}
	if n.leaf {
		c.entries = append(make([]tableEntry, 0, len(n.entries)+1), n.entries...)
	} else {
		c.children = append(make([]*tableNode, 0, len(n.children)+1), n.children...)
	}
	return c
}

func (b *tableBuilder) putNode(n *tableNode, depth int, e tableEntry) (*tableNode, *SpaceState) {
	if n == nil {
		return b.newLeaf(e), nil
	}
	if n.leaf {
		for i := range n.entries {
			if x := &n.entries[i]; x.hash == e.hash && x.id == e.id {
				if x.state == e.state {
					return n, x.state
				}
				old := x.state
				m := b.own(n)
				m.entries[i] = e
				return m, old
			}
		}
		if len(n.entries) < leafMax || !canSplit(depth) {
			m := b.own(n)
			m.entries = append(m.entries, e)
			return m, nil
		}
		inner := &tableNode{edit: b.edit}
		for _, x := range n.entries {
			inner, _ = b.putNode(inner, depth, x)
		}
		return b.putNode(inner, depth, e)
	}
	s := slot(e.hash, depth)
	bit := uint32(1) << s
	pos := bits.OnesCount32(n.bitmap & (bit - 1))
	if n.bitmap&bit == 0 {
		m := b.own(n)
		m.children = append(m.children, nil)
		copy(m.children[pos+1:], m.children[pos:])
		m.children[pos] = b.newLeaf(e)
		m.bitmap |= bit
		return m, nil
	}
	nc, old := b.putNode(n.children[pos], depth+1, e)
	if old == e.state {
		return n, old // nothing changed
	}
	m := b.own(n)
	m.children[pos] = nc
	return m, old
}

func (b *tableBuilder) newLeaf(e tableEntry) *tableNode {
	return &tableNode{edit: b.edit, leaf: true, entries: []tableEntry{e}}
}

func (b *tableBuilder) removeNode(n *tableNode, depth int, hash uint64, id string) (*tableNode, *SpaceState) {
	if n == nil {
		return nil, nil
	}
	if n.leaf {
		for i := range n.entries {
			if x := &n.entries[i]; x.hash == hash && x.id == id {
				old := x.state
				if len(n.entries) == 1 {
					return nil, old
				}
				m := b.own(n)
				last := len(m.entries) - 1
				m.entries[i] = m.entries[last]
				m.entries[last] = tableEntry{}
				m.entries = m.entries[:last]
				return m, old
			}
		}
		return n, nil
	}
	s := slot(hash, depth)
	bit := uint32(1) << s
	if n.bitmap&bit == 0 {
		return n, nil
	}
	pos := bits.OnesCount32(n.bitmap & (bit - 1))
	c := n.children[pos]
	nc, old := b.removeNode(c, depth+1, hash, id)
	if old == nil {
		return n, nil
	}
	if nc != nil {
		m := b.own(n)
		m.children[pos] = nc
		return m, old
	}
	if len(n.children) == 1 {
		return nil, old
	}
	m := b.own(n)
	copy(m.children[pos:], m.children[pos+1:])
	m.children[len(m.children)-1] = nil
	m.children = m.children[:len(m.children)-1]
	m.bitmap &^= bit
	return m, old
}
