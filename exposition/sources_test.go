package exposition

import (
	"bytes"
	"compress/gzip"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
)

// sampleKey is the key of a sample in a parsedExposition: its name and its
// labels, given as name, value pairs.
func sampleKey(name string, labels ...string) string {
	var pairs []string
	for i := 0; i < len(labels); i += 2 {
		pairs = append(pairs, labels[i]+"="+strconv.Quote(labels[i+1]))
	}
	slices.Sort(pairs)
	return name + "{" + strings.Join(pairs, ",") + "}"
}

// TestSourcesSeriesServed checks, on the odd snapshot with the three sources
// on, series that the sources' data and states call for, written out here
// from the fixture: the handler serves each source's parts (not only as
// much as the reference does), once, and nothing of a source the schema
// does not have.
func TestSourcesSeriesServed(t *testing.T) {
	const quoted, bad = `cams-"quoted"`, "back\\slash\nand\uFFFDbad"
	h := fresh(oddSourcesSnapshot(), withSources(collector.Options{}))
	for _, f := range formats {
		got, contentType := scrape(t, h, f.accept, f.enc, "")
		var p *parsedExposition
		switch {
		case strings.HasPrefix(contentType, "application/openmetrics-text"):
			var err error
			if p, err = parseOpenMetrics(string(got)); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(contentType, "text/plain"):
			p = parseText(t, "exporter", got)
		default:
			p = parseProto(t, "exporter", got)
		}
		want := map[string]float64{
			sampleKey("cams_collector_space_up", "collector", "phone-numbers", "space", quoted):                                             0,
			sampleKey("cams_collector_space_up", "collector", "phone-numbers", "space", "cams-only-numbers"):                                1,
			sampleKey("cams_collector_space_up", "collector", "waba", "space", bad):                                                         0,
			sampleKey("cams_collector_space_error_info", "code", "HTTP_503", "collector", "waba", "space", bad):                             1,
			sampleKey("cams_collector_space_error_info", "code", "Ram.PermissionDeny", "collector", "phone-numbers", "space", "cams-never"): 1,
			sampleKey("cams_collector_space_last_success_timestamp_seconds", "collector", "messaging-health", "space", ""):                  1767225600.25,
			sampleKey("cams_phone_numbers", "space", ""):                                                                                    4,
			sampleKey("cams_phone_numbers", "space", bad):                                                                                   0,
			sampleKey("cams_phone_number_state", "code_verification_status", "", "messaging_limit_tier", "TIER_10", "name_status", "Pending_Review",
				"phone_number", "+86\"138\\", "quality_rating", "ünï", "space", "", "status", "new\nstatus"): 1,
			sampleKey("cams_phone_number_messaging_limit", "phone_number", "+8613800000001", "space", ""):                                         1000,
			sampleKey("cams_phone_number_messaging_limit", "phone_number", "+8613800000002", "space", ""):                                         math.Inf(1),
			sampleKey("cams_phone_number_messaging_limit", "phone_number", "+449", "space", "cams-only-numbers"):                                  math.Inf(1),
			sampleKey("cams_waba_bound", "space", quoted):                                                                                         0,
			sampleKey("cams_waba_info", "account_review_status", "_other", "business_id", "ünï", "space", bad, "waba_id", "w\"a\\b\n"):            1,
			sampleKey("cams_messaging_health", "can_send_message", "LIMITED", "node", "waba", "phone_number", "", "space", ""):                    1,
			sampleKey("cams_messaging_health_entity", "can_send_message", "BLOCKED", "entity_id", "app \"1\"", "entity_type", "APP", "space", ""): 1,
			sampleKey("cams_messaging_health_error_info", "entity_type", "WABA", "error_code", "141010", "space", ""):                             1,
			sampleKey("cams_collector_spaces", "collector", "waba", "state", "up"):                                                                2,
		}
		for k, v := range want {
			if gv, ok := p.samples[k]; !ok || gv != v {
				t.Errorf("%s %s: %s = %v (present %v), want %v", f.accept, f.enc, k, gv, ok, v)
			}
		}
		for _, absent := range []string{
			sampleKey("cams_phone_number_messaging_limit", "phone_number", "+86\"138\\", "space", ""), // TIER_10: unmapped
			sampleKey("cams_phone_number_messaging_limit", "phone_number", "+8613800000003", "space", ""),
			sampleKey("cams_collector_space_up", "collector", "ghost", "space", ""),
			sampleKey("cams_collector_space_up", "collector", "waba", "space", "cams-never"),
			sampleKey("cams_messaging_health", "can_send_message", "", "node", "phone", "phone_number", "+8613800000003", "space", ""),
		} {
			if _, ok := p.samples[absent]; ok {
				t.Errorf("%s %s: %s is served", f.accept, f.enc, absent)
			}
		}
		up := map[string]int{}
		for k := range p.samples {
			if rest, ok := strings.CutPrefix(k, `cams_collector_space_up{collector="`); ok {
				up[rest[:strings.IndexByte(rest, '"')]]++
			}
		}
		if wantUp := map[string]int{"phone-numbers": 5, "waba": 3, "messaging-health": 3}; !maps.Equal(up, wantUp) {
			t.Errorf("%s %s: cams_collector_space_up series by collector %v, want %v", f.accept, f.enc, up, wantUp)
		}
	}
}

// withPart returns snap with the part of space in the source named source
// replaced by part, the other sources' states kept as they are.
func withPart(snap *snapshot.Snapshot, source, space string, part *snapshot.SpacePart) *snapshot.Snapshot {
	states := slices.Clone(snap.Sources())
	for i, st := range states {
		if st.Name == source {
			states[i] = st.WithParts(map[string]*snapshot.SpacePart{space: part})
		}
	}
	return snap.WithSources(states)
}

// rendered reports whether every bucket of v has been rendered in format f
// and encoding gz.
func rendered(v *view, f format, gz bool) bool {
	for _, set := range v.sets {
		for _, b := range set.buckets {
			if b.segs[f.kind()][index(gz)].Load() == nil {
				return false
			}
		}
	}
	return true
}

// TestPartChangeCostsItsBucket changes one space's part of one source: the
// next view shares every bucket but that one (of that source's table), the
// other sources' bucket sets whole (their states were not even compared),
// and the next scrape renders that bucket only. Then a change of the flows alone leaves every source's
// buckets as they are. Every view serves what a fresh handler serves.
func TestPartChangeCostsItsBucket(t *testing.T) {
	opts := withSources(collector.Options{})
	s1 := withTestSources(testSnapshot(2000, 0), 3)
	var cur atomic.Pointer[snapshot.Snapshot]
	cur.Store(s1)
	h := NewHandler(Options{Snapshot: cur.Load, Metrics: opts, Gatherer: self})
	for _, f := range formats {
		body(t, h, f.accept, f.enc)
	}
	v1 := h.store.view(s1)
	if len(v1.sets) != 4 || !rendered(v1, formatText, true) {
		t.Fatalf("%d tables, rendered %v; want the flows' and 3 sources', rendered", len(v1.sets), rendered(v1, formatText, true))
	}
	for i, set := range v1.sets {
		if n := len(set.buckets); n != 16 { // 2,000 spaces: 16 buckets of 125 (TestBucketCount)
			t.Fatalf("table %d in %d buckets, want 16", i, n)
		}
	}

	id := s1.SpaceIDs()[700]
	part := *s1.Source(phonenumbers.Name).Part(id)
	numbers := slices.Clone(part.Data.(phonenumbers.Numbers))
	numbers[1].QualityRating, numbers[1].Status = "RED", "FLAGGED"
	part.Data = numbers
	s2 := withPart(s1, phonenumbers.Name, id, &part)
	cur.Store(s2)
	v2 := h.store.view(s2)
	if !slices.Equal(flowBuckets(v2), flowBuckets(v1)) {
		t.Error("new buckets of the flows though none of their spaces changed")
	}
	for i := 2; i < len(v1.sets); i++ {
		if v2.sets[i] != v1.sets[i] {
			t.Errorf("table %d: new buckets though none of its spaces changed", i)
		}
	}
	changed := bucketOf(id, 16)
	for i, b := range v2.sets[1].buckets {
		if rebuilt := b != v1.sets[1].buckets[i]; rebuilt != (i == changed) {
			t.Errorf("phone numbers' bucket %d rebuilt: %v, want only the changed space's (%d)", i, rebuilt, changed)
		}
	}
	got := body(t, h, "text/plain;version=0.0.4", "gzip")
	if b := v2.sets[1].buckets[changed]; b.segs[kindText][1].Load() == nil || b.segs[kindText][0].Load() != nil {
		t.Error("the changed bucket was not rendered for the scrape, or was rendered uncompressed too")
	}
	if want := body(t, fresh(s2, opts), "text/plain;version=0.0.4", "gzip"); !bytes.Equal(got, want) {
		t.Error("after a part changed: not what a fresh handler serves")
	}
	if !strings.Contains(string(gunzip(t, got)), `quality_rating="RED",space="`+id+`",status="FLAGGED"`) {
		t.Error("the changed number is not served as changed")
	}

	flowsOnly := *s2.Space(id)
	flowsOnly.Count++
	s3 := s2.WithChanged(map[string]*snapshot.SpaceState{id: &flowsOnly})
	v3 := h.store.view(s3)
	for i := 1; i < len(v3.sets); i++ {
		if v3.sets[i] != v2.sets[i] {
			t.Errorf("table %d: new buckets though only the flows changed", i)
		}
	}
	for i, b := range flowBuckets(v3) {
		if rebuilt := b != flowBuckets(v2)[i]; rebuilt != (i == changed) {
			t.Errorf("flows' bucket %d rebuilt: %v, want only the changed space's (%d)", i, rebuilt, changed)
		}
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSourcesComeAndGo serves a snapshot whose sources appear, lose every
// part, vanish and come back (a source turned on, a state restored): each
// time what a fresh handler serves, with a table of a source the snapshot
// lacks in no bucket.
func TestSourcesComeAndGo(t *testing.T) {
	opts := withSources(collector.Options{})
	flows := testSnapshot(500, 0)
	full := withTestSources(flows, 3)
	empty := flows.WithSources(sourceStates(nil, nil, nil))
	onlyWABA := flows.WithSources(full.Sources()[1:2])
	var cur atomic.Pointer[snapshot.Snapshot]
	h := NewHandler(Options{Snapshot: cur.Load, Metrics: opts, Gatherer: self})
	for i, s := range []*snapshot.Snapshot{flows, full, empty, full, onlyWABA, flows, full} {
		cur.Store(s)
		for _, f := range formats {
			if got, want := body(t, h, f.accept, f.enc), body(t, fresh(s, opts), f.accept, f.enc); !bytes.Equal(got, want) {
				t.Errorf("snapshot %d, %s %s: not what a fresh handler serves", i, f.accept, f.enc)
			}
		}
		for j, set := range h.store.view(s).sets[1:] {
			if present := s.Source(h.store.r.tables[j+1].source) != nil; (set != nil) != present {
				t.Errorf("snapshot %d: table %s in buckets %v, in the snapshot %v", i, h.store.r.tables[j+1].source, set != nil, present)
			}
		}
	}
}
