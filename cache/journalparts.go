package cache

import (
	"encoding/json"
	"fmt"
	"iter"
	"strings"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// journalSources reads a write's sources, null or an object of each
// source's changes, into changes.
func (d *decoder) journalSources(dec *json.Decoder, changes *lineChanges) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("sources is %v, not an object", tok)
	}
	var entry part
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		if err := d.journalSource(dec, name, &entry, changes); err != nil {
			return err
		}
	}
	_, err = dec.Token() // '}'
	return err
}

// journalSource reads the changes of the source name: its parts, and the
// spaces whose part is no longer kept; other keys are read, not kept.
func (d *decoder) journalSource(dec *json.Decoder, name string, entry *part, changes *lineChanges) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("collector %q is %v, not an object", cutName(name), tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		switch {
		case strings.EqualFold(key, "parts"):
			err = d.journalParts(dec, name, entry, changes)
		case strings.EqualFold(key, "gone"):
			err = d.journalPartsGone(dec, name, changes)
		default:
			err = dec.Decode(new(ignored))
		}
		if err != nil {
			return err
		}
	}
	_, err = dec.Token() // '}'
	return err
}

// journalParts reads the parts of the source name a write changed, null or
// an array, made as the file's are (see addPart): a part whose data does
// not decode is a part no longer kept, so that the file's older one is not
// restored in its place.
func (d *decoder) journalParts(dec *json.Decoder, name string, entry *part, changes *lineChanges) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("the parts of collector %q are %v, not an array", cutName(name), tok)
	}
	for dec.More() {
		*entry = part{Data: entry.Data[:0]}
		if err := dec.Decode(entry); err != nil {
			return err
		}
		if !validSpaceID(entry.Space) {
			continue
		}
		if !d.codecs.wired(name) {
			changes.dropped.drop(name, 1, nil)
			continue
		}
		if changes.parts.has(name, entry.Space) {
			return fmt.Errorf("space %q twice in the parts of collector %q", entry.Space, cutName(name))
		}
		p, err := d.codecs.part(name, entry)
		if err != nil {
			changes.dropped.drop(name, 1, err)
		} else {
			changes.since.set(name, entry.Space, entry.RetainedSince)
		}
		changes.parts.put(name, entry.Space, p)
	}
	_, err = dec.Token() // ']'
	return err
}

// journalPartsGone reads the spaces whose part of the source name is no
// longer kept.
func (d *decoder) journalPartsGone(dec *json.Decoder, name string, changes *lineChanges) error {
	var gone []string
	if err := dec.Decode(&gone); err != nil {
		return err
	}
	if !d.codecs.wired(name) {
		return nil
	}
	for _, space := range gone {
		if !validSpaceID(space) {
			continue
		}
		if changes.parts.has(name, space) {
			return fmt.Errorf("space %q twice in the parts of collector %q", space, cutName(name))
		}
		changes.parts.put(name, space, nil)
	}
	return nil
}

// appendPartChanges appends to b the sources' part of a journal line: the
// changes of each source's parts, watched or retained, from since to snap
// (see snapshot.SourceState.KeptChanges), nothing if none changed. It
// returns them with the number of parts they name, and stops with full
// true as soon as b would be longer than limit bytes, tail included.
func appendPartChanges(b []byte, snap, since *snapshot.Snapshot, limit, tail int) (line []byte, n int, full bool, err error) {
	enc := newPartEncoder()
	opened := false
	for _, name := range sourceNames(snap, since) {
		var gone []byte
		parts := 0
		for space, k := range sourceChanges(sourceOf(snap, name), sourceOf(since, name)) {
			if parts == 0 && len(gone) == 0 {
				b = appendJournalSourceHead(b, name, opened)
				opened = true
			}
			if !partWorthKeeping(k.Part) {
				if len(gone) > 0 {
					gone = append(gone, ',')
				}
				gone = appendString(gone, space)
			} else {
				if parts > 0 {
					b = append(b, ',')
				}
				if b, err = enc.appendPart(b, space, k); err != nil {
					return nil, 0, false, fmt.Errorf("collector %q, space %q: %w", name, space, err)
				}
				parts++
			}
			n++
			if len(b)+len(gone)+len(`],"gone":[]}}`)+tail > limit {
				return nil, n, true, nil
			}
		}
		if parts > 0 || len(gone) > 0 {
			b = append(b, ']')
			if len(gone) > 0 {
				b = append(b, `,"gone":[`...)
				b = append(b, gone...)
				b = append(b, ']')
			}
			b = append(b, '}')
		}
	}
	if opened {
		b = append(b, '}')
	}
	return b, n, false, nil
}

// appendJournalSourceHead appends what comes before the first changed part
// of the source name in a journal line: the sources' key unless opened,
// the source's key.
func appendJournalSourceHead(b []byte, name string, opened bool) []byte {
	if opened {
		b = append(b, ',')
	} else {
		b = append(b, `,"sources":{`...)
	}
	b = appendString(b, name)
	return append(b, `:{"parts":[`...)
}

// sourceChanges yields the kept parts (watched or retained) that differ
// between since and st (either may be nil: a source without parts), each
// with its kept part in st, whose Part is nil for none.
func sourceChanges(st, since *snapshot.SourceState) iter.Seq2[string, snapshot.KeptPart] {
	if st != nil {
		return st.KeptChanges(since)
	}
	return func(yield func(string, snapshot.KeptPart) bool) {
		if since == nil {
			return
		}
		for space := range since.Kept() {
			if !yield(space, snapshot.KeptPart{}) {
				return
			}
		}
	}
}

// sourceOf returns the state of the source name in snap; nil for none, or
// for a nil snap.
func sourceOf(snap *snapshot.Snapshot, name string) *snapshot.SourceState {
	if snap == nil {
		return nil
	}
	return snap.Source(name)
}
