package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// sourceNamesAll are the engine's sources, in the order the exporter wires
// them.
var sourceNamesAll = []string{phonenumbers.Name, waba.Name, messaginghealth.Name}

// realCodecs are the codecs of fresh real sources named, as the exporter
// gives them: each source's Decode.
func realCodecs(names ...string) Codecs {
	all := map[string]func(json.RawMessage) (any, error){
		phonenumbers.Name:    phonenumbers.New(nil, 0).Decode,
		waba.Name:            waba.New(nil, 0).Decode,
		messaginghealth.Name: messaginghealth.New(nil, 0, 0).Decode,
	}
	codecs := Codecs{}
	for _, name := range names {
		codecs[name] = all[name]
	}
	return codecs
}

// Values the generated parts take in turn: documented ones, and a few
// that are not (within the 30 a label keeps).
var (
	numberStatuses = []string{"CONNECTED", "CONNECTED", "FLAGGED", "BANNED", "RATE_LIMITED", "NEW_STATUS"}
	numberRatings  = []string{"GREEN", "GREEN", "YELLOW", "RED", "UNKNOWN"}
	numberTiers    = []string{"TIER_1K", "TIER_10K", "TIER_UNLIMITED", "TIER_250", "TIER_10"}
	canSend        = []string{"AVAILABLE", "AVAILABLE", "LIMITED", "BLOCKED"}
)

// spaceNumbers are the numbers of space i: numbers of them, sorted.
func spaceNumbers(i, numbers int) phonenumbers.Numbers {
	out := make(phonenumbers.Numbers, numbers)
	for k := range numbers {
		out[k] = phonenumbers.Number{PhoneNumber: fmt.Sprintf("86138%06d%d", i, k), Status: numberStatuses[(i+k)%len(numberStatuses)],
			QualityRating: numberRatings[(i+k)%len(numberRatings)], MessagingLimitTier: numberTiers[(i+k)%len(numberTiers)],
			CodeVerificationStatus: "VERIFIED", NameStatus: "APPROVED", VerifiedName: fmt.Sprintf("Shop <%d> & Co", i)}
		if k == 1 {
			out[k].NewNameStatus, out[k].IsOfficial = "PENDING_REVIEW", "false"
		}
	}
	return out
}

// spaceWABA is the WABA of space i: none for every seventh.
func spaceWABA(i int) waba.WABA {
	if i%7 == 3 {
		return waba.WABA{}
	}
	return waba.WABA{Bound: true, ID: fmt.Sprint("waba-", i), BusinessID: fmt.Sprint("biz-", i%10), AccountReviewStatus: []string{"APPROVED", "PENDING", "REJECTED"}[i%3],
		Name: fmt.Sprintf("Shop %d", i), Currency: "USD"}
}

// spaceHealth is the health of space i's WABA and numbers.
func spaceHealth(i int, numbers phonenumbers.Numbers, w waba.WABA) messaginghealth.Health {
	var wabaNode *messaginghealth.Answer
	var phones []messaginghealth.Answer
	at := t0.Add(-time.Duration(i%600) * time.Second)
	if w.Bound {
		wabaNode = &messaginghealth.Answer{Node: messaginghealth.Node{WabaID: w.ID, Checked: at, CanSendMessage: canSend[i%len(canSend)]}, Entities: []messaginghealth.Entity{
			{Type: "WABA", ID: w.ID, CanSendMessage: "AVAILABLE"},
			{Type: "BUSINESS", ID: w.BusinessID, CanSendMessage: canSend[i%len(canSend)], Errors: []messaginghealth.Error{
				{Code: "131049", Description: "Meta chose not to deliver this message", Solution: "Wait a day"}, {Code: "368"}}},
		}}
	}
	for k, n := range numbers {
		node := messaginghealth.Answer{Node: messaginghealth.Node{PhoneNumber: n.PhoneNumber, Checked: at.Add(-time.Duration(k) * time.Hour), CanSendMessage: "AVAILABLE"},
			Entities: []messaginghealth.Entity{{Type: "PHONE_NUMBER", ID: n.PhoneNumber, CanSendMessage: "AVAILABLE"}}}
		if k == 2 && i%5 == 0 {
			node.LastError = &snapshot.ErrorInfo{Code: "ERR-FB-001", Message: "Meta did not answer", RequestID: "R-1", Class: "transient"}
		}
		phones = append(phones, node)
	}
	return messaginghealth.FromAnswers(wabaNode, phones...)
}

// partOf wraps data in a part of space i as a runner makes one: up most
// of the time, down with its last data for every tenth space, down without
// any data for every fiftieth.
func partOf(i int, data any) *snapshot.SpacePart {
	at := t0.Add(-time.Duration(i%900) * time.Second)
	p := &snapshot.SpacePart{Up: true, HasData: true, LastSuccess: at, LastAttempt: at, Data: data}
	switch {
	case i%50 == 1:
		p = &snapshot.SpacePart{LastAttempt: at, LastError: &snapshot.ErrorInfo{Code: "Ram.PermissionDeny", Message: "denied", Class: "permanent"}}
	case i%10 == 2:
		p.Up, p.LastAttempt = false, at.Add(time.Minute)
		p.LastError = &snapshot.ErrorInfo{Code: "Throttling.User", Message: "slow down", RequestID: "R-2", Recommend: "https://example.com/?a=1&b=2", Class: "throttled"}
	}
	return p
}

// withParts returns snap with the three sources' parts of spaces
// cams-00000 to cams-<n-1>, numbers numbers each.
func withParts(snap *snapshot.Snapshot, n, numbers int) *snapshot.Snapshot {
	parts := map[string]map[string]*snapshot.SpacePart{}
	for _, name := range sourceNamesAll {
		parts[name] = make(map[string]*snapshot.SpacePart, n)
	}
	for i := range n {
		id := fmt.Sprintf("cams-%05d", i)
		nums, w := spaceNumbers(i, numbers), spaceWABA(i)
		parts[phonenumbers.Name][id] = partOf(i, nums)
		parts[waba.Name][id] = partOf(i, w)
		parts[messaginghealth.Name][id] = partOf(i, spaceHealth(i, nums, w))
	}
	return snap.WithSources(sourceStates(parts))
}

// sourceStates makes the states of the sources of parts, in wiring order.
func sourceStates(parts map[string]map[string]*snapshot.SpacePart) []*snapshot.SourceState {
	var states []*snapshot.SourceState
	for _, name := range sourceNamesAll {
		if p, ok := parts[name]; ok {
			states = append(states, snapshot.NewSourceState(name, "Op").WithParts(p))
		}
	}
	return states
}

// partsOf returns the parts of snap's sources, by source then space.
func partsOf(snap *snapshot.Snapshot, names ...string) map[string]map[string]*snapshot.SpacePart {
	out := map[string]map[string]*snapshot.SpacePart{}
	for _, st := range snap.Sources() {
		if len(names) > 0 && !slices.Contains(names, st.Name) {
			continue
		}
		out[st.Name] = map[string]*snapshot.SpacePart{}
		for space, p := range st.All() {
			out[st.Name][space] = p
		}
	}
	return out
}

// sameParts fails the test unless got holds every part of want, equal, and
// nothing else.
func sameParts(t *testing.T, what string, got, want map[string]map[string]*snapshot.SpacePart) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: parts of %d sources, want %d", what, len(got), len(want))
	}
	for name, byspace := range want {
		if len(got[name]) != len(byspace) {
			t.Errorf("%s: %s: %d parts, want %d", what, name, len(got[name]), len(byspace))
		}
		bad := 0
		for space, p := range byspace {
			if g := got[name][space]; g == nil || !reflect.DeepEqual(*g, *p) {
				if bad++; bad <= 3 {
					t.Errorf("%s: %s, space %s: restored\n%+v\nwant\n%+v", what, name, space, g, p)
				}
			}
		}
		if bad > 3 {
			t.Errorf("%s: %s: %d parts differ", what, name, bad)
		}
	}
}

// Every source's data, of the real types, in every state a part can be in
// (up, down with the data kept, down without data; a WABA bound and not;
// health of a WABA and numbers with entities, errors and a failed call),
// comes back equal, beside the spaces' states.
func TestPartsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	snap := withParts(freshSpaces(100), 100, 3)
	if err := Save(path, meta, snap, t0); err != nil {
		t.Fatal(err)
	}
	c, err := ReadWith(path, meta, realCodecs(sourceNamesAll...))
	if err != nil {
		t.Fatal(err)
	}
	sameParts(t, "restored", c.Parts, partsOf(snap))
	sameStates(t, "restored", c.States, savedFromScratch(t, snap))
	if c.Dropped != nil || c.Journal != nil || c.rewrite {
		t.Errorf("dropped %v, journal %v, rewrite %v; want nothing left out", c.Dropped, c.Journal, c.rewrite)
	}
	// The data's own texts, written by encoding/json (HTML escaped), are
	// in the file as encoding/json writes them.
	data, _ := os.ReadFile(path)
	if want := `"verified_name":"Shop \u003c0\u003e \u0026 Co"`; !strings.Contains(string(data), want) {
		t.Errorf("the file does not hold %s", want)
	}
}

// Read without codecs (a release before the sources, or every collector
// off) restores the spaces alone, and says which sources' parts it left
// out.
func TestPartsWithoutCodecs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	snap := withParts(freshSpaces(20), 20, 1)
	if err := Save(path, meta, snap, t0); err != nil {
		t.Fatal(err)
	}
	c := mustRead(t, path)
	if len(c.Parts) != 0 || len(c.States) != 20 {
		t.Fatalf("%d sources' parts, %d spaces; want none and 20", len(c.Parts), len(c.States))
	}
	var got []string
	for _, d := range c.Dropped {
		got = append(got, fmt.Sprintf("%s %d %v", d.Source, d.Parts, d.Err))
	}
	want := []string{"messaging-health 20 <nil>", "phone-numbers 20 <nil>", "waba 20 <nil>"} // as the file has them: by name
	if !slices.Equal(got, want) {
		t.Errorf("dropped %q, want %q", got, want)
	}
}

// withPart returns snap with the part of space of the source name
// replaced (nil: removed), as a runner publishes a change.
func withPart(snap *snapshot.Snapshot, name, space string, p *snapshot.SpacePart) *snapshot.Snapshot {
	states := slices.Clone(snap.Sources())
	for i, st := range states {
		if st.Name == name {
			states[i] = st.WithParts(map[string]*snapshot.SpacePart{space: p})
		}
	}
	return snap.WithSources(states)
}

// partJSON is the JSON of the part p of space as encoding/json writes a
// part: what the file and the journal must hold.
func partJSON(t *testing.T, space string, p *snapshot.SpacePart) string {
	t.Helper()
	return keptJSON(t, space, snapshot.KeptPart{Part: p})
}

// keptJSON is partJSON of a part kept, watched or retained.
func keptJSON(t *testing.T, space string, k snapshot.KeptPart) string {
	t.Helper()
	p := k.Part
	entry := part{Space: space, HasData: p.HasData, Up: p.Up, LastSuccess: p.LastSuccess, LastAttempt: p.LastAttempt, RetainedSince: k.RetainedSince, LastError: p.LastError}
	if p.Data != nil {
		data, err := json.Marshal(p.Data)
		if err != nil {
			t.Fatal(err)
		}
		entry.Data = data
	}
	b, err := json.Marshal(entry)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A change of one space's phone numbers appends that space's part to the
// journal, nothing else (the file as it was); a space whose part is gone
// appends its id; a restore gives the parts as last written, exactly.
func TestJournalAppendsAPartChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	snap := withParts(freshSpaces(1000), 1000, 3)
	w := journalWriterOf(t, path, nil, nil)
	writeSnapshot(t, w, snap)
	file, _ := os.ReadFile(path)

	numbers := spaceNumbers(7, 3)
	numbers[1].QualityRating, numbers[1].Status = "RED", "FLAGGED"
	at := t0.Add(time.Minute)
	changed := &snapshot.SpacePart{Up: true, HasData: true, LastSuccess: at, LastAttempt: at, Data: numbers}
	snap = withPart(snap, phonenumbers.Name, "cams-00007", changed)
	writeSnapshot(t, w, snap)
	snap = withPart(snap, waba.Name, "cams-00008", nil)
	writeSnapshot(t, w, snap)

	lines := journalLines(t, path)
	want := []string{
		`{"base":"` + w.file.id + `"}` + "\n",
		`{"spaces":[],"sources":{"phone-numbers":{"parts":[` + partJSON(t, "cams-00007", changed) + `]}}}` + "\n",
		`{"spaces":[],"sources":{"waba":{"parts":[],"gone":["cams-00008"]}}}` + "\n",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("journal\n%q\nwant\n%q", lines, want)
	}
	if now, _ := os.ReadFile(path); string(now) != string(file) {
		t.Error("the file was written")
	}
	c, err := ReadWith(path, meta, realCodecs(sourceNamesAll...))
	if err != nil || c.Journal != nil {
		t.Fatalf("%v, journal %v", err, c.Journal)
	}
	sameParts(t, "restored", c.Parts, partsOf(snap))
	if c.Parts[waba.Name]["cams-00008"] != nil || len(c.Parts[waba.Name]) != 999 {
		t.Errorf("the WABA part that went is restored (%d parts)", len(c.Parts[waba.Name]))
	}
}

// A restart with a source turned off leaves its parts out (one line
// saying so) and restores the others and the spaces; the next write is of
// the whole file, which no longer holds them, and the journal is gone.
func TestRestoreWithASourceTurnedOff(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	snap := withParts(freshSpaces(500), 500, 3)
	w := journalWriterOf(t, path, nil, nil)
	writeSnapshot(t, w, snap)
	snap = withPart(snap, phonenumbers.Name, "cams-00001", partOf(3, spaceNumbers(1, 2)))
	writeSnapshot(t, w, snap) // a journal, which the next write removes

	on := []string{phonenumbers.Name, waba.Name}
	c, err := ReadWith(path, meta, realCodecs(on...))
	if err != nil {
		t.Fatal(err)
	}
	sameParts(t, "restored", c.Parts, partsOf(snap, on...))
	sameStates(t, "restored", c.States, savedFromScratch(t, snap))
	if len(c.Dropped) != 1 || c.Dropped[0].Source != messaginghealth.Name || c.Dropped[0].Parts != 500 || c.Dropped[0].Err != nil {
		t.Fatalf("dropped %v, want the 500 parts of messaging-health, the collector off", c.Dropped)
	}
	if msg := c.Dropped[0].Error(); msg != `500 cached parts of collector "messaging-health" left out: the collector is off` {
		t.Errorf("the line says %q", msg)
	}

	restored := snap.WithSources(snap.Sources()[:2])
	w = journalWriterOf(t, path, restored, c)
	writeSnapshot(t, w, withPart(restored, waba.Name, "cams-00002", partOf(2, spaceWABA(5))))
	if w.wholes.Load() != 1 {
		t.Errorf("%d writes of the whole file, want 1: the first after a restore that left parts out", w.wholes.Load())
	}
	if _, err := os.Stat(path + JournalSuffix); !os.IsNotExist(err) {
		t.Errorf("the journal is still there (%v)", err)
	}
	c, err = ReadWith(path, meta, realCodecs(sourceNamesAll...))
	if err != nil || c.Dropped != nil || c.Parts[messaginghealth.Name] != nil || len(c.Parts) != 2 {
		t.Errorf("after the write: %v, dropped %v, %d sources; want the two on, nothing of messaging-health", err, c.Dropped, len(c.Parts))
	}
}

// A part whose data does not decode (not the source's type, beyond an
// answer's bounds, a WABA without its id) is left out alone, with one line
// per source naming the first: the spaces and every other part are
// restored, and the next write is of the whole file. In the journal, such
// a part replaces the file's as none: the file's older part is not
// restored in its place.
func TestRestoreLeavesOutACorruptPart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	snap := withParts(freshSpaces(100), 100, 3)
	w := journalWriterOf(t, path, nil, nil)
	writeSnapshot(t, w, snap)
	data, _ := os.ReadFile(path)
	body := string(data)
	replaceData := func(name, space, with string) {
		t.Helper()
		p := partJSON(t, space, snap.Source(name).Part(space))
		i := strings.Index(p, `,"data":`)
		if !strings.Contains(body, p) || i < 0 {
			t.Fatalf("the file has no part %s of %s with data", space, name)
		}
		body = strings.Replace(body, p, p[:i]+`,"data":`+with+`}`, 1)
	}
	tooMany := "[" + strings.Repeat(`{"phone_number":"8613800000000"},`, 1000) + `{"phone_number":"8613800000001"}]`
	replaceData(phonenumbers.Name, "cams-00003", `"not a list"`)
	replaceData(phonenumbers.Name, "cams-00004", tooMany)
	replaceData(waba.Name, "cams-00005", `{"bound":true,"waba_id":""}`)
	os.WriteFile(path, []byte(body), 0o600)
	// The journal changes cams-00006's health to data that does not decode.
	line := `{"spaces":[],"sources":{"messaging-health":{"parts":[{"space":"cams-00006","has_data":true,"up":true,"last_success":"2026-11-26T10:00:00Z","last_attempt":"2026-11-26T10:00:00Z","data":{"phones":[{"phone_number":""}]}}]}}}`
	os.WriteFile(path+JournalSuffix, []byte(`{"base":"`+w.file.id+`"}`+"\n"+line+"\n"), 0o600)

	c, err := ReadWith(path, meta, realCodecs(sourceNamesAll...))
	if err != nil || c.Journal != nil {
		t.Fatalf("%v, journal %v; want the file and its journal restored", err, c.Journal)
	}
	want := partsOf(snap)
	delete(want[phonenumbers.Name], "cams-00003")
	delete(want[phonenumbers.Name], "cams-00004")
	delete(want[waba.Name], "cams-00005")
	delete(want[messaginghealth.Name], "cams-00006")
	sameParts(t, "restored", c.Parts, want)
	if len(c.States) != 100 {
		t.Errorf("%d spaces restored, want 100", len(c.States))
	}
	var got []string
	for _, d := range c.Dropped {
		got = append(got, d.Error())
	}
	// The first of phone-numbers' two is whichever the file has first.
	firstNumbers := `space "cams-00003": json: cannot unmarshal string into Go value of type []phonenumbers.Number`
	numbersPart := body[strings.Index(body, `"phone-numbers":{"parts":[`):]
	if strings.Index(numbersPart, `"space":"cams-00004"`) < strings.Index(numbersPart, `"space":"cams-00003"`) {
		firstNumbers = `space "cams-00004": 1001 numbers, more than the 1000 of an answer`
	}
	wantLines := []string{
		`2 cached parts of collector "phone-numbers" left out: their data does not decode (the first: ` + firstNumbers + `); they are read afresh`,
		`1 cached parts of collector "waba" left out: their data does not decode (the first: space "cams-00005": an empty id); they are read afresh`,
		`1 cached parts of collector "messaging-health" left out: their data does not decode (the first: space "cams-00006": number 0: an empty id); they are read afresh`,
	}
	if !slices.Equal(got, wantLines) {
		t.Errorf("dropped\n%q\nwant\n%q", got, wantLines)
	}
	if !c.rewrite {
		t.Error("the next write is not of the whole file")
	}
}

// A space's part twice for one source is a corrupt file, refused whole as
// a space twice is; twice in one write of the journal, a corrupt journal.
func TestPartTwiceIsCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	p := `{"space":"cams-a","has_data":false,"up":false,"last_success":"0001-01-01T00:00:00Z","last_attempt":"2026-11-26T10:00:00Z"}`
	os.WriteFile(path, []byte(`{"version":4,"meta":{"endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","flow_name":"","flow_info":true},"write_id":"0123456789abcdef","spaces":null,`+
		`"sources":{"waba":{"parts":[`+p+`,`+p+`]}}}`), 0o600)
	if c, err := ReadWith(path, meta, realCodecs(waba.Name)); err == nil || !strings.Contains(err.Error(), `space "cams-a" twice in the parts of collector "waba"`) {
		t.Errorf("%v, %v; want the file refused", c, err)
	}
	os.WriteFile(path, []byte(`{"version":4,"meta":{"endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","flow_name":"","flow_info":true},"write_id":"0123456789abcdef","spaces":null,`+
		`"sources":{"waba":{"parts":[`+p+`]}}}`), 0o600)
	os.WriteFile(path+JournalSuffix, []byte(`{"base":"0123456789abcdef"}`+"\n"+`{"sources":{"waba":{"parts":[`+p+`],"gone":["cams-a"]}}}`+"\n"+`{"spaces":[]}`+"\n"), 0o600)
	c, err := ReadWith(path, meta, realCodecs(waba.Name))
	if err != nil || !errors.Is(c.Journal, ErrJournalIgnored) || len(c.Parts[waba.Name]) != 1 {
		t.Errorf("%v, journal %v, %d parts; want the journal left out, the file's part restored", err, c.Journal, len(c.Parts[waba.Name]))
	}
}

// copyFixture copies testdata/name (and its journal, if any) to a new
// directory, and returns the copy's path.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	for _, suffix := range []string{"", JournalSuffix} {
		data, err := os.ReadFile(filepath.Join("testdata", name+suffix))
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(path+suffix, data, 0o600)
	}
	return path
}

// testdata/v3.cache is a file and its journal as release 3 wrote them (the
// snapshot of sampleSnapshot, then cams-failing listed again a minute
// later): they restore as they did, with no part, nothing left out; the
// first write is of the whole file, in version 4, so that a journal of
// parts extends only a file that has them.
func TestReadVersion3(t *testing.T) {
	path := copyFixture(t, "v3.cache")
	c, err := ReadWith(path, meta, realCodecs(sourceNamesAll...))
	if err != nil || c.Journal != nil {
		t.Fatalf("%v, journal %v", err, c.Journal)
	}
	snap := sampleSnapshot()
	snap = snap.WithChanged(map[string]*snapshot.SpaceState{"cams-failing": listed(snap.Space("cams-failing"), t0.Add(time.Minute), 1), "cams-never": nil})
	want := map[string]*snapshot.SpaceState{}
	for id, st := range snap.All() {
		want[id] = st
	}
	sameStates(t, "version 3", c.States, want)
	if len(c.Parts) != 0 || c.Dropped != nil || !c.rewrite {
		t.Errorf("parts %v, dropped %v, rewrite %v; want none, nothing left out, the next write whole", c.Parts, c.Dropped, c.rewrite)
	}

	restored := snapshot.Snapshot{}.WithSpaces(c.States)
	w := journalWriterOf(t, path, restored, c)
	next := withPart(restored.WithSources(sourceStates(map[string]map[string]*snapshot.SpacePart{waba.Name: nil})), waba.Name, "cams-failing", partOf(4, spaceWABA(4)))
	writeSnapshot(t, w, next)
	data, _ := os.ReadFile(path)
	if w.wholes.Load() != 1 || !strings.HasPrefix(string(data), `{"version":4,`) {
		t.Errorf("%d whole writes, the file begins %.20s; want the whole file written in version 4", w.wholes.Load(), data)
	}
	c, err = ReadWith(path, meta, realCodecs(sourceNamesAll...))
	if err != nil {
		t.Fatal(err)
	}
	sameStates(t, "written again", c.States, want)
	sameParts(t, "written again", c.Parts, partsOf(next))
}

// A release that knows only version 3 refuses a file of version 4 as this
// one refuses a version it does not know: one line, nothing restored.
func TestNewerVersionRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	if err := Save(path, meta, withParts(freshSpaces(3), 3, 1), t0); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), `"version":4`, `"version":5`, 1)), 0o600)
	c, err := ReadWith(path, meta, realCodecs(sourceNamesAll...))
	if c != nil || err == nil || err.Error() != "cache file "+path+" has format version 5; this release reads versions 1 to 4" {
		t.Errorf("%v, %v; want the file refused", c, err)
	}
}

// At 10,000 spaces of 3 numbers, every part of every source comes back
// equal through the file and a journal, and into the runners: each
// runner's Restore takes its source's parts as they were published. The
// writer of that restore has nothing to write until a part changes.
func TestPartsRoundTripAt10000Spaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	snap := withParts(freshSpaces(10_000), 10_000, 3)
	w := journalWriterOf(t, path, nil, nil)
	writeSnapshot(t, w, snap)
	for i := range 50 { // a minute's calls, appended
		id := fmt.Sprintf("cams-%05d", i*197)
		snap = withPart(snap, phonenumbers.Name, id, partOf(i+1, spaceNumbers(i+20_000, 3)))
	}
	writeSnapshot(t, w, snap)
	if w.wholes.Load() != 1 || w.writes.Load() != 2 {
		t.Fatalf("%d writes, %d whole; want the file, then an append", w.writes.Load(), w.wholes.Load())
	}

	src := map[string]engine.Source{phonenumbers.Name: phonenumbers.New(nil, 0), waba.Name: waba.New(nil, 0), messaginghealth.Name: messaginghealth.New(nil, 0, 0)}
	codecs := Codecs{}
	for name, s := range src {
		codecs[name] = s.(interface {
			Decode(json.RawMessage) (any, error)
		}).Decode
	}
	c, err := ReadWith(path, meta, codecs)
	if err != nil || c.Journal != nil || c.Dropped != nil {
		t.Fatalf("%v, journal %v, dropped %v", err, c.Journal, c.Dropped)
	}
	sameParts(t, "read", c.Parts, partsOf(snap))

	ids := snap.SpaceIDs() // the spaces watched, whose parts the runners restore
	watched := engine.NewWatched(func() []string { return ids }, nil)
	var states []*snapshot.SourceState
	for _, name := range sourceNamesAll {
		r := engine.NewRunner(engine.Config{Source: src[name], Watched: watched})
		r.Restore(c.Parts[name])
		states = append(states, r.State())
	}
	c.Parts = nil
	restored := snapshot.Snapshot{}.WithSpaces(c.States).WithSources(states)
	sameParts(t, "restored into the runners", partsOf(restored), partsOf(snap))

	before := statFile(t, path)
	w = journalWriterOf(t, path, restored, c)
	writeSnapshot(t, w, restored)
	if w.writes.Load() != 0 || !statFile(t, path).same(before) {
		t.Errorf("%d writes of a restore with nothing new, want none", w.writes.Load())
	}
	writeSnapshot(t, w, withPart(restored, waba.Name, "cams-00042", partOf(1, spaceWABA(43))))
	if w.writes.Load() != 1 || w.wholes.Load() != 0 {
		t.Errorf("%d writes, %d whole; want a part changed appended", w.writes.Load(), w.wholes.Load())
	}
}

// The file Save writes with parts is, byte for byte, what encoding/json
// marshals the same spaces and parts to (each source's parts in the order
// Save met them, the sources by name as encoding/json writes a map): a
// source without a part is left out, and the key without any source. A
// part retained says since when; one not known gone yet is written as a
// watched one.
func TestSaveWithPartsIsEncodingJSON(t *testing.T) {
	snap := withParts(freshSpaces(300), 300, 3)
	empty := snapshot.NewSourceState("empty", "Op")
	never := snapshot.NewSourceState("never", "Op").WithParts(map[string]*snapshot.SpacePart{"cams-00001": {}}) // never attempted: not saved
	onlyRetained := snapshot.NewSourceState("only-retained", "Op").WithRetained(map[string]*snapshot.KeptPart{
		"cams-00400": {Part: partOf(400, "x"), RetainedSince: t0.Add(-time.Minute)}, "cams-00401": {Part: partOf(401, "y")}})
	for name, snap := range map[string]*snapshot.Snapshot{
		"parts":           snap.WithSources(append(slices.Clone(snap.Sources()), empty, never)),
		"only empty ones": snap.WithSources([]*snapshot.SourceState{empty, never}),
		"retained":        retainFirst(snap, 40, t0.Add(-time.Hour)).WithSources(append(slices.Clone(retainFirst(snap, 40, t0.Add(-time.Hour)).Sources()), onlyRetained)),
	} {
		path := filepath.Join(t.TempDir(), "cache.json")
		if err := Save(path, meta, snap, t0); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		var written struct {
			WriteID string `json:"write_id"`
		}
		json.Unmarshal(got, &written)
		want := file{Version: formatVersion, Meta: meta, SavedAt: t0, WriteID: written.WriteID}
		for id, st := range snap.Kept() {
			want.Spaces = append(want.Spaces, spaceOf(id, st))
		}
		for _, st := range snap.Sources() {
			for space, k := range st.Kept() {
				if k.Part.LastAttempt.IsZero() {
					continue
				}
				if want.Sources == nil {
					want.Sources = map[string]sourceParts{}
				}
				var entry part
				json.Unmarshal([]byte(keptJSON(t, space, k)), &entry)
				sp := want.Sources[st.Name]
				sp.Parts = append(sp.Parts, entry)
				want.Sources[st.Name] = sp
			}
		}
		wantBytes, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(wantBytes) {
			t.Errorf("%s: the file is not what encoding/json writes (%d bytes, want %d)", name, len(got), len(wantBytes))
		}
		// 30 of the first 40 of each of the 3 sources, and one of
		// only-retained: every fourth is not known gone.
		if n, want := strings.Count(string(got), `"retained_since":"`), map[bool]int{true: 3*30 + 1}[name == "retained"]; n != want {
			t.Errorf("%s: %d parts say since when they are retained, want %d", name, n, want)
		}
	}
}

// A file whose parts carry texts far longer than any answer, more label
// values than a label keeps, ids no space has and many sources no
// exporter has restores them bounded: texts cut, values past the 30 a
// label keeps folded into _other, those ids left out, and the sources
// named at most maxDroppedSources times, the rest counted together.
func TestHostilePartsAreBounded(t *testing.T) {
	huge := strings.Repeat("ü", 1<<20) // 2 MB
	hugeError := map[string]string{"code": huge, "message": huge, "request_id": huge, "recommend": huge, "class": huge}
	var numbers []map[string]string
	for k := range 40 {
		numbers = append(numbers, map[string]string{"phone_number": fmt.Sprint("86138000000", k), "status": fmt.Sprint("STATUS_", k)})
	}
	numbers[0]["verified_name"], numbers[0]["quality_rating"] = huge, huge
	sources := map[string]any{
		phonenumbers.Name: map[string]any{"parts": []any{
			map[string]any{"space": "cams-hostile", "has_data": true, "up": false, "last_attempt": t0, "last_error": hugeError, "data": numbers},
			map[string]any{"space": strings.Repeat("c", 129), "has_data": true, "last_attempt": t0, "data": numbers},
		}},
	}
	for k := range 40 {
		sources[fmt.Sprint("gone-collector-", k)] = map[string]any{"parts": []any{map[string]any{"space": "cams-x", "last_attempt": t0}}}
	}
	body, _ := json.Marshal(map[string]any{"version": formatVersion, "meta": meta, "saved_at": t0, "spaces": nil, "sources": sources})
	path := filepath.Join(t.TempDir(), "cache.json")
	os.WriteFile(path, body, 0o600)

	c, err := ReadWith(path, meta, realCodecs(phonenumbers.Name))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Parts[phonenumbers.Name]) != 1 {
		t.Fatalf("%d parts restored, want 1 (the id of 129 bytes left out)", len(c.Parts[phonenumbers.Name]))
	}
	p := c.Parts[phonenumbers.Name]["cams-hostile"]
	for name, s := range map[string]string{"code": p.LastError.Code, "message": p.LastError.Message, "request id": p.LastError.RequestID,
		"recommend": p.LastError.Recommend, "class": p.LastError.Class} {
		if len(s) > 512 {
			t.Errorf("error %s restored with %d bytes, want at most 512", name, len(s))
		}
	}
	other := 0
	for _, n := range p.Data.(phonenumbers.Numbers) {
		if len(n.VerifiedName) > 512 || len(n.QualityRating) > 128 {
			t.Errorf("number %s restored with a name of %d bytes and a rating of %d", n.PhoneNumber, len(n.VerifiedName), len(n.QualityRating))
		}
		if n.Status == "_other" {
			other++
		}
	}
	if other != 10 {
		t.Errorf("%d statuses folded into _other, want the 10 past the 30 kept", other)
	}
	if len(c.Dropped) != maxDroppedSources+1 || c.Dropped[maxDroppedSources].Source != otherSources || c.Dropped[maxDroppedSources].Parts != 40-maxDroppedSources {
		t.Errorf("%d sources named as dropped, want %d and the other %d counted together", len(c.Dropped), maxDroppedSources, 40-maxDroppedSources)
	}
}
