package templates

import (
	"fmt"
	"testing"
)

// A tally gives each documented value its count (0 when none), in the
// documented order, then the others counted, sorted; its counts are the
// values counted, sorted by value, as the cache file holds them.
func TestTally(t *testing.T) {
	for _, documented := range [][]string{documentedStatuses, documentedCategories} {
		if len(documented) > maxDocumented {
			t.Fatalf("%d documented values %v, more than a tally's %d places", len(documented), documented, maxDocumented)
		}
	}
	tests := []struct {
		name       string
		add        []Count
		all, saved string
	}{
		{"none", nil, "[{pass 0} {fail 0} {auditing 0} {unaudit 0} {paused 0} {disabled 0}]", "[]"},
		{"documented", []Count{{"paused", 2}, {"pass", 3}, {"paused", 1}},
			"[{pass 3} {fail 0} {auditing 0} {unaudit 0} {paused 3} {disabled 0}]", "[{pass 3} {paused 3}]"},
		{"undocumented", []Count{{"ZETA", 1}, {"APPROVED", 2}, {"fail", 1}, {"ZETA", 4}},
			"[{pass 0} {fail 1} {auditing 0} {unaudit 0} {paused 0} {disabled 0} {APPROVED 2} {ZETA 5}]", "[{APPROVED 2} {ZETA 5} {fail 1}]"},
	}
	for _, tt := range tests {
		var ta tally
		for _, c := range tt.add {
			ta.add(documentedStatuses, c.Value, c.N)
		}
		var all []Count
		for v, n := range ta.all(documentedStatuses) {
			all = append(all, Count{v, n})
		}
		if got := fmt.Sprint(all); got != tt.all {
			t.Errorf("%s: all = %s, want %s", tt.name, got, tt.all)
		}
		if got := fmt.Sprint(ta.counts(documentedStatuses)); got != tt.saved {
			t.Errorf("%s: counts = %s, want %s", tt.name, got, tt.saved)
		}
		for _, c := range tt.add {
			want := 0
			for _, d := range tt.add {
				if d.Value == c.Value {
					want += d.N
				}
			}
			if got := ta.of(documentedStatuses, c.Value); got != want {
				t.Errorf("%s: of(%s) = %d, want %d", tt.name, c.Value, got, want)
			}
		}
	}
}
