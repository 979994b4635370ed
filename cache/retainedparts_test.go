package cache

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// retainFirst returns snap with the parts of spaces cams-00000 to
// cams-<n-1> of every source retained, as a runner retains them when those
// spaces leave the list: known gone since since, but every fourth not
// known gone (the list was not complete), whose since is zero.
func retainFirst(snap *snapshot.Snapshot, n int, since time.Time) *snapshot.Snapshot {
	states := slices.Clone(snap.Sources())
	for i, st := range states {
		changed, retained := map[string]*snapshot.SpacePart{}, map[string]*snapshot.KeptPart{}
		for k := range n {
			space := fmt.Sprintf("cams-%05d", k)
			if p := st.Part(space); p != nil {
				changed[space], retained[space] = nil, &snapshot.KeptPart{Part: p, RetainedSince: since.Add(time.Duration(k) * time.Second)}
				if k%4 == 3 {
					retained[space].RetainedSince = time.Time{}
				}
			}
		}
		states[i] = st.WithParts(changed).WithRetained(retained)
	}
	return snap.WithSources(states)
}

// keptOf returns what snap's sources keep, watched and retained, by source
// then space.
func keptOf(snap *snapshot.Snapshot) map[string]map[string]snapshot.KeptPart {
	out := map[string]map[string]snapshot.KeptPart{}
	for _, st := range snap.Sources() {
		out[st.Name] = map[string]snapshot.KeptPart{}
		for space, k := range st.Kept() {
			out[st.Name][space] = k
		}
	}
	return out
}

// keptRead returns what c restored, as keptOf does.
func keptRead(c *Contents) map[string]map[string]snapshot.KeptPart {
	out := map[string]map[string]snapshot.KeptPart{}
	for name, byspace := range c.Parts {
		out[name] = map[string]snapshot.KeptPart{}
		for space, p := range byspace {
			out[name][space] = snapshot.KeptPart{Part: p}
		}
	}
	for name, byspace := range c.Retained {
		if out[name] == nil {
			out[name] = map[string]snapshot.KeptPart{}
		}
		for space, k := range byspace {
			if _, twice := out[name][space]; twice {
				out[name][space] = snapshot.KeptPart{} // never equal to a part kept
				continue
			}
			out[name][space] = *k
		}
	}
	return out
}

// sameKept fails the test unless got holds every part of want, equal, and
// retained since the same time (zero: watched), and nothing else.
func sameKept(t *testing.T, what string, got, want map[string]map[string]snapshot.KeptPart) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(want)) {
		byspace := want[name]
		if len(got[name]) != len(byspace) {
			t.Errorf("%s: %s: %d parts kept, want %d", what, name, len(got[name]), len(byspace))
		}
		bad := 0
		for space, k := range byspace {
			g, ok := got[name][space]
			if ok && g.Part != nil && reflect.DeepEqual(*g.Part, *k.Part) && g.RetainedSince.Equal(k.RetainedSince) {
				continue
			}
			if bad++; bad <= 3 {
				t.Errorf("%s: %s, space %s: restored %+v (retained since %v), want %+v (since %v)", what, name, space, g.Part, g.RetainedSince, k.Part, k.RetainedSince)
			}
		}
		if bad > 3 {
			t.Errorf("%s: %s: %d parts differ", what, name, bad)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok && len(got[name]) > 0 {
			t.Errorf("%s: %d parts of %s, want none", what, len(got[name]), name)
		}
	}
}

// A source's parts retained for their spaces' grace are saved with the
// others, each with since when its space is known gone, and come back
// apart from the watched ones (Contents.Retained), through the file and
// through the journal: a part that left the list, one back in it, one
// forgotten, one known gone once the list is complete, each appended as
// one entry of its source. One not known gone is saved as a watched part
// (the list decides where it goes), so that its moves write nothing.
func TestRetainedPartsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	snap := retainFirst(withParts(freshSpaces(1000), 1000, 3), 100, t0.Add(-time.Hour))
	w := journalWriterOf(t, path, nil, nil)
	writeSnapshot(t, w, snap)
	c, err := ReadWith(path, meta, realCodecs(sourceNamesAll...))
	if err != nil || c.Dropped != nil || c.rewrite {
		t.Fatalf("%v, dropped %v, rewrite %v", err, c.Dropped, c.rewrite)
	}
	sameKept(t, "the file", keptRead(c), keptOf(snap))
	if n := len(c.Retained[waba.Name]); n != 75 {
		t.Errorf("%d WABA parts retained, want 75 (every fourth of the 100 not known gone: restored as watched)", n)
	}

	// A minute later: cams-00000 is back, cams-00001 forgotten, cams-00500
	// left, cams-00003 (not known gone) is known gone now; and
	// cams-00007, not known gone, comes back: no change to the file.
	at := t0.Add(time.Minute)
	states := slices.Clone(snap.Sources())
	for i, st := range states {
		states[i] = st.WithParts(map[string]*snapshot.SpacePart{
			"cams-00000": st.RetainedPart("cams-00000").Part, "cams-00007": st.RetainedPart("cams-00007").Part, "cams-00500": nil,
		}).WithRetained(map[string]*snapshot.KeptPart{
			"cams-00000": nil, "cams-00001": nil, "cams-00007": nil,
			"cams-00500": {Part: st.Part("cams-00500"), RetainedSince: at},
			"cams-00003": {Part: st.RetainedPart("cams-00003").Part, RetainedSince: at},
		})
	}
	next := snap.WithSources(states)
	writeSnapshot(t, w, next)
	if w.writes.Load() != 2 || w.wholes.Load() != 1 {
		t.Fatalf("%d writes, %d whole; want the file, then an append", w.writes.Load(), w.wholes.Load())
	}
	lines := journalLines(t, path)
	phones := next.Source(phonenumbers.Name)
	var entries []string
	for _, space := range []string{"cams-00000", "cams-00003", "cams-00500"} { // sorted, as gotEntries will be
		k := snapshot.KeptPart{Part: phones.Part(space)}
		if r := phones.RetainedPart(space); r != nil {
			k = *r
		}
		entries = append(entries, keptJSON(t, space, k))
	}
	if len(lines) != 2 {
		t.Fatalf("journal of %d lines, want its head and one write", len(lines))
	}
	var line struct {
		Sources map[string]struct {
			Parts []json.RawMessage `json:"parts"`
			Gone  []string          `json:"gone"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &line); err != nil {
		t.Fatal(err)
	}
	got := line.Sources[phonenumbers.Name]
	var gotEntries []string
	for _, p := range got.Parts {
		gotEntries = append(gotEntries, string(p))
	}
	slices.Sort(gotEntries)
	if !slices.Equal(gotEntries, entries) || !slices.Equal(got.Gone, []string{"cams-00001"}) || len(line.Sources) != 3 {
		t.Errorf("the phone numbers' write: parts\n%s\ngone %q (of %d sources); want\n%s\ngone [cams-00001]", strings.Join(gotEntries, "\n"), got.Gone, len(line.Sources), strings.Join(entries, "\n"))
	}

	c, err = ReadWith(path, meta, realCodecs(sourceNamesAll...))
	if err != nil || c.Journal != nil {
		t.Fatalf("%v, journal %v", err, c.Journal)
	}
	sameKept(t, "the file and its journal", keptRead(c), keptOf(next))
	if k := c.Retained[waba.Name]["cams-00500"]; k == nil || !k.RetainedSince.Equal(at) || c.Parts[waba.Name]["cams-00500"] != nil {
		t.Errorf("cams-00500 restored retained as %+v, and as a part %v; want retained since %v alone", k, c.Parts[waba.Name]["cams-00500"], at)
	}

	// Without its collector's codec, a source's retained parts are left
	// out and counted with its parts.
	c, err = ReadWith(path, meta, realCodecs(waba.Name, phonenumbers.Name))
	if err != nil || c.Retained["messaging-health"] != nil || c.Parts["messaging-health"] != nil {
		t.Fatalf("%v; messaging health: %d retained, %d parts; want none", err, len(c.Retained["messaging-health"]), len(c.Parts["messaging-health"]))
	}
	if len(c.Dropped) != 1 || c.Dropped[0].Parts != 1000+3 || c.Dropped[0].Err != nil {
		t.Errorf("dropped %v, want the 1,000 parts kept of messaging health in the file and the 3 of the journal", c.Dropped)
	}
}

// countingSource is a source of one call a space, every interval, whose
// data is a text; it counts its calls.
type countingSource struct {
	interval time.Duration
	mu       sync.Mutex
	calls    map[string]int
}

func (s *countingSource) Name() string      { return "counting" }
func (s *countingSource) Operation() string { return "Count" }

func (s *countingSource) Due(dst []engine.Task, space string, part *snapshot.SpacePart, _ *snapshot.Snapshot, now time.Time) ([]engine.Task, time.Time, float64) {
	return engine.DueEvery(dst, space, part, s.interval, now)
}

func (s *countingSource) Call(_ context.Context, t engine.Task) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[t.Space]++
	return "data of " + t.Space, nil
}

func (s *countingSource) Apply(_ string, prev *snapshot.SpacePart, done []engine.Done, _ *snapshot.Snapshot) *snapshot.SpacePart {
	d := engine.Last(done)
	return engine.Applied(prev, d, d.Value)
}

func (s *countingSource) Decode(raw json.RawMessage) (any, error) {
	var text string
	err := json.Unmarshal(raw, &text)
	return text, err
}

// callsOf returns how many calls the source made for ids, in all.
func (s *countingSource) callsOf(ids []string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, id := range ids {
		n += s.calls[id]
	}
	return n
}

// spaceList is the watched list of a restart test, which it changes.
type spaceList struct {
	mu  sync.Mutex
	ids []string
}

func (l *spaceList) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ids
}

func (l *spaceList) set(parts ...[]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ids = slices.Concat(parts...)
}

// exporterRun is one run of an exporter's source: a runner over the list,
// restored from the cache file as the exporter restores it, and the
// cache's writer.
type exporterRun struct {
	runner *engine.Runner
	writer *Writer
	cancel context.CancelFunc
	done   chan struct{}
}

// startRun restores the cache file at path, if any, into a new runner of
// src and runs it. Within a synctest bubble: the grace is 1h.
func startRun(t *testing.T, path string, src *countingSource, list *spaceList) *exporterRun {
	t.Helper()
	r := engine.NewRunner(engine.Config{Source: src, Pacer: client.NewLimiter(1000), Rate: 1000, Interval: src.interval, ForgetAfter: time.Hour,
		PollEvery: 30 * time.Second, Watched: engine.NewWatched(list.list, nil)})
	snap := func() *snapshot.Snapshot { return snapshot.Snapshot{}.WithSources([]*snapshot.SourceState{r.State()}) }
	w := &Writer{Path: path, Meta: meta, Snapshot: snap, Logger: log.NewNopLogger()}
	c, err := ReadWith(path, meta, Codecs{src.Name(): src.Decode})
	if err != nil || (c != nil && c.Dropped != nil) {
		t.Fatalf("restore: %v, %v", err, c)
	}
	if c != nil {
		r.Restore(c.Parts[src.Name()])
		r.RestoreRetained(c.Retained[src.Name()])
		c.Parts, c.Retained = nil, nil
		w.Restored, w.Contents = snap(), c
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &exporterRun{runner: r, writer: w, cancel: cancel, done: make(chan struct{})}
	go func() { r.Run(ctx); close(run.done) }()
	t.Cleanup(func() { cancel(); <-run.done }) // after a failure too
	return run
}

// stop stops the run and writes the cache as the exporter does at
// shutdown.
func (r *exporterRun) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	<-r.done
	if err := r.writer.Write(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// retainedSince returns since when each space's part is retained.
func retainedSince(st *snapshot.SourceState) map[string]time.Time {
	out := map[string]time.Time{}
	for space, k := range st.Retained() {
		out[space] = k.RetainedSince
	}
	return out
}

// At 10,000 spaces, 1,000 leave the list, and the exporter restarts
// within their grace, twice: each restart keeps them, retained (not
// exported) since when they left, not since the restart. 500 come back
// after the first restart and have their data at once, without a call;
// the other 500 are forgotten an hour after they left, though the last
// restart was more recent. An exporter restarted after their grace
// forgets them at its first look, and calls for one that comes back.
func TestRestartKeepsRetainedPartsForTheirGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cams.cache")
		late := filepath.Join(t.TempDir(), "cams.cache")
		ids := make([]string, 10_000)
		for i := range ids {
			ids[i] = fmt.Sprintf("cams-%05d", i)
		}
		gone, back, stay := ids[:1000], ids[:500], ids[1000:]
		list := &spaceList{}
		list.set(ids)
		src := &countingSource{interval: 6 * time.Hour}

		first := startRun(t, path, src, list)
		time.Sleep(15 * time.Second) // 10,000 calls at 1,000/s
		if n := first.runner.State().Len(); n != 10_000 || src.callsOf(ids) != 10_000 {
			t.Fatalf("%d parts after %d calls, want every space's after one call each", n, src.callsOf(ids))
		}
		before := maps.Collect(first.runner.State().All())
		left := time.Now()
		synctest.Wait() // the runner between looks: the list changes, then Wake
		list.set(stay)
		first.runner.Wake()
		time.Sleep(time.Minute)
		first.stop(t)
		st := first.runner.State()
		if st.Len() != 9000 || st.RetainedLen() != 1000 {
			t.Fatalf("%d parts, %d retained after 1,000 spaces left; want 9,000 and 1,000", st.Len(), st.RetainedLen())
		}
		if err := copyFile(path, late); err != nil {
			t.Fatal(err)
		}

		time.Sleep(20 * time.Minute) // down
		second := startRun(t, path, src, list)
		st = second.runner.State()
		want := map[string]time.Time{}
		for _, id := range gone {
			want[id] = left
		}
		if got := retainedSince(st); !maps.EqualFunc(got, want, time.Time.Equal) || st.Len() != 9000 {
			t.Fatalf("restarted: %d parts, %d retained (since %v); want 9,000, and 1,000 since they left (%v)", st.Len(), len(got), got[gone[0]], left)
		}
		time.Sleep(time.Minute)
		synctest.Wait() // the runner between looks: the list changes, then Wake
		list.set(back, stay)
		second.runner.Wake()
		time.Sleep(time.Second)
		st = second.runner.State()
		for _, id := range back {
			if p := st.Part(id); p == nil || !samePart(p, before[id]) {
				t.Fatalf("%s back within its grace after a restart: part %+v, want its part before, %+v", id, p, before[id])
			}
		}
		if n := src.callsOf(ids); n != 10_000 {
			t.Errorf("%d calls in all, want the first pass's 10,000 alone: the 500 back have fresh data", n)
		}
		second.stop(t)

		time.Sleep(10 * time.Minute) // down again
		third := startRun(t, path, src, list)
		if n := third.runner.State().RetainedLen(); n != 500 {
			t.Fatalf("%d retained after a second restart, want 500", n)
		}
		time.Sleep(left.Add(time.Hour).Sub(time.Now()) - time.Minute)
		if n := third.runner.State().RetainedLen(); n != 500 {
			t.Errorf("%d retained a minute before the grace of 1h from when they left, want 500", n)
		}
		time.Sleep(2 * time.Minute)
		if n := third.runner.State().RetainedLen(); n != 0 {
			t.Errorf("%d retained a minute after their grace from when they left (the last restart was %v ago), want none", n, 40*time.Minute)
		}
		third.stop(t)
		c, err := ReadWith(path, meta, Codecs{src.Name(): src.Decode})
		if err != nil || len(c.Retained) != 0 || len(c.Parts[src.Name()]) != 9500 {
			t.Errorf("%v: the file keeps %d retained, %d parts; want none and 9,500", err, len(c.Retained[src.Name()]), len(c.Parts[src.Name()]))
		}

		// Restarted after their grace, from the file of the first run.
		if err := copyFile(late, path); err != nil {
			t.Fatal(err)
		}
		os.Remove(path + JournalSuffix)
		afterGrace := startRun(t, path, src, list)
		time.Sleep(time.Second)
		if n := afterGrace.runner.State().RetainedLen(); n != 0 {
			t.Errorf("restarted after their grace: %d retained after the first look, want none", n)
		}
		synctest.Wait() // the runner between looks: the list changes, then Wake
		list.set(gone[999:], stay)
		afterGrace.runner.Wake()
		time.Sleep(2 * time.Second) // its call, and the apply a second after
		if p := afterGrace.runner.State().Part(gone[999]); p == nil || src.callsOf(gone[999:]) != 2 {
			t.Errorf("%s back after its grace: part %+v after %d calls; want it called afresh", gone[999], p, src.callsOf(gone[999:]))
		}
		afterGrace.stop(t)
	})
}

// samePart reports whether a and b say the same, their times as instants
// (a time read back from a file has no monotonic reading).
func samePart(a, b *snapshot.SpacePart) bool {
	return a.Up == b.Up && a.HasData == b.HasData && a.LastSuccess.Equal(b.LastSuccess) && a.LastAttempt.Equal(b.LastAttempt) &&
		reflect.DeepEqual(a.LastError, b.LastError) && a.Data == b.Data
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o600)
}
