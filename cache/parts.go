package cache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// The parts of the engine's sources (snapshot.SourceState), saved beside
// the spaces since version 4: per source, by its collector name, each
// space's part,
//
//	"sources":{"phone-numbers":{"parts":[{"space":"cams-a","has_data":true,"up":true,
//	  "last_success":"2026-11-26T10:00:00Z","last_attempt":"2026-11-26T10:00:00Z",
//	  "data":[{"phone_number":"8613800000001","status":"CONNECTED",...}]}]}}
//
// A part retained for the grace of a space no longer watched
// (snapshot.SourceState.Retained) is saved with the others, with since
// when ("retained_since"), so that a restart neither loses it nor starts
// its grace again; a release that does not know the key takes it for a
// watched part, which its runner retains from its first look.
//
// Data is the source's own value as encoding/json writes it; the cache
// knows none of the sources' types: it reads Data back through the codec
// the wiring gives for each source (Codecs). A source without a codec (its
// collector off) has its parts left out, and a part whose data its codec
// refuses is left out alone: the source calls for that space as if it had
// never been cached. Neither is written again.

// Codecs decode the data of each source's parts, by the source's name
// (snapshot.SourceState.Name): the JSON the source's Data type writes, into
// that Data, bounded as an answer of its operation is. A codec must not
// keep raw, which the decoder reuses.
type Codecs map[string]func(raw json.RawMessage) (any, error)

// DroppedParts says that a restore left out parts of one source, and why:
// one line to log, a warning when Err is set (those spaces are called
// afresh), a note when the collector is off.
type DroppedParts struct {
	// Source is the source's name as the file gives it (cut).
	Source string
	// Parts is how many parts were left out.
	Parts int
	// Err is why the first of them was: its data did not decode. Nil when
	// the source is not wired (its collector is off): every part of it is
	// left out, and no longer saved.
	Err error
}

func (d *DroppedParts) Error() string {
	if d.Err == nil {
		return fmt.Sprintf("%d cached parts of collector %q left out: the collector is off", d.Parts, d.Source)
	}
	return fmt.Sprintf("%d cached parts of collector %q left out: their data does not decode (the first: %v); they are read afresh", d.Parts, d.Source, d.Err)
}

// maxDroppedSources bounds the sources a restore names in
// Contents.Dropped; the parts of others are counted under otherSources.
const maxDroppedSources = 16

// otherSources names the sources left out beyond maxDroppedSources.
const otherSources = "(other collectors)"

// part is a source's part of one space as the file holds it.
type part struct {
	Space       string    `json:"space"`
	HasData     bool      `json:"has_data"`
	Up          bool      `json:"up"`
	LastSuccess time.Time `json:"last_success"`
	LastAttempt time.Time `json:"last_attempt"`
	// RetainedSince is, for a part retained, since when its space is known
	// gone (snapshot.KeptPart); absent for a part watched or not known
	// gone yet.
	RetainedSince time.Time           `json:"retained_since,omitzero"`
	LastError     *snapshot.ErrorInfo `json:"last_error,omitempty"`
	Data          rawData             `json:"data,omitempty"`
}

// sourceParts is a source's parts as the file holds them.
type sourceParts struct {
	Parts []part `json:"parts"`
}

// rawData is a part's data as the file holds it: JSON, read into memory
// the decoder reuses from part to part; empty for none (null included).
type rawData []byte

func (r rawData) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("null"), nil
	}
	return r, nil
}

func (r *rawData) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*r = (*r)[:0]
		return nil
	}
	*r = append((*r)[:0], b...)
	return nil
}

// partWorthKeeping reports whether a part is saved: not one never
// attempted (a runner makes none).
func partWorthKeeping(p *snapshot.SpacePart) bool { return p != nil && !p.LastAttempt.IsZero() }

// wired reports whether the source name has a codec.
func (c Codecs) wired(name string) bool {
	_, ok := c[name]
	return ok
}

// part returns the part of the entry p of the source name, which must be
// wired: every text within the client's bounds, its data decoded by the
// source's codec. An error says why it is left out: its data does not
// decode, or it is up without data.
func (c Codecs) part(name string, p *part) (*snapshot.SpacePart, error) {
	if p.Up && !p.HasData {
		return nil, fmt.Errorf("space %q: up without data", p.Space)
	}
	sp := &snapshot.SpacePart{Up: p.Up, HasData: p.HasData, LastSuccess: p.LastSuccess, LastAttempt: p.LastAttempt, LastError: boundedError(p.LastError)}
	if len(p.Data) > 0 {
		data, err := c[name](json.RawMessage(p.Data))
		if err != nil {
			return nil, fmt.Errorf("space %q: %s", p.Space, client.Cut(err.Error(), client.MaxTextBytes))
		}
		sp.Data = data
	}
	return sp, nil
}

// dropCounter counts the parts left out, by source.
type dropCounter struct {
	dropped map[string]*DroppedParts
	order   []string // of dropped, as met
}

// drop counts n parts of the source name left out, and why (nil: the
// source is not wired).
func (c *dropCounter) drop(name string, n int, why error) {
	d := c.dropped[name]
	if d == nil {
		if c.dropped == nil {
			c.dropped = map[string]*DroppedParts{}
		}
		if len(c.dropped) >= maxDroppedSources {
			name = otherSources
			d = c.dropped[name]
		}
		if d == nil {
			d = &DroppedParts{Source: cutName(name)}
			c.dropped[name] = d
			c.order = append(c.order, name)
		}
	}
	d.Parts += n
	if d.Err == nil {
		d.Err = why
	}
}

// add counts the parts o counted too.
func (c *dropCounter) add(o dropCounter) {
	for _, name := range o.order {
		d := o.dropped[name]
		c.drop(name, d.Parts, d.Err)
	}
}

// list returns the sources whose parts were left out, in the order they
// were met; nil for none.
func (c *dropCounter) list() []*DroppedParts {
	var out []*DroppedParts
	for _, name := range c.order {
		out = append(out, c.dropped[name])
	}
	return out
}

// validSpaceID reports whether id can be a watched space's: within a
// space id's bound, valid UTF-8 without U+FFFD (see decoder.add).
func validSpaceID(id string) bool {
	return len(id) <= client.MaxSpaceIDBytes && utf8.ValidString(id) && !strings.ContainsRune(id, utf8.RuneError)
}

// partsTable holds the parts read, by source then space.
type partsTable map[string]map[string]*snapshot.SpacePart

// put sets the part of space of the source name.
func (t *partsTable) put(name, space string, p *snapshot.SpacePart) {
	if *t == nil {
		*t = partsTable{}
	}
	byspace := (*t)[name]
	if byspace == nil {
		byspace = map[string]*snapshot.SpacePart{}
		(*t)[name] = byspace
	}
	byspace[space] = p
}

// has reports whether the table holds an entry (a part, or nil) of space
// of the source name.
func (t partsTable) has(name, space string) bool {
	_, ok := t[name][space]
	return ok
}

// sinceTable holds since when each retained part of a partsTable is, by
// source then space; a watched part has no entry.
type sinceTable map[string]map[string]time.Time

// set sets since when the part of space of the source name is retained;
// a zero since removes the entry (a watched part, or none).
func (t *sinceTable) set(name, space string, since time.Time) {
	if since.IsZero() {
		delete((*t)[name], space)
		return
	}
	if *t == nil {
		*t = sinceTable{}
	}
	byspace := (*t)[name]
	if byspace == nil {
		byspace = map[string]time.Time{}
		(*t)[name] = byspace
	}
	byspace[space] = since
}

// get returns since when the part of space of the source name is
// retained; zero for a watched part.
func (t sinceTable) get(name, space string) time.Time { return t[name][space] }

// split takes the retained parts out of parts (those since holds), and
// returns them by source then space.
func (t sinceTable) split(parts partsTable) map[string]map[string]*snapshot.KeptPart {
	var out map[string]map[string]*snapshot.KeptPart
	for name, byspace := range t {
		for space, since := range byspace {
			p := parts[name][space]
			if p == nil {
				continue
			}
			if out == nil {
				out = map[string]map[string]*snapshot.KeptPart{}
			}
			if out[name] == nil {
				out[name] = map[string]*snapshot.KeptPart{}
			}
			out[name][space] = &snapshot.KeptPart{Part: p, RetainedSince: since}
			delete(parts[name], space)
		}
		if len(parts[name]) == 0 {
			delete(parts, name)
		}
	}
	return out
}

// partEncoder encodes the data of parts with encoding/json, into memory it
// reuses.
type partEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newPartEncoder() *partEncoder {
	e := &partEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	return e
}

// appendPart appends the JSON of the part k of space, as encoding/json
// marshals a part.
func (e *partEncoder) appendPart(b []byte, space string, k snapshot.KeptPart) ([]byte, error) {
	p := k.Part
	b = append(b, `{"space":`...)
	b = appendString(b, space)
	b = append(b, `,"has_data":`...)
	b = appendBool(b, p.HasData)
	b = append(b, `,"up":`...)
	b = appendBool(b, p.Up)
	var err error
	b = append(b, `,"last_success":`...)
	if b, err = appendTime(b, p.LastSuccess); err != nil {
		return b, err
	}
	b = append(b, `,"last_attempt":`...)
	if b, err = appendTime(b, p.LastAttempt); err != nil {
		return b, err
	}
	if !k.RetainedSince.IsZero() {
		b = append(b, `,"retained_since":`...)
		if b, err = appendTime(b, k.RetainedSince); err != nil {
			return b, err
		}
	}
	if le := p.LastError; le != nil {
		b = append(b, `,"last_error":`...)
		b = appendErrorInfo(b, le)
	}
	if p.Data != nil {
		e.buf.Reset()
		if err := e.enc.Encode(p.Data); err != nil {
			return b, fmt.Errorf("data: %w", err)
		}
		b = append(b, `,"data":`...)
		b = append(b, bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))...)
	}
	return append(b, '}'), nil
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// sortedSources returns the sources of snap with a part, watched or
// retained, by name: the order in which encoding/json writes a map.
func sortedSources(snap *snapshot.Snapshot) []*snapshot.SourceState {
	var out []*snapshot.SourceState
	for _, st := range snap.Sources() {
		if keepsParts(st) {
			out = append(out, st)
		}
	}
	slices.SortFunc(out, func(a, b *snapshot.SourceState) int { return strings.Compare(a.Name, b.Name) })
	return slices.CompactFunc(out, func(a, b *snapshot.SourceState) bool { return a.Name == b.Name })
}

// keepsParts reports whether st keeps a part, watched or retained.
func keepsParts(st *snapshot.SourceState) bool { return st.Len() > 0 || st.RetainedLen() > 0 }

// sourceNames returns the names of the sources of snap and of written
// (nil for none), sorted, each once.
func sourceNames(snap *snapshot.Snapshot, written *snapshot.Snapshot) []string {
	names := map[string]bool{}
	for _, st := range snap.Sources() {
		names[st.Name] = true
	}
	if written != nil {
		for _, st := range written.Sources() {
			names[st.Name] = true
		}
	}
	return slices.Sorted(maps.Keys(names))
}
