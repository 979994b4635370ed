package cache

import (
	"hash/maphash"
	"maps"
	"unique"

	"github.com/cams-exporter/cams_exporter/client"
)

// maxSharedCounts bounds the distinct category counts a restore shares;
// tests lower it.
var maxSharedCounts = 1 << 16

// countsTable shares the category counts of restored spaces: spaces whose
// counts are equal (most small ones: {"SIGN_UP": 1}, ...) keep one map,
// which everything reads and nothing writes (a listing gives its space a
// map of its own). A restore of 200,000 spaces of 5 flows holds 28,000
// distinct counts, a map of about 250 bytes each, instead of 200,000. The
// zero value is ready; it lives as long as the restore.
type countsTable struct {
	seed maphash.Seed
	maps map[uint64]map[string]int // by hash, the first counts of each hash
}

// keep returns the map a restored state keeps for counts, which the decoder
// reuses: an equal map kept before, or a copy of counts of its exact size,
// every category cut to the client's bound (the larger count kept for
// categories cut to one name) and one string for every space (unique.Make);
// nil for none.
func (t *countsTable) keep(counts map[string]int) map[string]int {
	if len(counts) == 0 {
		return nil
	}
	if t.maps == nil {
		t.seed, t.maps = maphash.MakeSeed(), map[uint64]map[string]int{}
	}
	var kept map[string]int // counts in memory of their own
	if !withinBounds(counts) {
		kept = boundedCounts(counts)
		counts = kept
	}
	h := t.hash(counts)
	shared, taken := t.maps[h]
	if taken && maps.Equal(shared, counts) {
		return shared
	}
	if kept == nil {
		kept = boundedCounts(counts)
	}
	if !taken && len(t.maps) < maxSharedCounts {
		t.maps[h] = kept
	}
	return kept
}

// hash hashes counts whatever the order of their entries.
func (t *countsTable) hash(counts map[string]int) uint64 {
	var h uint64
	for c, n := range counts {
		h += maphash.String(t.seed, c) ^ (uint64(n) * 0x9e3779b97f4a7c15)
	}
	return h
}

func withinBounds(counts map[string]int) bool {
	for c := range counts {
		if len(c) > client.MaxCategoryBytes {
			return false
		}
	}
	return true
}

// boundedCounts returns a copy of counts with every category cut to the
// client's bound, the larger count kept for categories cut to one name.
// Each category is one string shared by every space (unique.Make): a
// restore of 200,000 spaces would otherwise hold a million copies of a
// dozen names.
func boundedCounts(counts map[string]int) map[string]int {
	out := make(map[string]int, len(counts))
	for c, n := range counts {
		c = unique.Make(client.Cut(c, client.MaxCategoryBytes)).Value()
		out[c] = max(out[c], n)
	}
	return out
}
