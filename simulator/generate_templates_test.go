package simulator

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"testing"
	"time"
)

// Generate adds no templates: its data sets, the bench's and the demo's,
// are byte for byte what they were before templates (the digests of
// Generate's JSON before this change).
func TestGenerateHasNoTemplates(t *testing.T) {
	for _, tt := range []struct {
		seed          int64
		spaces, flows int
		digest        string
	}{
		{1, 5, 12, "398a31da96f7fc3e8705deec421bd312649fa31e37e4a971787042b814625601"},
		{3, 50, 6, "9c8f1321b3241486b91e94b8eecdb043d8959b34b1016b0d5a7e4d4c2e258d24"},
		{7, 10000, 1, "5deadfbd9d88b84b9d16043befefc26b5e2ee33db3b3f6f281f67748ba445975"},
	} {
		d := Generate(tt.seed, tt.spaces, tt.flows)
		AddTemplates(tt.seed, d, 0)
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != tt.digest {
			t.Errorf("Generate(%d, %d, %d): digest %s, want %s", tt.seed, tt.spaces, tt.flows, got, tt.digest)
		}
	}
}

// AddTemplates gives every space with a WABA its templates, a realistic
// mix at 2,000 spaces (100,000 templates) as at 5, the same for the same seed, and leaves the
// rest of the data set alone.
func TestAddTemplates(t *testing.T) {
	codePattern := regexp.MustCompile(`^[0-9a-f]{32}$`)
	namePattern := regexp.MustCompile(`^[a-z_]+_[0-9]+$`)
	lo, hi := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for _, tt := range []struct{ spaces, perSpace int }{{5, 7}, {2000, 50}} {
		t.Run(fmt.Sprint(tt.spaces), func(t *testing.T) {
			d := Generate(11, tt.spaces, 1)
			AddTemplates(11, d, tt.perSpace)
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
			without := Generate(11, tt.spaces, 1)
			count := map[string]int{}
			codes := map[string]string{} // code: its space
			total := 0
			for i, sp := range d.Spaces {
				if sp.WABA == nil {
					if len(sp.Templates) != 0 {
						t.Errorf("%q without a WABA holds templates", sp.ID)
					}
					continue
				}
				if len(sp.Templates) != tt.perSpace {
					t.Fatalf("%q: %d templates, want %d", sp.ID, len(sp.Templates), tt.perSpace)
				}
				languages := map[string]int{}
				for _, tp := range sp.Templates {
					total++
					if space, ok := codes[tp.TemplateCode]; ok && space != sp.ID {
						t.Errorf("code %s in %q and %q", tp.TemplateCode, space, sp.ID)
					}
					codes[tp.TemplateCode] = sp.ID
					languages[tp.TemplateCode]++
					if !codePattern.MatchString(tp.TemplateCode) || !namePattern.MatchString(tp.TemplateName) || tp.Language == "" ||
						tp.TemplateType != "WHATSAPP" || tp.LastUpdateTime < lo || tp.LastUpdateTime >= hi || (tp.Reason != "") != (tp.AuditStatus == TemplateFail) {
						t.Errorf("%q: template %+v", sp.ID, tp)
					}
					count["category "+tp.Category]++
					count["status "+tp.AuditStatus]++
				}
				for _, n := range languages {
					count[fmt.Sprintf("languages %d", n)]++
				}
				sp.Templates = nil
				if !reflect.DeepEqual(sp, without.Spaces[i]) {
					t.Errorf("%q: AddTemplates changed the rest of the space", sp.ID)
				}
			}
			if tt.spaces == 5 {
				for _, status := range []string{TemplatePass, TemplatePaused, TemplateFail, TemplateDisabled, TemplateAuditing} {
					if count["status "+status] == 0 {
						t.Errorf("no %s template among %d: %v", status, total, count)
					}
				}
				return
			}
			share := func(key string) float64 { return float64(count[key]) / float64(total) }
			for key, want := range map[string][2]float64{
				"category MARKETING": {0.40, 0.50}, "category UTILITY": {0.35, 0.45}, "category AUTHENTICATION": {0.12, 0.18},
				"status pass": {0.88, 0.92}, "status fail": {0.02, 0.04}, "status auditing": {0.015, 0.035},
				"status paused": {0.01, 0.03}, "status disabled": {0.008, 0.022}, "status unaudit": {0.005, 0.015},
			} {
				if s := share(key); s < want[0] || s > want[1] {
					t.Errorf("%s: %.3f of %d templates, want %.3f to %.3f", key, s, total, want[0], want[1])
				}
			}
			for _, n := range []int{1, 2, 3} {
				if count[fmt.Sprintf("languages %d", n)] == 0 {
					t.Errorf("no code in %d languages: %v", n, count)
				}
			}
		})
	}
}

func TestAddTemplatesDeterministic(t *testing.T) {
	gen := func(seed int64, perSpace int) []byte {
		d := Generate(seed, 20, 3)
		AddTemplates(seed, d, perSpace)
		b, _ := json.Marshal(d)
		return b
	}
	if a, b := gen(4, 30), gen(4, 30); string(a) != string(b) {
		t.Error("the same seed gave other templates")
	}
	if a, b := gen(4, 30), gen(5, 30); string(a) == string(b) {
		t.Error("another seed gave the same templates")
	}
	d := Generate(4, 3, 1)
	AddTemplates(4, d, MaxGeneratedTemplates+500)
	if n := len(d.Spaces[0].Templates); n != MaxGeneratedTemplates {
		t.Errorf("%d templates per space, want the bound %d", n, MaxGeneratedTemplates)
	}
}
