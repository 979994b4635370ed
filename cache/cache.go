// Package cache persists the exporter's snapshot to a file, so that a
// restart serves the last data at once, with its original timestamps, and
// does not list every space again in a storm of API calls.
package cache

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/safefile"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// formatVersion changes whenever the file's layout does. Load reads the
// versions it can migrate (see migrate) and refuses the others; a release
// that knows only an older version refuses a newer file, and lists every
// space afresh.
//
//   - 1: spaces, their flows and their last listing.
//   - 2: also each space's flow statuses (flow_status), with
//     --collector.flow-status. A version 1 file reads as version 2 without
//     statuses: every flow's status is not known and checked first.
//   - 3: also the file's write id (write_id), which the journal beside it
//     names (journal.go). A file of version 1 or 2 reads as one without a
//     write id: it has no journal, and the first write writes it whole.
//   - 4: also the parts of the engine's sources (sources, parts.go), and
//     their changes in the journal. A file of version 1 to 3 reads as one
//     without parts: each source calls for every space; the first write
//     writes it whole, so that a journal of parts extends only a file of
//     version 4. Later, a part may say it is retained for a removed
//     space's grace, and since when (retained_since): still version 4, as
//     a release that does not know the key reads such a part as a watched
//     one, which its runner retains (from its first look) as it does the
//     part of any space no longer listed. Nothing is misread, so nothing
//     is refused.
const formatVersion = 4

// oldestFormatVersion is the oldest version Load migrates.
const oldestFormatVersion = 1

// Meta says what the cached data was listed with. A cache listed with other
// settings would serve wrong data, so Load refuses it.
type Meta struct {
	Endpoint string `json:"endpoint"`
	FlowName string `json:"flow_name"`
	FlowInfo bool   `json:"flow_info"`
}

// file is the cache file's layout, as encoding/json reads and writes it:
// Save writes these very bytes by hand (encode.go), and decode reads them a
// space at a time (decode.go).
type file struct {
	Version int                    `json:"version"`
	Meta    Meta                   `json:"meta"`
	SavedAt time.Time              `json:"saved_at"`
	WriteID string                 `json:"write_id"`
	Spaces  []space                `json:"spaces"`
	Sources map[string]sourceParts `json:"sources,omitempty"`
}

type space struct {
	ID          string              `json:"id"`
	HasData     bool                `json:"has_data"`
	Up          bool                `json:"up"`
	Count       int                 `json:"count"`
	ByCategory  map[string]int      `json:"by_category,omitempty"`
	FlowIDs     []string            `json:"flow_ids,omitempty"`
	Flows       []client.Flow       `json:"flows,omitempty"`
	LastSuccess time.Time           `json:"last_success"`
	LastAttempt time.Time           `json:"last_attempt"`
	LastError   *snapshot.ErrorInfo `json:"last_error,omitempty"`
	FlowStatus  *flowStatus         `json:"flow_status,omitempty"`
}

// flowStatus is a space's snapshot.FlowStatuses: one entry a flow, in the
// order of the space's flow_ids.
type flowStatus struct {
	Statuses  []string            `json:"statuses"` // "" for not known
	Checked   []int64             `json:"checked"`  // Unix seconds of the last check; 0 for never
	LastError *snapshot.ErrorInfo `json:"last_error,omitempty"`
}

// Save writes the snapshot's spaces, and the states it retains of spaces not
// watched (snapshot.Snapshot.Kept), to path atomically: a temporary file in
// the same directory, fsync, rename, fsync of the directory. A crash leaves
// either the old file or the new one, never half of one. The file is
// written as it is encoded, a space at a time (see appendSpace); one that
// would exceed MaxFileBytes is not written. The file has a new write id,
// and the journal of the file it replaces is removed (see Writer).
func Save(path string, meta Meta, snap *snapshot.Snapshot, now time.Time) error {
	if _, err := saveBase(context.Background(), path, meta, snap, now); err != nil {
		return err
	}
	_, err := removeJournal(path)
	return err
}

// base is what a write of the whole file wrote: its write id, which names
// it in its journal, and its size.
type base struct {
	id    string
	bytes int64
}

// saveBase writes the snapshot whole (see Save), abandoned when ctx ends
// (see writeAtomic), and returns what it wrote. The journal, which extends
// the file replaced, is to be removed after: a kill between the two leaves
// a journal that names another write, which Read ignores.
func saveBase(ctx context.Context, path string, meta Meta, snap *snapshot.Snapshot, now time.Time) (base, error) {
	b := base{id: newWriteID()}
	head, err := json.Marshal(struct {
		Version int       `json:"version"`
		Meta    Meta      `json:"meta"`
		SavedAt time.Time `json:"saved_at"`
		WriteID string    `json:"write_id"`
	}{formatVersion, meta, now.UTC(), b.id})
	if err != nil {
		return base{}, err
	}
	err = writeAtomic(ctx, path, func(w io.Writer) error {
		counted := &boundedWriter{w: w, left: maxWriteBytes}
		bw := bufio.NewWriterSize(counted, 256<<10)
		bw.Write(head[:len(head)-1]) // without its closing brace
		bw.WriteString(`,"spaces":`)
		var entry []byte
		n := 0
		for id, st := range snap.Kept() {
			if !worthKeeping(st) {
				continue
			}
			sep := byte(',')
			if n == 0 {
				sep = '['
			}
			if entry, err = appendSpace(append(entry[:0], sep), id, st); err != nil {
				return fmt.Errorf("space %q: %w", id, err)
			}
			bw.Write(entry)
			n++
		}
		if n == 0 {
			bw.WriteString("null") // as encoding/json writes a nil slice
		} else {
			bw.WriteByte(']')
		}
		if err := writeSources(bw, snap, entry); err != nil {
			return err
		}
		bw.WriteByte('}')
		err := bw.Flush()
		b.bytes = maxWriteBytes - counted.left
		return err
	})
	if err != nil {
		return base{}, err
	}
	return b, nil
}

// writeSources writes the parts of snap's sources to bw, a part at a time
// (in entry's memory), as encoding/json writes a file's sources: a source
// without a part to keep left out, the key left out without any.
func writeSources(bw *bufio.Writer, snap *snapshot.Snapshot, entry []byte) error {
	enc := newPartEncoder()
	opened := false
	for _, st := range sortedSources(snap) {
		n := 0
		for space, k := range st.Kept() {
			if !partWorthKeeping(k.Part) {
				continue
			}
			entry = entry[:0]
			if n > 0 {
				entry = append(entry, ',')
			} else {
				entry = appendSourceHead(entry, st.Name, opened)
				opened = true
			}
			var err error
			if entry, err = enc.appendPart(entry, space, k); err != nil {
				return fmt.Errorf("collector %q, space %q: %w", st.Name, space, err)
			}
			bw.Write(entry)
			n++
		}
		if n > 0 {
			bw.WriteString("]}")
		}
	}
	if opened {
		bw.WriteByte('}')
	}
	return nil
}

// appendSourceHead appends what comes before the first part of the source
// name in the file: the sources' key unless opened, the source's key.
func appendSourceHead(b []byte, name string, opened bool) []byte {
	if opened {
		b = append(b, ',')
	} else {
		b = append(b, `,"sources":{`...)
	}
	b = appendString(b, name)
	return append(b, `:{"parts":[`...)
}

// worthKeeping reports whether the state of a space is saved: not one
// never listed.
func worthKeeping(st *snapshot.SpaceState) bool { return !st.LastAttempt.IsZero() }

// newWriteID returns a write id: 16 random hexadecimal digits, so that two
// writes of a file never share one.
func newWriteID() string {
	return fmt.Sprintf("%016x", rand.Uint64())
}

// maxWriteBytes is MaxFileBytes; tests lower it.
var maxWriteBytes int64 = MaxFileBytes

// boundedWriter fails a write that would take it past left bytes.
type boundedWriter struct {
	w    io.Writer
	left int64
}

func (b *boundedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > b.left {
		return 0, fmt.Errorf("the snapshot takes more than the %d bytes a restore reads; not written", maxWriteBytes)
	}
	b.left -= int64(len(p))
	return b.w.Write(p)
}

// ErrMismatch is returned for a cache written with other settings.
var ErrMismatch = errors.New("the cache file was written with other settings")

// Load reads the states saved in path, as Read does.
func Load(path string, meta Meta) (map[string]*snapshot.SpaceState, error) {
	c, err := Read(path, meta)
	if c == nil {
		return nil, err
	}
	return c.States, err
}

// Contents is what Read restored of a cache file.
type Contents struct {
	// States are the states saved: the file's, with its journal's writes
	// applied.
	States map[string]*snapshot.SpaceState
	// Parts are the parts saved of each source that has a codec, by the
	// source's name then by space, the journal's writes applied: for its
	// runner's Restore (engine.Runner.Restore). Give them, then set Parts
	// to nil, so that they are not held twice.
	Parts map[string]map[string]*snapshot.SpacePart
	// Retained are the parts saved of spaces no longer watched, each with
	// since when, as Parts are: for its runner's RestoreRetained (after
	// Restore), so that their grace goes on from when their spaces left.
	// No space has both a part and a retained part.
	Retained map[string]map[string]*snapshot.KeptPart
	// Dropped names the sources whose parts were left out, with how many
	// (entries of the file and its journal) and why: the source has no
	// codec (its collector is off), or a part's data does not decode (a
	// warning). Each is one line to log. The parts left out are not
	// written again: the first write after such a restore writes the whole
	// file.
	Dropped []*DroppedParts
	// Journal says why the journal beside the file was not applied, or only
	// in part: its last write cut short (a kill or a power loss during it),
	// a journal of another write of the file (a kill between a write of the
	// whole file and the journal's removal), or one left out whole
	// (corrupt, unreadable, not a regular file), which wraps
	// ErrJournalIgnored. Nil when it was applied whole, or there was none.
	// The states are those of the file and the writes applied: an older
	// snapshot, whole.
	Journal error

	base    base        // the file's write id ("" for none) and size
	journal journalRead // what the writer does with the journal
	// rewrite is true when the file is to be written whole before anything
	// is appended to its journal: parts were left out, or it is of an
	// older version.
	rewrite bool
}

// Read reads the states saved in path and in its journal, as ReadWith
// does without any codec: the parts of sources are left out.
func Read(path string, meta Meta) (*Contents, error) {
	return ReadWith(path, meta, nil)
}

// ReadWith reads the states and the sources' parts saved in path and in its
// journal, the parts' data decoded by codecs. A missing file is no error
// (nothing to restore: nil Contents); a file that is not a regular file or
// is larger than MaxFileBytes, a corrupt file, another format version or
// other settings is, and nothing of it is restored. Texts are cut to the
// client's bounds, and spaces with an id longer than a space id can be are
// left out. The parts of a source without a codec, and those whose data
// its codec refuses, are left out alone (Contents.Dropped). The file is
// read a space and a part at a time (see decode), its journal a write at a
// time, first (see readJournal): the states and parts the journal replaces
// are never held twice.
func ReadWith(path string, meta Meta, codecs Codecs) (*Contents, error) {
	f, info, err := safefile.Open(path, MaxFileBytes)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cache file: %w", err)
	}
	defer f.Close()
	d := newDecoder(path, meta)
	d.codecs = codecs
	j := d.readJournal(path + JournalSuffix)
	r := &errorReader{r: f}
	states, err := d.decode(r, j)
	if r.err != nil {
		return nil, fmt.Errorf("cache file: %w", r.err) // not the file's content: reading it failed
	}
	if err != nil {
		return nil, err
	}
	retained := d.since.split(d.parts)
	c := &Contents{States: states, Parts: d.parts, Retained: retained, Dropped: d.dropped.list(), Journal: j.outcome(d.baseID), base: base{id: d.baseID, bytes: info.Size()}}
	c.journal = j.read
	c.rewrite = len(c.Dropped) > 0 || d.version < formatVersion
	return c, nil
}

// errorReader remembers the error of a read that failed.
type errorReader struct {
	r   io.Reader
	err error
}

func (e *errorReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// statuses returns the space's flow statuses; none without them.
func (sp space) statuses() (*snapshot.FlowStatuses, error) {
	fs := sp.FlowStatus
	if fs == nil {
		return nil, nil
	}
	if len(fs.Statuses) != len(sp.FlowIDs) {
		return nil, fmt.Errorf("%d statuses for %d flows", len(fs.Statuses), len(sp.FlowIDs))
	}
	return snapshot.NewFlowStatuses(fs.Statuses, fs.Checked, fs.LastError)
}
