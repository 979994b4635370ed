package health

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
)

// maxSpaceEntryBytes bounds a space's entry in /status with the four
// sources' parts, written indented, whatever CAMS answered: each part's
// data is at most MaxPartDataBytes compact, and indentation adds at most
// twice as much again to the shortest lines.
const maxSpaceEntryBytes = 4*3*MaxPartDataBytes + 64<<10

// numbersNeedingAttention returns n numbers of space 0, every step-th of
// them (from the last) FLAGGED and RED; texts of textBytes when > 0.
func numbersNeedingAttention(n, step, textBytes int) phonenumbers.Numbers {
	ns := numbersOf(0, n)
	for j := range ns {
		if textBytes > 0 {
			ns[j].VerifiedName = hostileText("", textBytes)
			ns[j].NewNameStatus, ns[j].IsOfficial = hostileText("", 128), hostileText("", 128)
		}
		if (n-1-j)%step == 0 {
			ns[j].Status, ns[j].QualityRating = "FLAGGED", "RED"
		}
	}
	return ns
}

// bigNode is a WABA's answer of entities entities of errors errors each,
// every text as long as the client keeps it and escaped the longest.
func bigNode(entities, errors int) *messaginghealth.Answer {
	n := &messaginghealth.Answer{Node: messaginghealth.Node{WabaID: hostileText("w", 128), Checked: t0, CanSendMessage: "BLOCKED"}}
	for i := range entities {
		e := messaginghealth.Entity{Type: "APP", ID: hostileText(fmt.Sprint(i), 128), CanSendMessage: "BLOCKED"}
		for j := range errors {
			e.Errors = append(e.Errors, messaginghealth.Error{Code: hostileText(fmt.Sprint(j), 128), Description: hostileText("", 512), Solution: hostileText("", 512)})
		}
		n.Entities = append(n.Entities, e)
	}
	return n
}

// A space's part shows its data whole up to MaxPartDataBytes; beyond, the
// worst items first, in the data's order, and data_omitted counts the
// rest. Its entry in /status stays bounded: measured here with 3 numbers
// and with 1,000.
func TestStatusJSONPartDataIsBounded(t *testing.T) {
	thousand := numbersNeedingAttention(1000, 37, 0)
	hostileNumbers := numbersNeedingAttention(1000, 37, 512)
	thousandAnswers := healthAnswersOf(0, thousand)
	blockedLast := &thousandAnswers.phones[999]
	blockedLast.CanSendMessage, blockedLast.Entities[3] = "BLOCKED", withHealth(blockedLast.Entities[3], "BLOCKED", "131031")
	thousandHealth := thousandAnswers.health()
	oneBigNode := messaginghealth.FromAnswers(bigNode(100, 20))
	bigAndSmallAnswers := healthAnswersOf(0, numbersOf(0, 3))
	bigAndSmallAnswers.waba = bigNode(100, 20)
	bigAndSmall := bigAndSmallAnswers.health()

	tests := []struct {
		name    string
		numbers phonenumbers.Numbers
		health  messaginghealth.Health
		// wantWhole: the data is shown whole, nothing omitted.
		wantWhole bool
		// mustKeep: numbers (or phone nodes) that must be kept whole.
		mustKeep []string
		// wantEntitiesBrief: the WABA node is kept, and its entities, too
		// large whole, are kept without their errors or left out.
		wantEntitiesBrief bool
	}{
		{name: "3 numbers", numbers: numbersOf(0, 3), health: healthOf(0, numbersOf(0, 3)), wantWhole: true},
		{name: "1,000 numbers", numbers: thousand, health: thousandHealth, mustKeep: attention(thousand, blockedLast.PhoneNumber)},
		{name: "1,000 numbers of the longest texts", numbers: hostileNumbers, health: healthOf(0, hostileNumbers), mustKeep: attention(hostileNumbers)[:5]},
		{name: "a node larger than the bound", numbers: numbersOf(0, 1), health: oneBigNode, wantEntitiesBrief: true},
		{name: "a node larger than the bound, and 3 numbers", numbers: numbersOf(0, 3), health: bigAndSmall, wantEntitiesBrief: true,
			mustKeep: []string{bigAndSmall.Phones[0].PhoneNumber, bigAndSmall.Phones[2].PhoneNumber}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := snapOf(space("cams-a", true, 0)).WithSources([]*snapshot.SourceState{
				sourceState(phoneNumbers, time.Minute, 0, 0, map[string]*snapshot.SpacePart{"cams-a": upPart(0, tt.numbers)}),
				sourceState(wabas, time.Minute, 0, 0, map[string]*snapshot.SpacePart{"cams-a": upPart(0, wabaOf(0))}),
				sourceState(messagingHealth, time.Minute, 0, 0, map[string]*snapshot.SpacePart{"cams-a": upPart(0, tt.health)}),
			})
			st := checkerOf(snap).Status()
			entry, err := json.MarshalIndent(st.Spaces[0], "    ", "  ")
			if err != nil {
				t.Fatal(err)
			}
			parts := st.Spaces[0].Collectors
			t.Logf("the space's entry is %d bytes; data: numbers %d, WABA %d, health %d (compact); omitted: numbers %v, health %v",
				len(entry), len(dataJSON(t, parts[phoneNumbers])), len(dataJSON(t, parts[wabas])), len(dataJSON(t, parts[messagingHealth])),
				parts[phoneNumbers].DataOmitted, parts[messagingHealth].DataOmitted)
			if len(entry) > maxSpaceEntryBytes {
				t.Errorf("the space's entry is %d bytes, more than %d", len(entry), maxSpaceEntryBytes)
			}
			for name, p := range parts {
				if size := len(dataJSON(t, p)); size > MaxPartDataBytes {
					t.Errorf("%s: %d bytes of data, more than %d", name, size, MaxPartDataBytes)
				}
			}
			var ns phonenumbers.Numbers
			var h messaginghealth.Health
			if err := json.Unmarshal(dataJSON(t, parts[phoneNumbers]), &ns); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(dataJSON(t, parts[messagingHealth]), &h); err != nil {
				t.Fatal(err)
			}
			if tt.wantWhole {
				if !reflect.DeepEqual(ns, tt.numbers) || !reflect.DeepEqual(h, tt.health) || parts[phoneNumbers].DataOmitted != nil || parts[messagingHealth].DataOmitted != nil {
					t.Errorf("the data is not whole: %d numbers, omitted %v and %v", len(ns), parts[phoneNumbers].DataOmitted, parts[messagingHealth].DataOmitted)
				}
				return
			}
			checkSubsequence(t, "numbers", ns, tt.numbers, func(n phonenumbers.Number) string { return n.PhoneNumber })
			if omitted := parts[phoneNumbers].DataOmitted["numbers"]; omitted != len(tt.numbers)-len(ns) {
				t.Errorf("%d numbers shown of %d, %d omitted", len(ns), len(tt.numbers), omitted)
			}
			// A node is shown whole, naming the entities shown; an entity
			// whole, or without its errors once whole it no longer fits.
			briefErrors := 0
			entities := make([]messaginghealth.Entity, len(h.Entities))
			for i, e := range h.Entities {
				entities[i] = e
				for _, all := range tt.health.Entities {
					if all.Type == e.Type && all.ID == e.ID && e.Errors == nil && all.Errors != nil {
						entities[i], briefErrors = all, briefErrors+len(all.Errors)
					}
				}
			}
			checkSubsequence(t, "entities", entities, tt.health.Entities, func(e messaginghealth.Entity) string { return e.Type + " " + e.ID })
			names := func(h messaginghealth.Health, n *messaginghealth.Node) []string {
				var out []string
				for e := range h.NamedBy(n) {
					if slices.ContainsFunc(entities, func(x messaginghealth.Entity) bool { return x.Type == e.Type && x.ID == e.ID }) {
						out = append(out, e.Type+" "+e.ID)
					}
				}
				return out
			}
			wholeNode := func(shown *messaginghealth.Node, all []messaginghealth.Node) messaginghealth.Node {
				for i := range all {
					if all[i].PhoneNumber == shown.PhoneNumber {
						if !slices.Equal(names(h, shown), names(tt.health, &all[i])) {
							t.Errorf("node %.20q names %q, want %q: those of its entities shown", shown.PhoneNumber, names(h, shown), names(tt.health, &all[i]))
						}
						return all[i]
					}
				}
				return *shown
			}
			phones := make([]messaginghealth.Node, len(h.Phones))
			for i := range h.Phones {
				phones[i] = wholeNode(&h.Phones[i], tt.health.Phones)
			}
			checkSubsequence(t, "phone nodes", phones, tt.health.Phones, func(n messaginghealth.Node) string { return n.PhoneNumber })
			wabaKept := 0
			if h.WABA != nil {
				wabaKept = 1
				wholeNode(h.WABA, []messaginghealth.Node{*tt.health.WABA})
			}
			omitted := parts[messagingHealth].DataOmitted
			if omitted["nodes"] != 1+len(tt.health.Phones)-len(h.Phones)-wabaKept || omitted["entities"] != len(tt.health.Entities)-len(h.Entities) || omitted["errors"] != briefErrors {
				t.Errorf("%d phone nodes shown of %d, the WABA's %d times, %d entities of %d, %d errors left out; omitted %v",
					len(h.Phones), len(tt.health.Phones), wabaKept, len(h.Entities), len(tt.health.Entities), briefErrors, omitted)
			}
			for _, number := range tt.mustKeep {
				if !hasNumber(ns, number) && !hasNode(h, number) {
					t.Errorf("%s, which needs attention, is not shown", number)
				}
			}
			if tt.wantEntitiesBrief {
				if h.WABA == nil || h.WABA.CanSendMessage != "BLOCKED" || briefErrors == 0 || omitted["entities"] == 0 {
					t.Errorf("the large WABA node: %+v, %d entities shown, omitted %v; want it shown, its entities brief while they fit", h.WABA, len(h.Entities), omitted)
				}
			}
		})
	}
}

// attention returns the numbers of ns that need attention, and more.
func attention(ns phonenumbers.Numbers, more ...string) []string {
	var out []string
	for _, n := range ns {
		if n.Status != "CONNECTED" {
			out = append(out, n.PhoneNumber)
		}
	}
	return append(out, more...)
}

func hasNumber(ns phonenumbers.Numbers, number string) bool {
	for _, n := range ns {
		if n.PhoneNumber == number {
			return true
		}
	}
	return false
}

func hasNode(h messaginghealth.Health, number string) bool {
	for _, n := range h.Phones {
		if n.PhoneNumber == number {
			return true
		}
	}
	return false
}

// checkSubsequence checks that got is whole items of all, in all's order.
func checkSubsequence[T any](t *testing.T, what string, got, all []T, key func(T) string) {
	t.Helper()
	j := 0
	for _, g := range got {
		for j < len(all) && key(all[j]) != key(g) {
			j++
		}
		if j == len(all) || !reflect.DeepEqual(g, all[j]) {
			t.Errorf("%s: %s is not one of the data's, whole and in order", what, strings.TrimSpace(key(g)[:min(len(key(g)), 40)]))
			return
		}
		j++
	}
}

// writes records what /status writes: bytes, writes and the largest;
// the spaces' entries, those with collectors and the templates' data.
type writes struct{ total, count, largest, entries, withCollectors, templateData int }

func (w *writes) Write(p []byte) (int, error) {
	w.total += len(p)
	w.count++
	w.largest = max(w.largest, len(p))
	w.entries += bytes.Count(p, []byte("\n      \"space\": "))
	w.withCollectors += bytes.Count(p, []byte("\n      \"collectors\": {"))
	w.templateData += bytes.Count(p, []byte("\"templates_by_status\": {"))
	return len(p), nil
}

// withLargeSpaces gives every step-th space of snap 1,000 numbers (the
// most an answer may hold) and their health: one value, shared.
func withLargeSpaces(snap *snapshot.Snapshot, step int) *snapshot.Snapshot {
	ns := numbersNeedingAttention(1000, 37, 0)
	numbers, health := map[string]*snapshot.SpacePart{}, map[string]*snapshot.SpacePart{}
	numbersPart, healthPart := upPart(time.Minute, ns), upPart(time.Hour, healthOf(0, ns))
	for id := range snap.All() {
		var i int
		if _, err := fmt.Sscanf(id, "cams-%d", &i); err == nil && i%step == 0 {
			numbers[id], health[id] = numbersPart, healthPart
		}
	}
	src := snap.Sources()
	return snap.WithSources([]*snapshot.SourceState{src[0].WithParts(numbers), src[1], src[2].WithParts(health)})
}

// /status at 10,000 spaces with the three sources on: every space with
// its parts, the answer's size in proportion to the spaces, and written a
// space at a time (no write larger than a space's bounded entry), with
// spaces of 3 numbers and with one space in 1,000 of 1,000; and with the
// templates on too, 50 a space, at 2,000 spaces (what 10,000 cost the
// race detector: 35 s; the answer's size is in proportion, and the page
// is tested at 10,000, TestStatusPageTemplatesAtScale).
func TestStatusJSONAtScale(t *testing.T) {
	tests := []struct {
		name string
		n    int
		snap *snapshot.Snapshot
		// maxBytes bounds the answer: the spaces' entries and the head.
		maxBytes int
		// templateData: the spaces whose templates are shown.
		templateData int
	}{
		{"3 numbers a space", 10000, sourcesAccount(10000, 3), 10000 * 8 << 10, 0},
		{"one space in 1,000 of 1,000 numbers", 10000, withLargeSpaces(sourcesAccount(10000, 3), 1000), 10000*8<<10 + 10*maxSpaceEntryBytes, 0},
		// A template's entry, indented, is under 320 bytes; every 11th
		// space's listing failed without data.
		{"and 50 templates a space", 2000, withTemplates(sourcesAccount(2000, 3), 50), 2000*8<<10 + 2000*50*320, 2000 - (2000+6)/11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w writes
			if err := checkerOf(tt.snap).writeStatus(&w, statusQuery{}); err != nil {
				t.Fatal(err)
			}
			t.Logf("%d bytes (%.0f a space) in %d writes, the largest %d", w.total, float64(w.total)/float64(tt.n), w.count, w.largest)
			if w.entries != tt.n || w.withCollectors != tt.n || w.templateData != tt.templateData {
				t.Errorf("%d spaces, %d with collectors, %d with templates; want %d, %d and %d", w.entries, w.withCollectors, w.templateData, tt.n, tt.n, tt.templateData)
			}
			if w.total > tt.maxBytes {
				t.Errorf("an answer of %d bytes, more than %d", w.total, tt.maxBytes)
			}
			if w.largest > maxSpaceEntryBytes {
				t.Errorf("a write of %d bytes: more than a space's entry (%d)", w.largest, maxSpaceEntryBytes)
			}
		})
	}
}
