package snapshot

import (
	"iter"
	"time"
)

// A source's parts of spaces no longer watched. A space that leaves the
// list keeps its part, out of the state, for a grace
// (engine.Config.ForgetAfter), so that one re-added meanwhile keeps its
// data; the cache saves them, so that a restart keeps them too. They are
// not the state's parts: not in Part, All, Len, Up or Changes, so never
// exported, nor in /status or readiness, as the flows' retained states
// are not (Snapshot.Retained).

// KeptPart is a part a source keeps of a space, watched or retained.
type KeptPart struct {
	Part *SpacePart
	// RetainedSince is, for a retained part, since when its space is
	// known to be gone: when it left the list, or when the list became
	// complete if it was not then (a space missing from a list not
	// complete may be one not found yet). Zero for a watched part, and for
	// a retained one not known gone yet: to the cache, both are a part to
	// keep, whose place the list decides.
	RetainedSince time.Time
}

// tally is nothing: a retained part is not counted with the state's.
func (*KeptPart) tally() tally { return tally{} }

// Retained yields the parts kept of spaces not watched, each with since
// when, in no particular order.
func (s *SourceState) Retained() iter.Seq2[string, *KeptPart] { return s.retained.all() }

// RetainedLen returns the number of retained parts.
func (s *SourceState) RetainedLen() int { return s.retained.len }

// RetainedPart returns the part retained of the space, or nil if it has
// none (a watched space has none).
func (s *SourceState) RetainedPart(space string) *KeptPart { return s.retained.get(space) }

// WithRetained returns a copy of s whose retained parts are s's with
// changed applied: each the new retained part of a space, nil to remove
// it. The caller keeps a space in at most one of the
// parts and the retained parts.
func (s SourceState) WithRetained(changed map[string]*KeptPart) *SourceState {
	b := newTableBuilder(s.retained)
	for space, p := range changed {
		if p != nil {
			b.put(space, p)
		} else {
			b.remove(space)
		}
	}
	s.retained = b.freeze()
	return &s
}

// Kept yields every part the source keeps: the watched (All), then the
// retained; no space twice.
func (s *SourceState) Kept() iter.Seq2[string, KeptPart] {
	return func(yield func(string, KeptPart) bool) {
		for space, p := range s.All() {
			if !yield(space, KeptPart{Part: p}) {
				return
			}
		}
		for space, p := range s.Retained() {
			if !yield(space, *p) {
				return
			}
		}
	}
}

// KeptChanges yields the spaces whose kept part (see Kept) differs between
// since and s, each with its kept part in s: its Part nil when s keeps none
// (forgotten). A part that moves between the watched and the retained is a
// change only if its RetainedSince does (a space known gone), as that is
// all the cache saves of where it is. It costs what changed, as Changes
// does; a nil since keeps nothing.
func (s *SourceState) KeptChanges(since *SourceState) iter.Seq2[string, KeptPart] {
	var from SourceState
	if since != nil {
		from = *since
	}
	return func(yield func(string, KeptPart) bool) {
		for space := range s.parts.changes(from.parts) {
			if k := s.kept(space); !sameKept(k, from.kept(space)) && !yield(space, k) {
				return
			}
		}
		for space := range s.retained.changes(from.retained) {
			// A space watched on either side changed (or not) with the
			// watched ones, above.
			if s.parts.get(space) != nil || from.parts.get(space) != nil {
				continue
			}
			if k := s.kept(space); !sameKept(k, from.kept(space)) && !yield(space, k) {
				return
			}
		}
	}
}

// kept returns the part kept of space, watched or retained; a zero
// KeptPart for none.
func (s *SourceState) kept(space string) KeptPart {
	if p := s.parts.get(space); p != nil {
		return KeptPart{Part: p}
	}
	if p := s.retained.get(space); p != nil {
		return *p
	}
	return KeptPart{}
}

func sameKept(a, b KeptPart) bool {
	return a.Part == b.Part && a.RetainedSince.Equal(b.RetainedSince)
}
