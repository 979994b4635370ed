package snapshot

import (
	"hash/maphash"
	"iter"
	"math/bits"
	"sync/atomic"
)

// table maps space ids to values (a space's state, or a source's part of
// it). It is persistent: a table is never changed once frozen, and a change makes a new table that shares every
// node off the changed path with the old one. It is a hash array mapped
// trie: an inner node has up to tableWidth children chosen by tableBits of
// the id's hash per level, a leaf holds up to leafMax entries (any number at
// the last level, where the hash is spent). Changing one space copies a
// node per level, about log32(n) of them; two tables that share nodes are
// compared in proportion to what differs (changes). It counts its entries
// by state as they change (tally), so that readiness never reads every
// space.
type table[V tableValue] struct {
	root *tableNode[V] // nil when empty
	len  int           // entries
	tally
}

// tableValue is what a table holds: a pointer (nil is no value) that tells
// what it adds to the table's tally.
type tableValue interface {
	comparable
	tally() tally
}

// tally counts a table's entries by state.
type tally struct {
	up     int // entries that are up
	noData int // entries without data
}

func (t *tally) add(v tally) { t.up += v.up; t.noData += v.noData }
func (t *tally) sub(v tally) { t.up -= v.up; t.noData -= v.noData }

const (
	tableBits  = 5
	tableWidth = 1 << tableBits
	leafMax    = 8
)

// tableNode is an inner node (children) or a leaf (entries).
type tableNode[V tableValue] struct {
	// edit is the batch that made the node: only that batch may change it
	// in place (see tableBuilder).
	edit     uint64
	leaf     bool
	bitmap   uint32          // inner: the slots present, in children's order
	children []*tableNode[V] // inner
	entries  []tableEntry[V] // leaf
}

type tableEntry[V tableValue] struct {
	hash  uint64
	id    string
	state V
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
func (n *tableNode[V]) child(s uint32) *tableNode[V] {
	bit := uint32(1) << s
	if n.bitmap&bit == 0 {
		return nil
	}
	return n.children[bits.OnesCount32(n.bitmap&(bit-1))]
}

// get returns the value of id, or nil.
func (t table[V]) get(id string) V {
	return lookup(t.root, 0, hashID(id), id)
}

func lookup[V tableValue](n *tableNode[V], depth int, hash uint64, id string) V {
	for n != nil && !n.leaf {
		n = n.child(slot(hash, depth))
		depth++
	}
	if n != nil {
		for i := range n.entries {
			if e := &n.entries[i]; e.hash == hash && e.id == id {
				return e.state
			}
		}
	}
	var none V
	return none
}

// all yields every entry of the table, in no particular order.
func (t table[V]) all() iter.Seq2[string, V] {
	return func(yield func(string, V) bool) {
		walk(t.root, func(e *tableEntry[V]) bool { return yield(e.id, e.state) })
	}
}

func walk[V tableValue](n *tableNode[V], f func(*tableEntry[V]) bool) bool {
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

// changes yields, for every id whose value differs between since and t,
// its value in t (nil if t has none). Subtrees the two tables share are
// skipped, so the cost follows what changed, not the size of the tables.
func (t table[V]) changes(since table[V]) iter.Seq2[string, V] {
	return func(yield func(string, V) bool) {
		diff(since.root, t.root, 0, yield)
	}
}

// diff yields the differences from a to b, two subtrees at depth.
func diff[V tableValue](a, b *tableNode[V], depth int, yield func(string, V) bool) bool {
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
	var none V
	if !walk(b, func(e *tableEntry[V]) bool {
		return lookup(a, depth, e.hash, e.id) == e.state || yield(e.id, e.state)
	}) {
		return false
	}
	return walk(a, func(e *tableEntry[V]) bool {
		return lookup(b, depth, e.hash, e.id) != none || yield(e.id, none)
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
type tableBuilder[V tableValue] struct {
	t    table[V]
	edit uint64
}

func newTableBuilder[V tableValue](t table[V]) *tableBuilder[V] {
	return &tableBuilder[V]{t: t, edit: lastEdit.Add(1)}
}

// freeze returns the table as it is and starts a new batch.
func (b *tableBuilder[V]) freeze() table[V] {
	b.edit = lastEdit.Add(1)
	return b.t
}

// all yields every entry of the table as it is; the batch must not change
// meanwhile.
func (b *tableBuilder[V]) all() iter.Seq2[string, V] { return b.t.all() }

// put sets the value of id (v must not be nil) and returns the one it
// replaces, or nil.
func (b *tableBuilder[V]) put(id string, v V) (old V) {
	e := tableEntry[V]{hash: hashID(id), id: id, state: v}
	b.t.root, old = b.putNode(b.t.root, 0, e)
	var none V
	if old == none {
		b.t.len++
	} else {
		b.t.sub(old.tally())
	}
	b.t.add(v.tally())
	return old
}

// remove removes id and returns its value, or nil if it had none.
func (b *tableBuilder[V]) remove(id string) (old V) {
	b.t.root, old = b.removeNode(b.t.root, 0, hashID(id), id)
	if none := *new(V); old != none {
		b.t.len--
		b.t.sub(old.tally())
	}
	return old
}

// own returns n if this batch made it, or a copy of it that it makes.
func (b *tableBuilder[V]) own(n *tableNode[V]) *tableNode[V] {
	if n.edit == b.edit {
		return n
	}
	c := &tableNode[V]{edit: b.edit, leaf: n.leaf, bitmap: n.bitmap}
	if n.leaf {
		c.entries = append(make([]tableEntry[V], 0, len(n.entries)+1), n.entries...)
	} else {
		c.children = append(make([]*tableNode[V], 0, len(n.children)+1), n.children...)
	}
	return c
}

func (b *tableBuilder[V]) putNode(n *tableNode[V], depth int, e tableEntry[V]) (*tableNode[V], V) {
	var none V
	if n == nil {
		return b.newLeaf(e), none
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
			return m, none
		}
		inner := &tableNode[V]{edit: b.edit}
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
		return m, none
	}
	nc, old := b.putNode(n.children[pos], depth+1, e)
	if old == e.state {
		return n, old // nothing changed
	}
	m := b.own(n)
	m.children[pos] = nc
	return m, old
}

func (b *tableBuilder[V]) newLeaf(e tableEntry[V]) *tableNode[V] {
	return &tableNode[V]{edit: b.edit, leaf: true, entries: []tableEntry[V]{e}}
}

func (b *tableBuilder[V]) removeNode(n *tableNode[V], depth int, hash uint64, id string) (*tableNode[V], V) {
	var none V
	if n == nil {
		return nil, none
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
				m.entries[last] = tableEntry[V]{}
				m.entries = m.entries[:last]
				return m, old
			}
		}
		return n, none
	}
	s := slot(hash, depth)
	bit := uint32(1) << s
	if n.bitmap&bit == 0 {
		return n, none
	}
	pos := bits.OnesCount32(n.bitmap & (bit - 1))
	c := n.children[pos]
	nc, old := b.removeNode(c, depth+1, hash, id)
	if old == none {
		return n, none
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
