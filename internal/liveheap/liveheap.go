// Package liveheap measures the live heap that a value holds, for the
// footprint benchmarks of the sources' parts.
package liveheap

import (
	"runtime"
	"testing"
)

// Of returns the bytes of live heap that the value build returns holds:
// the heap in use after a collection once build returned, less before.
// What dies meanwhile counts against it; keep it alive across.
func Of(build func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return float64(after.HeapAlloc) - float64(before.HeapAlloc)
}

// Decoded returns the bytes of live heap that raws, each decoded by
// decode, hold (raws themselves kept alive across).
func Decoded(tb testing.TB, raws [][]byte, decode func([]byte) (any, error)) float64 {
	heap := Of(func() any {
		data := make([]any, 0, len(raws))
		for _, raw := range raws {
			d, err := decode(raw)
			if err != nil {
				tb.Fatal(err)
			}
			data = append(data, d)
		}
		return data
	})
	runtime.KeepAlive(raws)
	return heap
}
