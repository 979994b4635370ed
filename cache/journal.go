package cache

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/safefile"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// The journal: a write that finds a few spaces changed appends them to a
// journal beside the cache file instead of writing the file whole (63 MB
// at 200,000 spaces of 5 flows, for the 240 spaces a minute's listings
// change). It is
// JSON lines: the first names the file it extends by its write id,
//
//	{"base":"5f0c6a1e9b2d4c73"}
//
// and each of the others is one write: the spaces whose state changed
// since the write before, each as the file holds it, and the spaces no
// longer kept; and per source, the parts that changed, each as the file
// holds it, and the spaces whose part is no longer kept (parts.go),
//
//	{"spaces":[{"id":"cams-a",...}],"gone":["cams-b"],
//	 "sources":{"phone-numbers":{"parts":[{"space":"cams-c",...}],"gone":["cams-b"]}}}
//
// A write is one line appended and synced. Read applies the lines in order
// to the file they extend; a journal naming another write of the file is
// ignored. The last line cut short (a kill or a power loss during its
// write) is ignored, the lines before it applied, and the writer cuts it
// off before it appends again; any other damage leaves the journal out
// whole: the file alone is an older snapshot, whole. The writer writes the
// file whole again (and removes the journal) before the journal would
// outgrow journalLimit.

// JournalSuffix names the journal of a cache file: cams.cache.journal
// beside cams.cache.
const JournalSuffix = ".journal"

const (
	// MaxJournalBytes bounds the journal, read and written.
	MaxJournalBytes = MaxFileBytes / 2
	// minJournalLimit is the least journalLimit: a small file is written
	// whole after a MiB of writes, not after each.
	minJournalLimit = 1 << 20
	// maxWriteIDBytes bounds a write id read.
	maxWriteIDBytes = 64
)

// maxLineBytes bounds a line of the journal, read and written: a write
// that changes more (about 50,000 spaces of 5 flows) writes the file
// whole. Tests lower it.
var maxLineBytes = 16 << 20

// journalLimit is the most the journal of a file of fileBytes grows to:
// half the file, at least minJournalLimit, at most MaxJournalBytes. A
// restore reads at most one and a half times the file, and the writes of
// the whole file are spread over at least as many bytes appended as half
// of one.
func journalLimit(fileBytes int64) int64 {
	return min(max(fileBytes/2, minJournalLimit), MaxJournalBytes)
}

var (
	// ErrJournalIgnored is wrapped by Contents.Journal when the journal
	// was left out whole: corrupt, unreadable, or not a regular file. Its
	// writes are lost; the file alone is restored.
	ErrJournalIgnored = errors.New("the cache journal is ignored")
	// errJournalCut is wrapped by Contents.Journal when its last write was
	// cut short.
	errJournalCut = errors.New("its last write was cut short (a kill or a power loss during it) and is left out")
)

// journalRead is what Read found of the journal, for the writer.
type journalRead struct {
	regular bool  // a regular file was there: the writer's to cut or remove
	size    int64 // its size
	applied int64 // the bytes of its first line and writes applied; 0 if none were
}

// journal is a journal as readJournal read it.
type journal struct {
	name string
	read journalRead
	base string // the write id its first line names
	// changes holds each space the journal changed, with its state after
	// the last write that changed it; nil if it is no longer kept.
	changes map[string]*snapshot.SpaceState
	// parts holds, by source then space, each part the journal changed,
	// as changes does; nil when it is no longer kept or its data does not
	// decode. dropped counts the parts left out.
	parts   partsTable
	since   sinceTable // of the retained parts among parts
	dropped dropCounter
	lines   int   // the writes applied
	err     error // why it is not applied whole: see outcome
}

// lineChanges are the changes of one write of the journal.
type lineChanges struct {
	spaces  map[string]*snapshot.SpaceState
	parts   partsTable
	since   sinceTable // of the retained parts among parts
	dropped dropCounter
}

// extends reports whether j is to be applied to the file of write id id.
func (j *journal) extends(id string) bool {
	return j != nil && id != "" && j.base == id && (j.err == nil || errors.Is(j.err, errJournalCut))
}

// change returns the change of the space id, if the journal is applied and
// has one.
func (j *journal) change(applying bool, id string) (*snapshot.SpaceState, bool) {
	if !applying {
		return nil, false
	}
	st, ok := j.changes[id]
	return st, ok
}

// partChange returns the change of the part of space of the source name,
// and since when it is retained (zero for a watched part), if the journal
// is applied and has one.
func (j *journal) partChange(applying bool, name, space string) (*snapshot.SpacePart, time.Time, bool) {
	if !applying {
		return nil, time.Time{}, false
	}
	p, ok := j.parts[name][space]
	return p, j.since.get(name, space), ok
}

// apply applies the changes of one write.
func (j *journal) apply(line lineChanges) {
	if j.changes == nil {
		j.changes = map[string]*snapshot.SpaceState{}
	}
	for id, st := range line.spaces {
		j.changes[id] = st
	}
	for name, byspace := range line.parts {
		for space, p := range byspace {
			j.parts.put(name, space, p)
			j.since.set(name, space, line.since.get(name, space))
		}
	}
	j.dropped.add(line.dropped)
}

// outcome says what became of j with the file of write id id: nil if it
// was applied whole or there is none (see Contents.Journal). It clears
// read.applied when nothing of it was applied.
func (j *journal) outcome(id string) error {
	switch {
	case j.extends(id):
		return j.err
	case j.err != nil:
		j.read.applied = 0
		return j.err
	case !j.read.regular:
		return nil
	}
	j.read.applied = 0
	if id == "" {
		return fmt.Errorf("cache journal %s is left out: the cache file has no write id (written by an earlier release, or by hand)", j.name)
	}
	return fmt.Errorf("cache journal %s is left out: it extends write %s of the cache file, which is now write %s (a kill between the file's write and the journal's removal)",
		j.name, client.Cut(j.base, maxWriteIDBytes), id)
}

// readJournal reads the journal name, a line at a time, into the changes
// its writes make, with the states made as the file's are (see
// decoder.add); the file, read after, is checked against the write id it
// names. It never fails: what it could not apply is in the journal's err.
func (d *decoder) readJournal(name string) *journal {
	j := &journal{name: name}
	info, err := os.Lstat(name)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return j
	case err != nil:
		j.err = fmt.Errorf("%w: %v", ErrJournalIgnored, err)
		return j
	case !info.Mode().IsRegular():
		j.err = fmt.Errorf("%w: %s is not a regular file; remove it", ErrJournalIgnored, name)
		return j
	}
	j.read.regular = true
	f, info, err := safefile.Open(name, MaxJournalBytes)
	if err != nil {
		j.err = fmt.Errorf("%w: %v", ErrJournalIgnored, err)
		return j
	}
	defer f.Close()
	j.read.size = info.Size()
	if err := d.readLines(j, bufio.NewReaderSize(f, 64<<10)); err != nil {
		j.err, j.changes, j.parts, j.since, j.dropped, j.read.applied = err, nil, nil, nil, dropCounter{}, 0
	}
	return j
}

// readLines reads the journal's lines from r: its first line, then its
// writes, each applied to j's changes only once read whole. It returns
// the error that leaves the journal out whole, if any; a last line cut
// short is ignored (j.err says so).
func (d *decoder) readLines(j *journal, r *bufio.Reader) error {
	var buf []byte
	for n := 1; ; n++ {
		line, whole, err := nextLine(r, buf)
		buf = line[:0]
		if err == io.EOF {
			if n == 1 {
				j.err = fmt.Errorf("cache journal %s is empty: %w", j.name, errJournalCut)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %s, line %d: %v", ErrJournalIgnored, j.name, n, err)
		}
		var changes lineChanges
		if whole && n == 1 {
			j.base, err = readHeader(line)
		} else if whole {
			changes, err = d.journalLine(line)
		}
		if !whole || err != nil {
			if whole && !atEnd(r) {
				return fmt.Errorf("%w: %s, line %d is corrupt: %v", ErrJournalIgnored, j.name, n, client.Cut(err.Error(), client.MaxTextBytes))
			}
			j.err = fmt.Errorf("cache journal %s, line %d: %w", j.name, n, errJournalCut)
			return nil
		}
		j.apply(changes)
		j.read.applied += int64(len(line)) + 1
		j.lines = n - 1
	}
}

// nextLine returns the next line of r without its newline, in buf's
// memory, and whether it had one (one without is the last, cut short);
// io.EOF at the end. A line longer than maxLineBytes is an error.
func nextLine(r *bufio.Reader, buf []byte) (line []byte, whole bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if len(buf)+len(chunk) > maxLineBytes+1 {
			return buf[:0], false, fmt.Errorf("a line longer than the %d bytes a write appends", maxLineBytes)
		}
		buf = append(buf, chunk...)
		switch {
		case err == nil:
			return buf[:len(buf)-1], true, nil
		case err == bufio.ErrBufferFull:
		case err == io.EOF && len(buf) == 0:
			return buf, false, io.EOF
		case err == io.EOF:
			return buf, false, nil
		default:
			return buf[:0], false, err
		}
	}
}

// atEnd reports whether r has nothing left.
func atEnd(r *bufio.Reader) bool {
	_, err := r.Peek(1)
	return err == io.EOF
}

// readHeader reads the journal's first line and returns the write id it
// names.
func readHeader(line []byte) (string, error) {
	var h struct {
		Base string `json:"base"`
	}
	if err := json.Unmarshal(line, &h); err != nil {
		return "", err
	}
	if h.Base == "" {
		return "", errors.New("no write id")
	}
	return h.Base, nil
}

// journalLine decodes a write of the journal: the states of the spaces it
// changed (made as the file's are), nil for those no longer kept, and the
// parts of the sources it changed (see journalSources). A space twice in
// one write is an error; ids longer than a space id can be are left out.
func (d *decoder) journalLine(line []byte) (lineChanges, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return lineChanges{}, fmt.Errorf("not a JSON object (%v, %v)", tok, err)
	}
	changes := lineChanges{spaces: map[string]*snapshot.SpaceState{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return lineChanges{}, err
		}
		key, _ := tok.(string)
		switch {
		case strings.EqualFold(key, "spaces"):
			err = d.journalSpaces(dec, changes.spaces)
		case strings.EqualFold(key, "gone"):
			err = journalGone(dec, changes.spaces)
		case strings.EqualFold(key, "sources"):
			err = d.journalSources(dec, &changes)
		default:
			err = dec.Decode(new(ignored))
		}
		if err != nil {
			return lineChanges{}, err
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return lineChanges{}, fmt.Errorf("the object does not end (%v, %v)", tok, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return lineChanges{}, errors.New("data after the object")
	}
	return changes, nil
}

// journalSpaces reads a write's spaces, null or an array, into changes.
func (d *decoder) journalSpaces(dec *json.Decoder, changes map[string]*snapshot.SpaceState) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("spaces is %v, not an array", tok)
	}
	var ids []string
	counts := map[string]int{}
	for dec.More() {
		clear(counts)
		sp := space{FlowIDs: ids[:0], ByCategory: counts}
		if err := dec.Decode(&sp); err != nil {
			return err
		}
		if sp.FlowIDs != nil {
			ids = sp.FlowIDs[:0]
		}
		if len(sp.ID) > client.MaxSpaceIDBytes {
			continue
		}
		if _, dup := changes[sp.ID]; dup {
			return fmt.Errorf("space %q twice", sp.ID)
		}
		st, err := d.maker.make(sp)
		if err != nil {
			return err
		}
		changes[sp.ID] = st
	}
	_, err = dec.Token() // ']'
	return err
}

// journalGone reads a write's spaces no longer kept into changes.
func journalGone(dec *json.Decoder, changes map[string]*snapshot.SpaceState) error {
	var gone []string
	if err := dec.Decode(&gone); err != nil {
		return err
	}
	for _, id := range gone {
		if len(id) > client.MaxSpaceIDBytes {
			continue
		}
		if _, dup := changes[id]; dup {
			return fmt.Errorf("space %q twice", id)
		}
		changes[id] = nil
	}
	return nil
}

// appendHeader appends the journal's first line, naming the file's write
// id.
func appendHeader(b []byte, id string) []byte {
	b = append(b, `{"base":`...)
	b = appendString(b, id)
	return append(b, "}\n"...)
}

// appendChanges appends to b the journal line of the changes from since to
// snap (see snapshot.Snapshot.KeptChanges, and appendPartChanges for the
// sources' parts), newline included, and returns it with the number of
// spaces and parts it names: none if nothing changed. It stops with full
// true as soon as the line would be longer than room bytes.
func appendChanges(b []byte, snap, since *snapshot.Snapshot, room int) (line []byte, n int, full bool, err error) {
	start := len(b)
	b = append(b, `{"spaces":[`...)
	var gone []byte
	spaces := 0
	for id, st := range snap.KeptChanges(since) {
		if st == nil || !worthKeeping(st) {
			if len(gone) > 0 {
				gone = append(gone, ',')
			}
			gone = appendString(gone, id)
		} else {
			if spaces > 0 {
				b = append(b, ',')
			}
			if b, err = appendSpace(b, id, st); err != nil {
				return nil, 0, false, fmt.Errorf("space %q: %w", id, err)
			}
			spaces++
		}
		n++
		if len(b)-start+len(gone)+len(`],"gone":[]}`+"\n") > room {
			return nil, n, true, nil
		}
	}
	b = append(b, ']')
	if len(gone) > 0 {
		b = append(b, `,"gone":[`...)
		b = append(b, gone...)
		b = append(b, ']')
	}
	b, parts, full, err := appendPartChanges(b, snap, since, start+room, len("}\n"))
	if err != nil || full {
		return nil, n + parts, full, err
	}
	return append(b, "}\n"...), n + parts, false, nil
}
