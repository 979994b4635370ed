// Package health serves the exporter's own health: /healthz (the process
// serves), /readyz (the exporter has data to stand behind and makes
// progress) and /status (what each space's last refresh found, as JSON).
package health

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Checker judges a snapshot.
type Checker struct {
	Snapshot func() *snapshot.Snapshot
	// MaxStaleness is how long the refresher may go without a successful
	// ListFlow call while spaces are due before the exporter is not ready,
	// and the age beyond which /status marks a space's data stale. 0 means
	// 3 RefreshIntervals for the first (progressLimit), and 3 times the
	// longer of RefreshInterval and the snapshot's expected pass for the
	// second (staleness).
	MaxStaleness    time.Duration
	RefreshInterval time.Duration
	// Started is when the exporter started: the refresher's progress counts
	// from then until its first successful call.
	Started time.Time
	// LimiterRate and LimiterMaxRate describe the account limiter.
	LimiterRate    func() float64
	LimiterMaxRate float64
	// FlowStatus describes the flow-status checks; nil without them.
	FlowStatus *FlowStatusConfig
	// SourceLimiters describes the limiter of each source of the engine,
	// by collector name; /status shows none of a source without one.
	SourceLimiters map[string]SourceLimiter
	Now            func() time.Time
}

func (c Checker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Ready reports whether the exporter serves data it can stand behind, and
// why not, from the current snapshot.
func (c Checker) Ready() (bool, string) {
	return c.ready(c.Snapshot(), c.now())
}

// ready judges snap at now, for reasons of the whole exporter only: there
// are spaces to watch, some have data (listed in this run, or restored from
// the cache), not every space attempted failed its last attempt, and the
// refresher makes progress (progressLost). A failing or stale space, or any
// number of them while others are listed, never makes it unready: its state
// is in its own metrics and /status. Spaces still pending (the first pass
// under way) do not hold it back: a large account is ready within seconds of
// its first listing. It reads only what the snapshot keeps counted, never
// its spaces.
func (c Checker) ready(snap *snapshot.Snapshot, now time.Time) (bool, string) {
	counts := snap.Counts()
	if counts.Pending+counts.Up+counts.Down == 0 {
		return false, "no space to watch: the spaces file lists none, or discovery has found none yet"
	}
	withData := counts.Up + counts.Down - snap.WithoutData()
	switch {
	case counts.Up == 0 && counts.Down > 0:
		return false, fmt.Sprintf("every space refreshed so far (%d) failed its last refresh; %d pending", counts.Down, counts.Pending)
	case withData == 0:
		return false, fmt.Sprintf("no data yet: the first listing has not ended (%d space(s) pending)", counts.Pending)
	}
	if why := c.progressLost(snap, now); why != "" {
		return false, why
	}
	return true, fmt.Sprintf("ready: %d space(s): %d up, %d failing their last refresh, %d pending", counts.Pending+counts.Up+counts.Down, counts.Up, counts.Down, counts.Pending)
}

// progressLost says why the refresher makes no progress, or "" while it
// does: no ListFlow call has succeeded for longer than the limit, counted
// from the last that did, or the exporter's start, or the end of the
// refresher's idle time (nothing was due until then), whichever is latest.
func (c Checker) progressLost(snap *snapshot.Snapshot, now time.Time) string {
	limit := c.progressLimit(snap)
	since := latest(c.Started, snap.LastListCall, snap.IdleUntil)
	if now.Sub(since) <= limit {
		return ""
	}
	last := "none since the exporter started"
	if !snap.LastListCall.IsZero() {
		last = snap.LastListCall.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("no progress: no ListFlow call has succeeded for %s while spaces were due (last success: %s), longer than --health.max-staleness (%s)",
		now.Sub(since).Round(time.Second), last, limit)
}

// progressLimit is how long the refresher may go without a successful call
// while spaces are due: MaxStaleness, or three refresh intervals. Not
// three passes: a large account calls without a pause, and a pass of
// 200,000 spaces takes 14 hours, far too long to notice that none
// succeeds.
func (c Checker) progressLimit(snap *snapshot.Snapshot) time.Duration {
	if c.MaxStaleness > 0 || c.RefreshInterval <= 0 {
		return c.staleness(snap)
	}
	return 3 * c.RefreshInterval
}

// staleness is the age beyond which /status marks data stale: MaxStaleness,
// or three times the longer of the interval and the expected pass, since a
// space's data cannot be fresher than a pass allows.
func (c Checker) staleness(snap *snapshot.Snapshot) time.Duration {
	if c.MaxStaleness > 0 {
		return c.MaxStaleness
	}
	return 3 * max(c.RefreshInterval, snap.ExpectedPassDuration)
}

func latest(times ...time.Time) time.Time {
	var last time.Time
	for _, t := range times {
		if t.After(last) {
			last = t
		}
	}
	return last
}

// Healthz answers 200 while the process serves.
func Healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "OK")
}

// Readyz answers 200 when Ready, 503 otherwise; the body says why.
func (c Checker) Readyz(w http.ResponseWriter, _ *http.Request) {
	ok, why := c.Ready()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	fmt.Fprintln(w, why)
}

// Status is /status's body. Spaces lists the spaces with a state; pending
// ones are only counted, but for those a source of the engine has a part
// of (PendingSpaces). A summary (?summary) has neither; ?space= keeps the
// spaces named.
type Status struct {
	Ready               bool          `json:"ready"`
	Reason              string        `json:"reason"`
	SpacesByState       StateCounts   `json:"spaces_by_state"`
	MaxStaleness        float64       `json:"max_staleness_seconds"`
	ExpectedPass        float64       `json:"expected_pass_seconds"`
	Refreshes           uint64        `json:"refreshes"`
	RefreshFailures     uint64        `json:"refresh_failures"`
	LastRefresh         *time.Time    `json:"last_refresh,omitempty"`
	LastRefreshDuration float64       `json:"last_refresh_duration_seconds"`
	Limiter             LimiterStatus `json:"limiter"`
	// FlowStatus sums up the flow-status checks (--collector.flow-status).
	FlowStatus *FlowStatusSummary `json:"flow_status,omitempty"`
	// Collectors sums up each source of the engine that is on, in the
	// order they were wired.
	Collectors []CollectorStatus `json:"collectors,omitempty"`
	// Spaces is nil in a summary, and then left out.
	Spaces []SpaceStatus `json:"spaces,omitzero"`
	// PendingSpaces are the spaces not listed yet (pending) that a source
	// has a part of already: their parts.
	PendingSpaces []PendingSpaceStatus `json:"pending_spaces,omitempty"`
}

// StateCounts counts the watched spaces by state, as cams_spaces does.
type StateCounts struct {
	Pending int `json:"pending"`
	Up      int `json:"up"`
	Down    int `json:"down"`
}

// LimiterStatus is the account limiter's state.
type LimiterStatus struct {
	Rate    float64 `json:"rate_per_second"`
	MaxRate float64 `json:"max_rate_per_second"`
}

// SpaceStatus is one space's state. A space with data has its flow count,
// its counts per category (every documented category, 0 when none, as
// /metrics has them) and the age of its data in seconds; a failing one its
// last error, with the cause and the remedy people are shown.
type SpaceStatus struct {
	Space       string              `json:"space"`
	Up          bool                `json:"up"`
	Flows       *int                `json:"flows,omitempty"`
	ByCategory  map[string]int      `json:"flows_by_category,omitempty"`
	LastSuccess *time.Time          `json:"last_success,omitempty"`
	AgeSeconds  *float64            `json:"age_seconds,omitempty"`
	LastAttempt *time.Time          `json:"last_attempt,omitempty"`
	LastError   *snapshot.ErrorInfo `json:"last_error,omitempty"`
	Cause       string              `json:"cause,omitempty"`
	Remedy      string              `json:"remedy,omitempty"`
	// FlowStatus is what GetFlow said of the space's flows, with data and
	// --collector.flow-status.
	FlowStatus *SpaceFlowStatus `json:"flow_status,omitempty"`
	// Collectors holds the space's part of each source that has one, by
	// collector name.
	Collectors map[string]*CollectorPart `json:"collectors,omitempty"`
}

// Status builds the status of the current snapshot.
func (c Checker) Status() Status { return c.status(statusQuery{}) }

// status builds the status of the current snapshot as q asks for it.
func (c Checker) status(q statusQuery) Status {
	snap, now := c.Snapshot(), c.now()
	st := c.statusHead(snap, now, q)
	spaces, pending := selectedSpaces(snap, q)
	for _, sp := range spaces {
		st.Spaces = append(st.Spaces, c.spaceStatus(snap, sp, now))
	}
	for _, id := range pending {
		st.PendingSpaces = append(st.PendingSpaces, PendingSpaceStatus{Space: id, Collectors: spaceCollectors(snap, id, now)})
	}
	return st
}

// statusHead is the status of snap at now without its spaces: with an
// empty list of them, but in a summary, which has none.
func (c Checker) statusHead(snap *snapshot.Snapshot, now time.Time, q statusQuery) Status {
	ready, why := c.ready(snap, now)
	counts := snap.Counts()
	st := Status{Ready: ready, Reason: why, SpacesByState: StateCounts(counts),
		MaxStaleness: c.staleness(snap).Seconds(), ExpectedPass: snap.ExpectedPassDuration.Seconds(),
		Refreshes: snap.Refreshes, RefreshFailures: snap.RefreshFailures,
		LastRefreshDuration: snap.LastRefreshDuration.Seconds()}
	if !q.summary {
		st.Spaces = []SpaceStatus{}
	}
	if !snap.LastRefreshEnd.IsZero() {
		st.LastRefresh = &snap.LastRefreshEnd
	}
	if c.LimiterRate != nil {
		st.Limiter = LimiterStatus{Rate: c.LimiterRate(), MaxRate: c.LimiterMaxRate}
	}
	if c.FlowStatus != nil {
		st.FlowStatus = c.FlowStatus.summary(snap)
	}
	st.Collectors = c.collectorStatuses(snap)
	return st
}

// spaceStatus is a space's entry, with its flow statuses when they are
// checked and its parts of snap's sources.
func (c Checker) spaceStatus(snap *snapshot.Snapshot, sp *snapshot.SpaceState, now time.Time) SpaceStatus {
	ss := spaceStatus(sp, now)
	if c.FlowStatus != nil && sp.HasData {
		ss.FlowStatus = spaceFlowStatus(sp)
	}
	ss.Collectors = spaceCollectors(snap, sp.ID, now)
	return ss
}

// selectedSpaces returns the spaces of snap q asks for: the states of
// those listed, in the order of their ids, and the ids of those pending
// that a source has a part of (see pendingSpaces), sorted. A space named
// that snap has neither of is left out.
func selectedSpaces(snap *snapshot.Snapshot, q statusQuery) ([]*snapshot.SpaceState, []string) {
	switch {
	case q.summary:
		return nil, nil
	case !q.named:
		return sortedSpaces(snap), pendingSpaces(snap)
	}
	var spaces []*snapshot.SpaceState
	var pending []string
	for _, id := range q.spaces {
		if st := snap.Space(id); st != nil {
			spaces = append(spaces, st)
		} else if isPending(snap, id) {
			pending = append(pending, id)
		}
	}
	return spaces, pending
}

// sortedSpaces returns the states of snap's spaces in the order of their
// ids.
func sortedSpaces(snap *snapshot.Snapshot) []*snapshot.SpaceState {
	type entry struct {
		id string
		st *snapshot.SpaceState
	}
	entries := make([]entry, 0, snap.Len())
	for id, st := range snap.All() {
		entries = append(entries, entry{id, st})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.id, b.id) })
	out := make([]*snapshot.SpaceState, len(entries))
	for i, e := range entries {
		out[i] = e.st
	}
	return out
}

// StatusHandler serves Status as JSON, or as an HTML page to a browser
// (see PrefersHTML and StatusPage). The JSON is every space's, those named
// by ?space= (at most MaxStatusSpaces), or none (?summary); a query it
// cannot read is answered 400 with one line saying why.
func (c Checker) StatusHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept")
	if PrefersHTML(r) {
		c.StatusPage(w, r)
		return
	}
	q, err := parseStatusQuery(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriterSize(w, 64<<10)
	if c.writeStatus(bw, q) == nil {
		bw.Flush()
	}
}

// writeStatus writes Status as q asks for it, as json.Encoder with an
// indent of two spaces writes it, a space at a time: the JSON of 200,000
// spaces is about 95 MB (more with the sources' data), and the entries of
// that many spaces as much again, which building the whole answer first
// would hold at once.
func (c Checker) writeStatus(w io.Writer, q statusQuery) error {
	snap, now := c.Snapshot(), c.now()
	head, err := json.MarshalIndent(c.statusHead(snap, now, q), "", "  ")
	if err != nil {
		return err
	}
	spaces, pending := selectedSpaces(snap, q)
	if len(spaces) == 0 && len(pending) == 0 {
		_, err := w.Write(append(head, '\n'))
		return err
	}
	const empty = "[]\n}"
	if _, err := w.Write(head[:len(head)-len(empty)]); err != nil {
		return err
	}
	if err := writeList(w, len(spaces), func(i int) any { return c.spaceStatus(snap, spaces[i], now) }); err != nil {
		return err
	}
	if len(pending) > 0 {
		if _, err := io.WriteString(w, ",\n  \"pending_spaces\": "); err != nil {
			return err
		}
		err := writeList(w, len(pending), func(i int) any {
			return PendingSpaceStatus{Space: pending[i], Collectors: spaceCollectors(snap, pending[i], now)}
		})
		if err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, "\n}\n")
	return err
}

// writeList writes a list of n entries, entry(i) each, as the value of a
// field of Status, a entry at a time.
func writeList(w io.Writer, n int, entry func(i int) any) error {
	if n == 0 {
		_, err := io.WriteString(w, "[]")
		return err
	}
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	for i := range n {
		b, err := json.MarshalIndent(entry(i), "    ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n    "
		if i == 0 {
			sep = "\n    "
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\n  ]")
	return err
}
