package cache

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// TestRestoredCountsAreShared: restored spaces with equal category counts
// keep one map, whatever the order of their entries in the file and once
// their names are cut; spaces with other counts keep their own; every
// category name is one string; past maxSharedCounts distinct counts, new
// ones are not shared.
func TestRestoredCountsAreShared(t *testing.T) {
	saved := maxSharedCounts
	maxSharedCounts = 2
	t.Cleanup(func() { maxSharedCounts = saved })
	long := strings.Repeat("L", 100)
	counts := map[string]string{
		"a": `{"SURVEY":2,"SIGN_UP":1}`,
		"b": `{"SIGN_UP":1,"SURVEY":2}`,
		"d": `{"` + long + `":1}`,
		"e": `{"` + long + `x":1}`, // cut to d's
		"c": `{"SURVEY":1}`,        // a third distinct: past the bound
		"f": `{"OTHER":3}`,
		"g": `{"OTHER":3}`,
	}
	var spaces []string
	for _, id := range []string{"a", "b", "d", "e", "c", "f", "g"} {
		spaces = append(spaces, fmt.Sprintf(`{"id":%q,"has_data":true,"count":3,"by_category":%s}`, id, counts[id]))
	}
	path := filepath.Join(t.TempDir(), "cache.json")
	os.WriteFile(path, []byte(`{"version":2,"meta":{"endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","flow_name":"","flow_info":true},"spaces":[`+strings.Join(spaces, ",")+`]}`), 0o600)
	states, err := Load(path, meta)
	if err != nil {
		t.Fatal(err)
	}
	same := func(x, y string) bool {
		return reflect.ValueOf(states[x].ByCategory).UnsafePointer() == reflect.ValueOf(states[y].ByCategory).UnsafePointer()
	}
	if !reflect.DeepEqual(states["a"].ByCategory, map[string]int{"SURVEY": 2, "SIGN_UP": 1}) || !same("a", "b") {
		t.Errorf("a and b: %v and %v, want one map of equal counts", states["a"].ByCategory, states["b"].ByCategory)
	}
	if same("a", "c") || !reflect.DeepEqual(states["c"].ByCategory, map[string]int{"SURVEY": 1}) {
		t.Errorf("c: %v, want a map of its own", states["c"].ByCategory)
	}
	if !same("d", "e") || len(states["e"].ByCategory) != 1 {
		t.Errorf("d and e: %v and %v; want one map, e's name cut to d's", states["d"].ByCategory, states["e"].ByCategory)
	}
	if same("f", "g") || states["g"].ByCategory["OTHER"] != 3 {
		t.Errorf("f and g share counts past the bound of 2")
	}
	name := func(id, prefix string) *byte {
		for c := range states[id].ByCategory {
			if strings.HasPrefix(c, prefix) {
				return unsafe.StringData(c)
			}
		}
		return nil
	}
	if name("a", "SURVEY") != name("c", "SURVEY") || name("d", "L") != name("e", "L") {
		t.Error("a category name is not one string for every space")
	}
}
