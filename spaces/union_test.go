package spaces

import (
	"strings"
	"testing"
)

func TestUnion(t *testing.T) {
	configured := []string{"a", "b"}
	discovered := []string{"b", "c"}
	calls := 0
	u := Union(func() []string { return configured }, func() []string { calls++; return discovered })
	first := u()
	if got := strings.Join(first, ","); got != "a,b,c" {
		t.Fatalf("Union = %s, want a,b,c: configured first, each space once", got)
	}
	if second := u(); &second[0] != &first[0] {
		t.Error("an unchanged pair of lists was merged again")
	}
	discovered = []string{"d"}
	if got := strings.Join(u(), ","); got != "a,b,d" {
		t.Errorf("after discovery changed: %s, want a,b,d", got)
	}
	discovered = nil
	if got := strings.Join(u(), ","); got != "a,b" {
		t.Errorf("with nothing discovered: %s, want a,b", got)
	}
	if calls != 4 {
		t.Errorf("discovered asked %d times, want once per call", calls)
	}
}
