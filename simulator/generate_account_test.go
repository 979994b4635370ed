package simulator

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
)

// A generated account: 3 numbers and a WABA per space but a few, mostly
// GREEN, CONNECTED and AVAILABLE, health that follows the number's status,
// at 10,000 spaces as at 5.
func TestGenerateAccount(t *testing.T) {
	numberPattern := regexp.MustCompile(`^(86|65|62|60|66|63|84|91|55|52)[0-9]{10}$`)
	idPattern := regexp.MustCompile(`^[12][0-9]{14}$`)
	namespacePattern := regexp.MustCompile(`^[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}$`)
	blocked := map[string]bool{"BANNED": true, "DELETED": true, "PENDING": true, "UNVERIFIED": true, "DISCONNECTED": true, "OFFLINE": true}
	limited := map[string]bool{"RESTRICTED": true, "RATE_LIMITED": true}
	for _, spaces := range []int{5, 10000} {
		d := Generate(7, spaces, 1)
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		numbers := map[string]bool{}
		count := map[string]int{}
		unbound, total := 0, 0
		for i, sp := range d.Spaces {
			if sp.WABA == nil {
				if i == 0 {
					t.Error("the own space has no WABA")
				}
				if len(sp.PhoneNumbers) != 0 || sp.WABAHealth != nil || sp.BusinessHealth != nil {
					t.Errorf("%q without a WABA holds numbers or health", sp.ID)
				}
				unbound++
				continue
			}
			w := sp.WABA
			if !idPattern.MatchString(w.Id) || !idPattern.MatchString(w.BusinessId) || w.Name == "" || w.Currency == "" || !namespacePattern.MatchString(w.MessageTemplateNamespace) {
				t.Errorf("%q: WABA %+v", sp.ID, w)
			}
			count["review "+w.AccountReviewStatus]++
			count["waba "+sp.WABAHealth.canSend()]++
			count["business "+sp.BusinessHealth.canSend()]++
			if (w.AccountReviewStatus == "REJECTED" || w.AccountReviewStatus == "DISABLED") && sp.WABAHealth.canSend() != "BLOCKED" {
				t.Errorf("%q: a %s WABA that can send", sp.ID, w.AccountReviewStatus)
			}
			if len(sp.PhoneNumbers) != 3 {
				t.Fatalf("%q: %d numbers, want 3", sp.ID, len(sp.PhoneNumbers))
			}
			for _, n := range sp.PhoneNumbers {
				total++
				if !numberPattern.MatchString(n.PhoneNumber) || numbers[n.PhoneNumber] || n.VerifiedName == "" {
					t.Errorf("%q: number %+v (a repeat: %v)", sp.ID, n, numbers[n.PhoneNumber])
				}
				numbers[n.PhoneNumber] = true
				count["rating "+n.QualityRating]++
				count["status "+n.Status]++
				count["tier "+n.MessagingLimitTier]++
				health := n.Health.canSend()
				count["number "+health]++
				switch {
				case blocked[n.Status] && (health != "BLOCKED" || len(n.Health.Errors) != 1):
					t.Errorf("%q: a %s number %s, want BLOCKED with an error", sp.ID, n.Status, health)
				case limited[n.Status] && health != "LIMITED":
					t.Errorf("%q: a %s number %s, want LIMITED", sp.ID, n.Status, health)
				case !blocked[n.Status] && !limited[n.Status] && health != "AVAILABLE":
					t.Errorf("%q: a %s number %s, want AVAILABLE", sp.ID, n.Status, health)
				}
			}
		}
		if unbound < 1 || unbound > spaces/25+1 {
			t.Errorf("%d spaces: %d without a WABA, want at least one and about 2%%", spaces, unbound)
		}
		if d.AppHealth != nil {
			t.Errorf("the APP is %+v, want AVAILABLE", d.AppHealth)
		}
		// The second, third, fifth and sixth numbers show what a small
		// account would not otherwise, and the second WABA is LIMITED.
		var first []PhoneNumber
		for _, sp := range d.Spaces {
			first = append(first, sp.PhoneNumbers...)
		}
		for k, want := range map[int][2]string{1: {"YELLOW", "CONNECTED"}, 2: {"RED", "FLAGGED"}, 4: {"GREEN", "RESTRICTED"}, 5: {"UNKNOWN", "PENDING"}} {
			if n := first[k]; n.QualityRating != want[0] || n.Status != want[1] {
				t.Errorf("%d spaces: number %d is %s %s, want %s %s", spaces, k+1, n.QualityRating, n.Status, want[0], want[1])
			}
		}
		if spaces < 10000 {
			continue
		}
		share := func(key string) float64 { return float64(count[key]) / float64(total) }
		wabas := float64(len(d.Spaces) - unbound)
		for key, lo := range map[string]float64{"rating GREEN": 0.80, "status CONNECTED": 0.92, "number AVAILABLE": 0.93} {
			if share(key) < lo {
				t.Errorf("%s: %.3f of numbers, want at least %.2f (%v)", key, share(key), lo, count)
			}
		}
		for _, key := range []string{"rating YELLOW", "rating RED", "rating UNKNOWN", "status FLAGGED", "status BANNED", "status RESTRICTED", "tier TIER_250", "tier TIER_UNLIMITED", "number BLOCKED", "number LIMITED"} {
			if count[key] == 0 {
				t.Errorf("no %s among %d numbers", key, total)
			}
		}
		for _, key := range []string{"review PENDING", "review REJECTED", "waba LIMITED", "waba BLOCKED", "business LIMITED", "business BLOCKED"} {
			if count[key] == 0 || float64(count[key]) > 0.05*wabas {
				t.Errorf("%s: %d of %.0f WABAs, want a few", key, count[key], wabas)
			}
		}
	}
}

// The numbers, WABAs and health come from a stream of their own: the
// spaces and flows are what they were before spaces had them (the digests
// of Generate's JSON before this change).
func TestGenerateAccountLeavesFlowsAlone(t *testing.T) {
	for _, tt := range []struct {
		seed          int64
		spaces, flows int
		digest        string
	}{
		{3, 50, 6, "9fdc89a23b7696c9892124a0edf1b37fb950e4ed067b15f3fcff3dc7afa78386"},
		{1, 5, 12, "90d190a1287606b9db0d64658a14a03a8cb9f1c8ad8e91d070ba6c3d7b7775a9"},
	} {
		d := Generate(tt.seed, tt.spaces, tt.flows)
		for i := range d.Spaces {
			sp := &d.Spaces[i]
			sp.PhoneNumbers, sp.WABA, sp.WABAHealth, sp.BusinessHealth = nil, nil, nil, nil
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != tt.digest {
			t.Errorf("Generate(%d, %d, %d) without accounts: digest %s, want %s", tt.seed, tt.spaces, tt.flows, got, tt.digest)
		}
	}
}
