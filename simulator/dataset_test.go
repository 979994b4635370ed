package simulator

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLoadDataset(t *testing.T) {
	d := loadSmall(t)
	var ids []string
	flows := 0
	for _, sp := range d.Spaces {
		ids = append(ids, sp.ID)
		flows += len(sp.Flows)
	}
	if want := []string{"", "cams-1a2b3c4d", "cams-empty000", "cams-denied00", "cams-unsub000"}; !slices.Equal(ids, want) {
		t.Errorf("space ids %q, want %q", ids, want)
	}
	if flows != 13 || d.Spaces[3].Error != CodeRAMPermissionDeny {
		t.Errorf("%d flows, space 3 error %q", flows, d.Spaces[3].Error)
	}
	want := Flow{FlowId: "1004", FlowName: "my flow* 4", Categories: []string{"LEAD_GENERATION", "SURVEY", "OTHER"}}
	if got := d.Spaces[0].Flows[3]; !reflect.DeepEqual(got, want) {
		t.Errorf("flow 4 = %+v, want %+v", got, want)
	}
}

func TestLoadDatasetBad(t *testing.T) {
	tests := []struct{ file, want string }{
		{"testdata/bad-duplicate-space.json", `duplicate space id "cams-a"`},
		{"testdata/bad-unknown-field.json", `unknown field "State"`},
		{"testdata/bad-unknown-code.json", `error code "Ram.NoSuchThing" is not one the simulator knows`},
		{"testdata/bad-syntax.json", "line 2"},
		{"testdata/bad-reserved-id.json", `"_" is reserved`},
		{"testdata/bad-empty-flowid.json", "empty FlowId"},
		{"testdata/bad-trailing.json", "unexpected data after"},
		{"testdata/bad-type.json", "line 1"},
		{"testdata/no-such-file.json", "no such file"},
		{"testdata/bad-duplicate-number.json", `space "cams-a": phoneNumbers[1]: duplicate PhoneNumber "6591000001"`},
		{"testdata/bad-empty-phonenumber.json", `space "cams-a": phoneNumbers[0]: empty PhoneNumber`},
		{"testdata/bad-waba-without-id.json", `space "cams-a": waba: empty WABA Id`},
		{"testdata/bad-entity-without-type.json", `space "cams-a": extraEntities[0]: empty EntityType`},
		{"testdata/bad-health-field.json", `unknown field "Reason"`},
		{"testdata/bad-duplicate-template.json", `space "cams-x": templates[2]: duplicate template (TemplateCode and Language): "abc" in "en_US"`},
		{"testdata/bad-empty-templatecode.json", `space "cams-x": templates[0]: empty TemplateCode`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := LoadDataset(tt.file)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.file) || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q; want one line naming the file and %q", msg, tt.want)
			}
		})
	}
}

func TestDatasetJSONRoundTrip(t *testing.T) {
	d := Generate(5, 3, 4)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Dataset
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(&back, d) {
		t.Errorf("round trip changed the data set: %v", err)
	}
	for _, field := range []string{`"FlowId":`, `"Categories":[`, `"phoneNumbers":[`, `"waba":{"Id":`, `"QualityRating":`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("no %s in %.300s", field, b)
		}
	}
}

// The account file loads as written, and the server serves it back (GET
// /-/dataset) as it was loaded; a clone shares nothing with its original.
func TestLoadAccountDataset(t *testing.T) {
	d := loadAccount(t)
	sp := d.Spaces[1]
	if sp.ID != "cams-numbers0" || len(sp.PhoneNumbers) != 4 || sp.WABA.Currency != "EUR" || sp.WABAHealth.CanSendMessage != "LIMITED" ||
		len(sp.BusinessHealth.Errors) != 2 || len(sp.ExtraEntities) != 2 || d.AppHealth.CanSendMessage != "AVAILABLE" {
		t.Fatalf("space %+v", sp)
	}
	if n := sp.PhoneNumbers[2]; n.Status != "WARMING_UP" || n.MessagingLimitTier != "TIER_10" || n.Health.CanSendMessage != "DEGRADED" {
		t.Errorf("undocumented values: %+v", n)
	}
	h := newHarness(t, Config{Data: d})
	if got := h.srv.Dataset(); !reflect.DeepEqual(got, d) {
		t.Errorf("Dataset() = %+v\nwant %+v", got, d)
	}
	_, body := h.control("GET", "/-/dataset", "")
	var served Dataset
	if err := json.Unmarshal([]byte(body), &served); err != nil || !reflect.DeepEqual(&served, d) {
		t.Errorf("GET /-/dataset: %v %s", err, body)
	}
	c := d.Clone()
	c.AppHealth.CanSendMessage = "BLOCKED"
	c.Spaces[1].PhoneNumbers[1].Health.Errors[0].ErrorCode = "x"
	c.Spaces[1].WABA.Id = "x"
	c.Spaces[1].BusinessHealth.Errors[0].ErrorCode = "x"
	c.Spaces[1].ExtraEntities[0].EntityType = "x"
	if !reflect.DeepEqual(d, loadAccount(t)) {
		t.Error("changing a clone changed the original")
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := Generate(42, 5, 12), Generate(42, 5, 12)
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave different data sets")
	}
	if reflect.DeepEqual(a, Generate(43, 5, 12)) {
		t.Error("different seeds gave the same data set")
	}
}

func TestGenerate(t *testing.T) {
	idPattern := regexp.MustCompile(`^cams-[0-9a-z]{8}$`)
	flowIDPattern := regexp.MustCompile(`^[1-9][0-9]{15}$`)
	for _, tc := range []struct {
		seed          int64
		spaces, flows int
	}{{1, 5, 12}, {2, 10, 20}, {3, 3, 40}, {4, 1, 9}} {
		d := Generate(tc.seed, tc.spaces, tc.flows)
		if err := d.Validate(); err != nil {
			t.Errorf("seed %d: %v", tc.seed, err)
		}
		if len(d.Spaces) != tc.spaces+1 || d.Spaces[0].ID != "" {
			t.Fatalf("seed %d: %d spaces, first %q; want %d, the own space first", tc.seed, len(d.Spaces), d.Spaces[0].ID, tc.spaces+1)
		}
		cats := map[string]int{}
		multi, triple, empty, round, total := 0, 0, 0, 0, 0
		for _, sp := range d.Spaces[1:] {
			if !idPattern.MatchString(sp.ID) {
				t.Errorf("seed %d: space id %q", tc.seed, sp.ID)
			}
		}
		for _, sp := range d.Spaces {
			n := len(sp.Flows)
			total += n
			if n == 0 {
				empty++
			}
			if n > 0 && n%20 == 0 {
				round++
			}
			if n > 2*tc.flows {
				t.Errorf("seed %d: space %q has %d flows, more than twice %d", tc.seed, sp.ID, n, tc.flows)
			}
			for _, f := range sp.Flows {
				if !flowIDPattern.MatchString(f.FlowId) {
					t.Errorf("seed %d: FlowId %q", tc.seed, f.FlowId)
				}
				words := strings.ToLower(strings.ReplaceAll(f.Categories[0], "_", " "))
				if !strings.HasPrefix(f.FlowName, words+" ") {
					t.Errorf("seed %d: flow name %q for categories %v", tc.seed, f.FlowName, f.Categories)
				}
				if len(f.Categories) > 1 {
					multi++
				}
				if len(f.Categories) == 3 {
					triple++
				}
				seen := map[string]bool{}
				for _, c := range f.Categories {
					if seen[c] {
						t.Errorf("seed %d: flow %+v repeats a category", tc.seed, f)
					}
					seen[c] = true
					cats[c]++
				}
			}
		}
		for _, c := range append(slices.Clone(DocumentedCategories), "SHOPPING") {
			if cats[c] == 0 {
				t.Errorf("seed %d: no flow of category %s (%v)", tc.seed, c, cats)
			}
		}
		if len(cats) != 9 {
			t.Errorf("seed %d: categories %v", tc.seed, cats)
		}
		if multi == 0 || triple == 0 {
			t.Errorf("seed %d: %d multi-category flows, %d with three", tc.seed, multi, triple)
		}
		if empty == 0 {
			t.Errorf("seed %d: no empty space", tc.seed)
		}
		if tc.spaces >= 3 && round == 0 {
			t.Errorf("seed %d: no space whose count is a multiple of 20", tc.seed)
		}
		if lo, hi := tc.spaces*tc.flows/2, (tc.spaces+1)*tc.flows*2; total < lo || total > hi {
			t.Errorf("seed %d: %d flows in all, want between %d and %d", tc.seed, total, lo, hi)
		}
	}
}

func TestDocumentedCategories(t *testing.T) {
	want := []string{"SIGN_UP", "SIGN_IN", "APPOINTMENT_BOOKING", "LEAD_GENERATION", "CONTACT_US", "CUSTOMER_SUPPORT", "SURVEY", "OTHER"}
	if !slices.Equal(DocumentedCategories, want) {
		t.Errorf("DocumentedCategories = %v", DocumentedCategories)
	}
}

func TestNew(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Dataset(), Generate(1, 5, 12)) {
		t.Error("the default data set is not Generate(1, 5, 12)")
	}
	// A data set without the own space gets an empty one.
	s, err = New(Config{Data: &Dataset{Spaces: []Space{{ID: "cams-x"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if d := s.Dataset(); len(d.Spaces) != 2 || d.Spaces[0].ID != "" || d.Spaces[1].ID != "cams-x" {
		t.Errorf("Dataset() = %+v", d)
	}
	for _, cfg := range []Config{
		{AccessKeyID: "only an id"},
		{AccessKeySecret: "only a secret"},
		{MaxPageSize: -1},
		{Data: &Dataset{Spaces: []Space{{ID: "a"}, {ID: "a"}}}},
		{Faults: []Fault{{Kind: FaultError}}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted it", cfg)
		}
	}
}
