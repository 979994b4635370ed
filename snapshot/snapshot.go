package snapshot

import (
	"errors"
	"iter"
	"sort"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
)

// Snapshot is everything the exporter knows, as of the last listings that
// ended. It is immutable once published: the refresher makes a new one and
// swaps it in, so a scrape never sees half a listing.
//
// Its spaces are those watched that have a state, i.e. were listed in this
// run (successfully or not) or restored from the cache, by CustSpaceId (""
// is the account's own space): see Space, All, Len and Counts. They are kept
// in a persistent table that successive snapshots share, so that publishing
// a snapshot costs what changed since the last, not the number of spaces,
// and Changes tells what changed between two snapshots at that cost too.
// Beside them, it holds the states kept of spaces not watched (Retained),
// for the cache.
type Snapshot struct {
	spaces   spaceTable
	retained spaceTable
	sources  []*SourceState // in wiring order; nil without sources
	// Pending counts the watched spaces without a state: never attempted in
	// this run and nothing restored. They wait for their first listing and
	// are neither up nor down.
	Pending int
	// Completed is false until a pass over every space has finished in
	// this run.
	Completed bool
	// LastRefreshDuration is how long the last full refresh took.
	LastRefreshDuration time.Duration
	// LastRefreshEnd is when the last full refresh finished.
	LastRefreshEnd time.Time
	// Refreshes and RefreshFailures count full refreshes, and those in
	// which any space failed.
	Refreshes, RefreshFailures uint64
	// ExpectedPassDuration is how long listing every space takes at the
	// configured rate, from the last known flow counts.
	ExpectedPassDuration time.Duration
	// LastListCall is when a ListFlow call last succeeded in this run: any
	// page, so that a long listing is progress. Zero before the first.
	LastListCall time.Time
	// IdleUntil is when the refresher's last idle time (nothing to list:
	// every watched space fresh, none being listed) ends or ended: when the
	// next space comes due, or when a new space woke it. Zero before it was
	// first idle. Spaces have been due since the later of it and
	// LastListCall: that tells a refresher that makes no progress from one
	// with nothing to do.
	IdleUntil time.Time
	// CategoriesFolded counts the category values folded into
	// OtherCategory: each listing (and each space restored from a cache)
	// adds the number of distinct values it carried beyond the
	// MaxUndocumentedCategories kept.
	CategoriesFolded uint64
	// FlowStatus sums up the flow-status checks (--collector.flow-status).
	FlowStatus FlowStatusTotals
}

// SpaceState is what the exporter knows of one space.
type SpaceState struct {
	ID string
	// Count, ByCategory and FlowIDs (sorted) describe the flows of the last
	// successful refresh; they are kept when a later one fails. ByCategory
	// holds the documented categories, at most MaxUndocumentedCategories
	// others across all spaces, and OtherCategory; spaces restored from a
	// cache with equal counts share one map: read it, never write into it.
	Count      int
	ByCategory map[string]int
	FlowIDs    []string
	// Flows is the full list, kept only when flow info is exported (nil
	// otherwise), sorted by id as FlowIDs is (the refresher's: one in a
	// snapshot made otherwise may not be), packed: read it with Len and
	// All. Its category lists are shared between flows and spaces: read
	// them, never write into them.
	Flows *FlowList
	// HasData is true once a refresh of the space has succeeded.
	HasData bool
	// Up is true if the last refresh of the space succeeded.
	Up bool
	// LastSuccess and LastAttempt are when the last successful and the last
	// refresh of the space finished.
	LastSuccess, LastAttempt time.Time
	// LastDuration is how long the last refresh of the space took.
	LastDuration time.Duration
	// Pages is how many pages the last refresh of the space fetched.
	Pages int
	// LastError describes the last failure; nil after a success.
	LastError *ErrorInfo
	// Added and Removed count flows that appeared or disappeared between
	// successful refreshes since the exporter started.
	Added, Removed uint64
	// Statuses is what GetFlow said of the flows of FlowIDs, with
	// --collector.flow-status; nil while none was checked. A listing keeps
	// the statuses of the flows it finds again.
	Statuses *FlowStatuses
}

// ErrorInfo is what a user needs of a failure: no secrets, ever.
type ErrorInfo struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
	Recommend string `json:"recommend,omitempty"`
	Class     string `json:"class"`
}

// NewErrorInfo summarises err. Texts are cut to client.MaxTextBytes, as
// the client cuts its own errors.
func NewErrorInfo(err error) *ErrorInfo {
	info := &ErrorInfo{Code: client.Cut(client.CodeOf(err), client.MaxTextBytes), Message: client.Cut(err.Error(), client.MaxTextBytes), Class: client.ClassOf(err).String()}
	var e *client.Error
	if errors.As(err, &e) {
		info.Message = e.Message
		info.RequestID = e.RequestID
		info.Recommend = e.Recommend
	}
	return info
}

// SpaceCounts counts the watched spaces by state; they sum to the number
// watched.
type SpaceCounts struct {
	Pending int // no state yet: never attempted, nothing restored
	Up      int // the last attempt succeeded
	Down    int // the last attempt failed
}

// WithSpaces returns a copy of s whose spaces are the states of spaces
// (nil states are left out). It is for snapshots made outside a refresher:
// tests, benchmarks, tools.
func (s Snapshot) WithSpaces(spaces map[string]*SpaceState) *Snapshot {
	b := newTableBuilder(spaceTable{})
	for id, st := range spaces {
		if st != nil {
			b.put(id, st)
		}
	}
	s.spaces = b.freeze()
	return &s
}

// WithTables returns a copy of s whose spaces are those of spaces and whose
// retained states are those of retained: how the refresher publishes the
// tables it keeps.
func (s Snapshot) WithTables(spaces, retained SpaceTable) *Snapshot {
	s.spaces, s.retained = spaces.t, retained.t
	return &s
}

// WithChanged returns a copy of s whose spaces are s's with changed
// applied: each the new state of a space, nil if the space leaves. The copy
// shares with s everything else, as the refresher's snapshots do, so that
// it costs what changed and Changes between the two finds what changed at
// that cost.
func (s Snapshot) WithChanged(changed map[string]*SpaceState) *Snapshot {
	b := newTableBuilder(s.spaces)
	for id, st := range changed {
		if st != nil {
			b.put(id, st)
		} else {
			b.remove(id)
		}
	}
	s.spaces = b.freeze()
	return &s
}

// Space returns the state of the space id, or nil if the snapshot has none
// (a space not watched, or pending).
func (s *Snapshot) Space(id string) *SpaceState { return s.spaces.get(id) }

// Len returns the number of spaces with a state.
func (s *Snapshot) Len() int { return s.spaces.len }

// All yields the spaces with a state and their states, in no particular
// order.
func (s *Snapshot) All() iter.Seq2[string, *SpaceState] { return s.spaces.all() }

// Retained yields the states the refresher keeps of spaces it does not
// watch, in no particular order: spaces restored from the cache that the
// list may still name (it is not complete: discovery has not answered),
// and spaces gone from the list less than refresh.Config.ForgetAfter ago.
// They are not the snapshot's spaces: not in All, Len or Counts, never
// exported. The cache saves them, so that a restart keeps them too.
func (s *Snapshot) Retained() iter.Seq2[string, *SpaceState] { return s.retained.all() }

// Kept yields every state the refresher keeps: All, then Retained; no
// space twice.
func (s *Snapshot) Kept() iter.Seq2[string, *SpaceState] {
	return func(yield func(string, *SpaceState) bool) {
		for id, st := range s.All() {
			if !yield(id, st) {
				return
			}
		}
		for id, st := range s.Retained() {
			if !yield(id, st) {
				return
			}
		}
	}
}

// Changes yields the spaces whose state differs between since and s, each
// with its state in s, or nil if s has none (the space left). With
// snapshots that share their spaces (one refresher's, or made by
// WithChanged) it costs what changed between them, not the number of
// spaces; otherwise it reads both. A nil since is a snapshot without
// spaces.
func (s *Snapshot) Changes(since *Snapshot) iter.Seq2[string, *SpaceState] {
	var from spaceTable
	if since != nil {
		from = since.spaces
	}
	return s.spaces.changes(from)
}

// KeptChanges yields the spaces whose kept state (see Kept: watched, or
// retained) differs between since and s, each with its state in s, or nil
// if s keeps none (the space was forgotten, or left and is not retained).
// A space that moves between the watched and the retained with the same
// state is no change. It costs what changed, as Changes does; a nil since
// keeps nothing.
func (s *Snapshot) KeptChanges(since *Snapshot) iter.Seq2[string, *SpaceState] {
	var from Snapshot
	if since != nil {
		from = *since
	}
	return func(yield func(string, *SpaceState) bool) {
		for id, st := range s.spaces.changes(from.spaces) {
			if st == nil {
				st = s.retained.get(id)
			}
			if st != from.kept(id) && !yield(id, st) {
				return
			}
		}
		for id, st := range s.retained.changes(from.retained) {
			// A space watched on either side changed (or not) with the
			// watched ones, above.
			if s.spaces.get(id) == nil && from.spaces.get(id) == nil && !yield(id, st) {
				return
			}
		}
	}
}

// kept returns the state kept of the space id, watched or retained; nil
// for none.
func (s *Snapshot) kept(id string) *SpaceState {
	if st := s.spaces.get(id); st != nil {
		return st
	}
	return s.retained.get(id)
}

// Counts counts the snapshot's spaces by state; it costs nothing (the
// counts are kept as the snapshot is made).
func (s *Snapshot) Counts() SpaceCounts {
	return SpaceCounts{Pending: s.Pending, Up: s.spaces.up, Down: s.spaces.len - s.spaces.up}
}

// WithoutData counts the spaces with a state but no data: listed in this
// run and never successfully, nothing restored. It costs nothing.
func (s *Snapshot) WithoutData() int { return s.spaces.noData }

// Up reports whether at least one space has been attempted and every space
// attempted succeeded its last attempt; pending spaces do not count. With no
// space attempted it is false, since nothing is known to work.
func (s *Snapshot) Up() bool {
	c := s.Counts()
	return c.Up > 0 && c.Down == 0
}

// SpaceIDs returns the ids of the snapshot's spaces, sorted.
func (s *Snapshot) SpaceIDs() []string {
	ids := make([]string, 0, s.Len())
	for id := range s.All() {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
