package values

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestCapFolds(t *testing.T) {
	c := NewCap("GREEN", "RED")
	for i := range MaxUndocumented {
		if got := c.Fold(fmt.Sprint("V", i)); got != fmt.Sprint("V", i) {
			t.Fatalf("undocumented value %d kept as %q", i, got)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"V0", "V0"},       // already kept
		{"V_NEW", Other},   // past the cap
		{"V_NEWER", Other}, // past the cap
		{"GREEN", "GREEN"}, // documented, whatever the cap
		{"", ""},           // left out by CAMS
		{Other, Other},     // Other itself
		{"green", Other},   // values are compared exactly
	} {
		if got := c.Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if c.Folded() != 3 {
		t.Errorf("folded %d, want 3 (V_NEW, V_NEWER, green)", c.Folded())
	}
	if !c.Documented("RED") || c.Documented("V0") {
		t.Error("Documented is wrong")
	}
}

func TestCapIsSafeForConcurrentUse(t *testing.T) {
	c := NewCap()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				c.Fold(fmt.Sprint("g", g, "-", i))
			}
		})
	}
	wg.Wait()
	if want := uint64(8*100 - MaxUndocumented); c.Folded() != want {
		t.Errorf("folded %d of 800 values, want %d", c.Folded(), want)
	}
}

func TestCut(t *testing.T) {
	long := strings.Repeat("é", MaxBytes) // 2 bytes a rune
	for _, tc := range []struct {
		name, in string
		wantLen  int
	}{
		{"short", "CONNECTED", 9},
		{"long, cut at a rune boundary", long, MaxBytes},
		{"invalid UTF-8 replaced", "A\xffB", len("A\uFFFDB")},
	} {
		got := Cut(tc.in)
		if len(got) != tc.wantLen || !utf8.ValidString(got) {
			t.Errorf("%s: Cut gave %d bytes %q, want %d", tc.name, len(got), got, tc.wantLen)
		}
	}
	if got := Cut("A\xffB"); got != "A\uFFFDB" {
		t.Errorf("Cut of invalid UTF-8 = %q", got)
	}
}

func TestCheckID(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"8613800000001", true}, {"", false}, {strings.Repeat("1", 33), false},
		{"86\xff", false}, {"86\n1", false}, {strings.Repeat("1", 32), true},
	} {
		if err := CheckID(tc.id, 32); (err == nil) != tc.ok {
			t.Errorf("CheckID(%q) = %v, want ok %v", tc.id, err, tc.ok)
		}
	}
}

func TestSharedIsEqual(t *testing.T) {
	a := strings.Clone("CONNECTED")
	if Shared(a) != "CONNECTED" {
		t.Error("Shared changed the value")
	}
}
