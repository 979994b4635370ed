package templates

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
)

// fixtureListings are a space's two listings: the first of three
// templates, the second of seven (a template paused since, an undocumented
// status and category, a template disabled) whose Total says eight.
func fixtureListings() (first, second []client.Template) {
	second = []client.Template{
		{TemplateCode: "welcome", Language: "en_US", Category: "MARKETING", AuditStatus: "pass", TemplateName: "Welcome", LastUpdateTime: 1700000000000},
		{TemplateCode: "welcome", Language: "es_ES", Category: "MARKETING", AuditStatus: "paused", TemplateName: "Bienvenida", LastUpdateTime: 1700000001000},
		{TemplateCode: "otp", Language: "en_US", Category: "AUTHENTICATION", AuditStatus: "fail", Reason: "INVALID_FORMAT", LastUpdateTime: 1700000002000},
		{TemplateCode: "receipt", Language: "en_US", Category: "UTILITY", AuditStatus: "auditing"},
		{TemplateCode: "receipt", Language: "fr_FR", Category: "UTILITY", AuditStatus: "APPROVED"},
		{TemplateCode: "promo", Language: "en_US", Category: "SERVICE", AuditStatus: "disabled", Reason: "Quality"},
		{TemplateCode: "promo", Language: "de_DE", Category: "MARKETING", AuditStatus: "unaudit"},
	}
	first = []client.Template{second[0], second[2], {TemplateCode: "welcome", Language: "es_ES", Category: "MARKETING", AuditStatus: "pass"}}
	return first, second
}

// The cache file holds a part as the release before the counts moved
// inline wrote it (testdata/part-cbc0273.json, written by cbc0273 from
// fixtureListings, budget 2): byte for byte the same from the same
// listings, and read back to the same counts and bytes.
func TestCacheFileShapeIsUnchanged(t *testing.T) {
	want, err := os.ReadFile("testdata/part-cbc0273.json")
	if err != nil {
		t.Fatal(err)
	}
	first, second := fixtureListings()
	s := New(nil, 0, 20, 0, Options{MaxProblemSeries: 2})
	p := s.Apply("cs-1", nil, listed(t, "cs-1", first), nil)
	p = s.Apply("cs-1", p, []engine.Done{{Task: engine.Task{Space: "cs-1"}, At: t1, Value: listingOf(t, second, 8)}}, nil)
	got, err := json.Marshal(p.Data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bytes.TrimSpace(want)) {
		t.Errorf("the part in the cache file:\n%s\nwant\n%s", got, want)
	}
	data, err := New(nil, 0, 20, 0, Options{}).Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	back := data.(Templates)
	if back.Count() != 7 || back.StatusCount("APPROVED") != 1 || back.StatusCount(StatusPass) != 1 || back.Problems() != 3 || back.NoneUsable() {
		t.Errorf("read back: %d templates, %d APPROVED, %d pass, %d problems, none usable %v; want 7, 1, 1, 3, false",
			back.Count(), back.StatusCount("APPROVED"), back.StatusCount(StatusPass), back.Problems(), back.NoneUsable())
	}
	back.ProblemSeries = back.claim // granted again on restore (Enter)
	if again, _ := json.Marshal(back); !bytes.Equal(again, bytes.TrimSpace(want)) {
		t.Errorf("read back and written again:\n%s\nwant\n%s", again, want)
	}
}
