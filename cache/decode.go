package cache

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// The cache file is read as a stream, a space at a time: decoded whole, the
// file of 200,000 spaces (67 MB) and every space decoded from it were held
// at once beside the states made of them, and a restore peaked at 330 to
// 430 MB (BENCHMARKS.md). What it accepts is what json.Unmarshal into a
// file accepted: keys matched regardless of case, unknown keys ignored, the
// last of a repeated key kept, nothing after the object.

// decoder reads a cache file, and its journal (journal.go).
type decoder struct {
	dec  *json.Decoder
	path string
	meta Meta // the exporter's
	// what the file says so far
	version    int
	fileMeta   Meta
	hasVersion bool
	hasMeta    bool
	writeID    string
	states     map[string]*snapshot.SpaceState
	// baseID is the write id the file gave before its spaces ("" if none):
	// the journal applies to the file only if it names it, and the spaces
	// are read knowing whether it does.
	baseID string
	// journal is the journal read before the file; its changes are applied
	// when it names the file's baseID.
	journal  *journal
	applying bool
	// replaced holds the spaces of the file the journal says are gone, as
	// they are met (a space twice is refused with or without a journal).
	replaced map[string]bool
	maker    stateMaker
	// codecs decode the parts of the wired sources; parts holds those
	// read, skipped (as nil) those of the file left out or replaced by the
	// journal, so that a part twice is refused as a space twice is.
	codecs  Codecs
	parts   partsTable
	skipped partsTable
	since   sinceTable // of the retained parts among parts
	dropped dropCounter
}

// stateMaker makes the states of decoded spaces, sharing their flows and
// category counts across the file and its journal.
type stateMaker struct {
	flows  snapshot.FlowPacker // of the spaces' flows (flow info)
	counts countsTable         // of the spaces' categories
}

func newDecoder(path string, meta Meta) *decoder {
	return &decoder{path: path, meta: meta}
}

// decode is decode with the journal j read before, applied if it names the
// file (see applyJournal); j may be nil.
func (d *decoder) decode(r io.Reader, j *journal) (map[string]*snapshot.SpaceState, error) {
	d.dec, d.journal = json.NewDecoder(r), j
	if err := d.file(); err != nil {
		return nil, err
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	d.applyJournal()
	return d.states, nil
}

// file reads the top-level object, its spaces as they come.
func (d *decoder) file() error {
	if err := d.delim('{'); err != nil {
		return err
	}
	for d.dec.More() {
		key, err := d.key()
		if err != nil {
			return err
		}
		switch {
		case strings.EqualFold(key, "version"):
			err, d.hasVersion = d.value(&d.version), true
		case strings.EqualFold(key, "meta"):
			err, d.hasMeta = d.value(&d.fileMeta), true
		case strings.EqualFold(key, "saved_at"):
			var savedAt time.Time
			err = d.value(&savedAt)
		case strings.EqualFold(key, "write_id"):
			err = d.value(&d.writeID)
		case strings.EqualFold(key, "spaces"):
			err = d.spaces()
		case strings.EqualFold(key, "sources"):
			err = d.sources()
		default:
			err = d.value(new(ignored)) // an unknown key: read, not kept
		}
		if err != nil {
			return err
		}
	}
	if err := d.delim('}'); err != nil {
		return err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return d.corrupt(cmp.Or(err, errors.New("data after the top-level object")))
	}
	return nil
}

// spaces reads the list of spaces, null or an array, each as it comes. The
// version and the settings, when the file gave them before (as an exporter
// writes it), are checked first: a file that would be refused is not read
// any further.
func (d *decoder) spaces() error {
	if err := d.startBody(); err != nil {
		return err
	}
	tok, err := d.dec.Token()
	if err != nil {
		return d.corrupt(err)
	}
	d.states, d.replaced = nil, nil // a repeated key replaces the list
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		return d.corrupt(fmt.Errorf("spaces is %v, not an array", tok))
	}
	d.states = map[string]*snapshot.SpaceState{}
	// Every space is decoded into the same memory, which add copies out of
	// at its exact size: decoded afresh, each space's lists grew step by
	// step, and the garbage of 200,000 spaces raised the peak by tens of MB.
	var sp space
	var ids []string
	counts := map[string]int{}
	for d.dec.More() {
		clear(counts)
		sp = space{FlowIDs: ids[:0], ByCategory: counts}
		if err := d.value(&sp); err != nil {
			return err
		}
		if sp.FlowIDs != nil {
			ids = sp.FlowIDs[:0]
		}
		if err := d.add(sp); err != nil {
			return err
		}
	}
	_, err = d.dec.Token() // ']'
	return d.corrupt(err)
}

// startBody is called at the spaces and at the sources: the version and
// the settings, when the file gave them before (as an exporter writes it),
// are checked first, so that a file that would be refused is not read any
// further; and the write id given so far is the one the journal must name.
func (d *decoder) startBody() error {
	if err := d.checkVersion(); d.hasVersion && err != nil {
		return err
	}
	if err := d.checkMeta(); d.hasMeta && err != nil {
		return err
	}
	d.baseID = client.Cut(d.writeID, maxWriteIDBytes)
	d.applying = d.journal.extends(d.baseID)
	return nil
}

// add validates the space sp and adds its state; one with an id longer
// than a space id can be, or not valid UTF-8 (U+FFFD is what encoding/json
// made of a Latin-1 id an older release saved, two of them possibly the
// same), is left out: the exporter watches no such id. A space the journal applied changes
// is validated as any other, and takes the journal's state (or none) at
// once: the file's is not kept, so that a restore never holds both.
func (d *decoder) add(sp space) error {
	if !validSpaceID(sp.ID) {
		return nil
	}
	if _, dup := d.states[sp.ID]; dup || d.replaced[sp.ID] {
		return fmt.Errorf("cache file %s is corrupt: space %q twice", d.path, sp.ID)
	}
	st, err := d.maker.make(sp)
	if err != nil {
		return fmt.Errorf("cache file %s is corrupt: %v", d.path, err)
	}
	if changed, ok := d.journal.change(d.applying, sp.ID); ok {
		if changed != nil {
			d.states[sp.ID] = changed
		} else {
			if d.replaced == nil {
				d.replaced = map[string]bool{}
			}
			d.replaced[sp.ID] = true
		}
		return nil
	}
	d.states[sp.ID] = st
	return nil
}

// make validates the space sp (its id within bounds) and returns its
// state, every text within the client's bounds.
func (m *stateMaker) make(sp space) (*snapshot.SpaceState, error) {
	sp = sp.bounded()
	if sp.Up && !sp.HasData {
		return nil, fmt.Errorf("space %q is up without data", sp.ID)
	}
	statuses, err := sp.statuses()
	if err != nil {
		return nil, fmt.Errorf("space %q: flow statuses: %v", sp.ID, err)
	}
	return &snapshot.SpaceState{ID: sp.ID, HasData: sp.HasData, Up: sp.Up, Count: sp.Count, ByCategory: m.counts.keep(sp.ByCategory),
		FlowIDs: sp.FlowIDs, Flows: m.flows.Pack(sp.Flows), LastSuccess: sp.LastSuccess, LastAttempt: sp.LastAttempt, LastError: sp.LastError,
		Statuses: statuses}, nil
}

// applyJournal applies the journal's changes to the states, if it extends
// the file: its spaces met in the file took their new state as they came
// (see add); the others are added.
func (d *decoder) applyJournal() {
	if !d.applying {
		return
	}
	for id, st := range d.journal.changes {
		if st == nil {
			continue
		}
		if d.states == nil {
			d.states = map[string]*snapshot.SpaceState{}
		}
		d.states[id] = st
	}
	for name, byspace := range d.journal.parts {
		for space, p := range byspace {
			if p != nil {
				d.parts.put(name, space, p)
				d.since.set(name, space, d.journal.since.get(name, space))
			}
		}
	}
	d.dropped.add(d.journal.dropped)
}

// check refuses another format version or other settings.
func (d *decoder) check() error {
	if err := d.checkVersion(); err != nil {
		return err
	}
	return d.checkMeta()
}

func (d *decoder) checkVersion() error {
	if d.version < oldestFormatVersion || d.version > formatVersion {
		return fmt.Errorf("cache file %s has format version %d; this release reads versions %d to %d", d.path, d.version, oldestFormatVersion, formatVersion)
	}
	return nil
}

func (d *decoder) checkMeta() error {
	if d.fileMeta != d.meta {
		return fmt.Errorf("%w: %s has %s, the exporter runs with %+v", ErrMismatch, d.path, client.Cut(fmt.Sprintf("%+v", d.fileMeta), client.MaxTextBytes), d.meta)
	}
	return nil
}

func (d *decoder) key() (string, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return "", d.corrupt(err)
	}
	key, _ := tok.(string) // the decoder returns keys as strings
	return key, nil
}

func (d *decoder) delim(want json.Delim) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.corrupt(err)
	}
	if tok != want {
		return d.corrupt(fmt.Errorf("%v where %v was expected", tok, want))
	}
	return nil
}

// value decodes the next value into v.
func (d *decoder) value(v any) error {
	return d.corrupt(d.dec.Decode(v))
}

// corrupt says the file is corrupt because of err; nil without err.
func (d *decoder) corrupt(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("cache file %s is corrupt: %s", d.path, client.Cut(err.Error(), client.MaxTextBytes))
}

// ignored is a value read and not kept.
type ignored struct{}

func (ignored) UnmarshalJSON([]byte) error { return nil }
