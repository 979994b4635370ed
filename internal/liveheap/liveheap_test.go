package liveheap

import (
	"bytes"
	"encoding/json"
	"testing"
)

// A value's live heap is counted, its garbage not, within the size
// classes' rounding; decoded values are counted without the bytes they were
// decoded from.
func TestOfCountsWhatIsKept(t *testing.T) {
	const n, size = 1000, 4096 // a size class of its own: no rounding
	kept := Of(func() any {
		out := make([][]byte, n)
		for i := range out {
			out[i] = make([]byte, size)
			_ = make([]byte, size) // garbage
		}
		return out
	})
	if want := float64(n * size); kept < want || kept > want*1.05 {
		t.Errorf("%d blocks of %d bytes kept: %.0f bytes, want %.0f to 5 %% more", n, size, kept, want)
	}
	raws := make([][]byte, n)
	for i := range raws {
		raws[i] = append([]byte(`{"n":1}`), bytes.Repeat([]byte(" "), size)...)
	}
	decoded := Decoded(t, raws, func(raw []byte) (any, error) {
		var v struct{ N int }
		err := json.Unmarshal(raw, &v)
		return &v, err
	})
	if decoded <= 0 || decoded > float64(n*size)/10 {
		t.Errorf("%d answers of %d bytes decoded to an int each: %.0f bytes, want above 0 (the answers collected meanwhile count against it) and far below %d (the answers counted)", n, size, decoded, n*size)
	}
}
