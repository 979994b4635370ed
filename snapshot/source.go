package snapshot

import (
	"iter"
	"time"
)

// SpacePart is one source's immutable state of one space: what the last
// calls of its operation for the space told. Read it, never write into it:
// a source makes a new one for each change.
type SpacePart struct {
	// Up is true if the last attempt succeeded; HasData once one has.
	Up, HasData bool
	// LastSuccess and LastAttempt are when the last successful and the
	// last attempt finished.
	LastSuccess, LastAttempt time.Time
	// LastError describes the last failure; nil after a success.
	LastError *ErrorInfo
	// Data is the source's own immutable value, kept from the last success
	// when a later attempt fails; nil before the first.
	Data any
}

// tally is what p adds to its table's counts; nothing for nil.
func (p *SpacePart) tally() tally {
	var t tally
	if p != nil && p.Up {
		t.up = 1
	}
	if p != nil && !p.HasData {
		t.noData = 1
	}
	return t
}

// SourceState is one source's part of a snapshot: its figures and its part
// of each space's state. It is immutable once published: a source makes a
// new one with WithParts, which shares with the old one every space that
// did not change, so that a change costs what changed and Changes tells
// what changed at that cost. Beside its parts it keeps those of spaces no
// longer watched, for their grace (Retained), which are not its parts:
// the cache saves them, readers never see them.
type SourceState struct {
	// Name is the collector's name, e.g. "phone-numbers".
	Name string
	// Operation is the CAMS operation the source calls, e.g.
	// "QueryChatappPhoneNumbers".
	Operation string
	// Interval is the target age of each space's part.
	Interval time.Duration
	// ExpectedPass is how long calling for every space takes at the
	// source's configured rate.
	ExpectedPass time.Duration
	// Folded counts the label values folded into OtherCategory ("_other")
	// because the undocumented values kept were already as many as allowed.
	Folded uint64
	// Totals are the source's own figures across its spaces
	// (engine.Totaler), immutable: such as how many problem templates its
	// budget of series folded. Nil for a source without any.
	Totals any
	parts  table[*SpacePart]
	// retained holds the parts of spaces no longer watched (Retained).
	retained table[*KeptPart]
}

// NewSourceState returns the state of a source without any part.
func NewSourceState(name, operation string) *SourceState {
	return &SourceState{Name: name, Operation: operation}
}

// Part returns the source's part of the space, or nil if it has none.
func (s *SourceState) Part(space string) *SpacePart { return s.parts.get(space) }

// Len returns the number of spaces with a part.
func (s *SourceState) Len() int { return s.parts.len }

// Up returns the number of parts whose last attempt succeeded; it costs
// nothing (counted as the parts change).
func (s *SourceState) Up() int { return s.parts.up }

// All yields the spaces with a part and their parts, in no particular
// order.
func (s *SourceState) All() iter.Seq2[string, *SpacePart] { return s.parts.all() }

// Changes yields the spaces whose part differs between since and s, each
// with its part in s, or nil if s has none (the part was removed). Between
// states that share their parts (made by WithParts from one another) it
// costs what changed, not the number of spaces; otherwise it reads both. A
// nil since has no part.
func (s *SourceState) Changes(since *SourceState) iter.Seq2[string, *SpacePart] {
	var from table[*SpacePart]
	if since != nil {
		from = since.parts
	}
	return s.parts.changes(from)
}

// WithParts returns a copy of s whose parts are s's with changed applied:
// each the new part of a space, nil to remove the space's part. The copy
// shares with s every part that did not change.
func (s SourceState) WithParts(changed map[string]*SpacePart) *SourceState {
	b := newTableBuilder(s.parts)
	for space, p := range changed {
		if p != nil {
			b.put(space, p)
		} else {
			b.remove(space)
		}
	}
	s.parts = b.freeze()
	return &s
}

// Sources returns the states of the sources turned on, in the order they
// were wired; nil without any. The caller must not change the slice.
func (s *Snapshot) Sources() []*SourceState { return s.sources }

// Source returns the state of the source called name, or nil when that
// source is off.
func (s *Snapshot) Source(name string) *SourceState {
	for _, src := range s.sources {
		if src.Name == name {
			return src
		}
	}
	return nil
}

// WithSources returns a copy of s whose sources are sources, in that order
// (nil states are left out); the rest is shared with s.
func (s Snapshot) WithSources(sources []*SourceState) *Snapshot {
	s.sources = nil
	for _, src := range sources {
		if src != nil {
			s.sources = append(s.sources, src)
		}
	}
	return &s
}
