package snapshot

import "iter"

// spaceTable is the table of the spaces' states a Snapshot holds.
type spaceTable = table[*SpaceState]

// tally is what st adds to its table's counts (Snapshot.Counts and
// WithoutData); nothing for nil.
func (st *SpaceState) tally() tally {
	var t tally
	if st != nil && st.Up {
		t.up = 1
	}
	if st != nil && !st.HasData {
		t.noData = 1
	}
	return t
}

// SpaceTable is a frozen table of space states, made by a
// SpaceTableBuilder, for a Snapshot (WithTables). It never changes, and
// successive tables of one builder share what did not change between them.
type SpaceTable struct{ t spaceTable }

// Len returns the number of spaces in the table.
func (t SpaceTable) Len() int { return t.t.len }

// SpaceTableBuilder makes SpaceTables for the writer of snapshots (the
// refresher): a batch of puts and removes costs what it changes, not the
// number of spaces, and Freeze ends the batch. It is not safe for
// concurrent use; the tables it froze are.
type SpaceTableBuilder struct{ b *tableBuilder[*SpaceState] }

// NewSpaceTableBuilder returns a builder of an empty table.
func NewSpaceTableBuilder() *SpaceTableBuilder {
	return &SpaceTableBuilder{b: newTableBuilder(spaceTable{})}
}

// Put sets the state of the space id (st must not be nil) and returns the
// one it replaces, or nil.
func (b *SpaceTableBuilder) Put(id string, st *SpaceState) (old *SpaceState) { return b.b.put(id, st) }

// Remove removes the space id and returns its state, or nil if it had none.
func (b *SpaceTableBuilder) Remove(id string) (old *SpaceState) { return b.b.remove(id) }

// All yields every space of the table as it is, in no particular order;
// the batch must not change meanwhile.
func (b *SpaceTableBuilder) All() iter.Seq2[string, *SpaceState] { return b.b.all() }

// Len returns the number of spaces in the table as it is.
func (b *SpaceTableBuilder) Len() int { return b.b.t.len }

// Freeze returns the table as it is, never to change again, and starts a
// new batch.
func (b *SpaceTableBuilder) Freeze() SpaceTable { return SpaceTable{b.b.freeze()} }
