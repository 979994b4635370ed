package refresh

import (
	"errors"
	"sort"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
)

// Snapshot is everything the exporter knows, as of the last listings that
// ended. It is immutable once published: the refresher builds a new one and
// swaps it in, so a scrape never sees half a listing.
type Snapshot struct {
	// Spaces by CustSpaceId ("" is the account's own space): every watched
	// space that has a state, i.e. was listed in this run (successfully or
	// not) or restored from the cache.
	Spaces map[string]*SpaceState
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
	// others across all spaces, and OtherCategory.
	Count      int
	ByCategory map[string]int
	FlowIDs    []string
	// Flows is the full list, kept only when flow info is exported.
	Flows []client.Flow
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

// Counts counts the snapshot's spaces by state.
func (s *Snapshot) Counts() SpaceCounts {
	c := SpaceCounts{Pending: s.Pending}
	for _, sp := range s.Spaces {
		if sp.Up {
			c.Up++
		} else {
			c.Down++
		}
	}
	return c
}

// Up reports whether at least one space has been attempted and every space
// attempted succeeded its last attempt; pending spaces do not count. With no
// space attempted it is false, since nothing is known to work.
func (s *Snapshot) Up() bool {
	c := s.Counts()
	return c.Up > 0 && c.Down == 0
}

// SpaceIDs returns the ids of the snapshot's spaces, sorted.
func (s *Snapshot) SpaceIDs() []string {
	ids := make([]string, 0, len(s.Spaces))
	for id := range s.Spaces {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
