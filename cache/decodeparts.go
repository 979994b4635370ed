package cache

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cams-exporter/cams_exporter/client"
)

// sources reads the sources' parts, null or an object of each source's,
// a part at a time; the parts of a source not wired are read and counted,
// not kept (see partList).
func (d *decoder) sources() error {
	if err := d.startBody(); err != nil {
		return err
	}
	tok, err := d.dec.Token()
	if err != nil {
		return d.corrupt(err)
	}
	d.parts, d.skipped, d.since, d.dropped = nil, nil, nil, dropCounter{} // a repeated key replaces them
	if tok == nil {
		return nil
	}
	if tok != json.Delim('{') {
		return d.corrupt(fmt.Errorf("sources is %v, not an object", tok))
	}
	// Every part is decoded into the same memory, its data too, which the
	// source's codec decodes into a value of its own.
	var entry part
	for d.dec.More() {
		name, err := d.key()
		if err != nil {
			return err
		}
		if err := d.source(name, &entry); err != nil {
			return err
		}
	}
	return d.delim('}')
}

// source reads the object of the source name, null or one whose parts
// come a part at a time; its other keys are read, not kept.
func (d *decoder) source(name string, entry *part) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.corrupt(err)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('{') {
		return d.corrupt(fmt.Errorf("collector %q is %v, not an object", cutName(name), tok))
	}
	for d.dec.More() {
		key, err := d.key()
		if err != nil {
			return err
		}
		if strings.EqualFold(key, "parts") {
			err = d.partList(name, entry)
		} else {
			err = d.value(new(ignored))
		}
		if err != nil {
			return err
		}
	}
	return d.delim('}')
}

// partList reads the parts of the source name, null or an array.
func (d *decoder) partList(name string, entry *part) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.corrupt(err)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		return d.corrupt(fmt.Errorf("the parts of collector %q are %v, not an array", cutName(name), tok))
	}
	wired := d.codecs.wired(name)
	for d.dec.More() {
		if !wired { // read, not kept: not even its id
			if err := d.value(new(ignored)); err != nil {
				return err
			}
			d.dropped.drop(name, 1, nil)
			continue
		}
		*entry = part{Data: entry.Data[:0]}
		if err := d.value(entry); err != nil {
			return err
		}
		if err := d.addPart(name, entry); err != nil {
			return err
		}
	}
	return d.delim(']')
}

// addPart validates the part p of the source name, which is wired, and
// keeps it (retained, if it says since when), as add does a space: one of
// a space id no space can have is left out, one the journal changed takes
// the journal's part (or none) without its data being decoded. A part
// whose data does not decode is left out and counted. A part twice is
// refused as a space twice is.
func (d *decoder) addPart(name string, p *part) error {
	if !validSpaceID(p.Space) {
		return nil
	}
	if d.parts.has(name, p.Space) || d.skipped.has(name, p.Space) {
		return fmt.Errorf("cache file %s is corrupt: space %q twice in the parts of collector %q", d.path, p.Space, cutName(name))
	}
	if changed, since, ok := d.journal.partChange(d.applying, name, p.Space); ok {
		if changed != nil {
			d.parts.put(name, p.Space, changed)
			d.since.set(name, p.Space, since)
		} else {
			d.skipped.put(name, p.Space, nil)
		}
		return nil
	}
	sp, err := d.codecs.part(name, p)
	if err != nil {
		d.dropped.drop(name, 1, err)
		d.skipped.put(name, p.Space, nil)
		return nil
	}
	d.parts.put(name, p.Space, sp)
	d.since.set(name, p.Space, p.RetainedSince)
	return nil
}

// maxSourceNameBytes bounds a source's name in a message; real ones are
// short ("messaging-health").
const maxSourceNameBytes = 64

// cutName cuts a source's name from a file for a message.
func cutName(name string) string { return client.Cut(name, maxSourceNameBytes) }
