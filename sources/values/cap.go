// Package values bounds the label values a source keeps: every value is
// cut to MaxBytes, the documented values of a label always pass, and at
// most MaxUndocumented others per label across the exporter, the first
// seen first kept; the rest are folded into Other.
package values

import (
	"strings"
	"sync"
	"unicode/utf8"
)

const (
	// MaxUndocumented is how many undocumented values of one label pass
	// under their own name.
	MaxUndocumented = 30
	// MaxBytes bounds a value, as the exporter bounds every text of an
	// answer.
	MaxBytes = 128
	// Other stands for every undocumented value past the first
	// MaxUndocumented.
	Other = "_other"
)

// Cap bounds the values of one label. It is safe for concurrent use.
type Cap struct {
	documented map[string]struct{}
	mu         sync.Mutex
	kept       map[string]struct{}
	folded     uint64
}

// NewCap returns the cap of a label whose documented values are documented.
func NewCap(documented ...string) *Cap {
	c := &Cap{documented: make(map[string]struct{}, len(documented)), kept: map[string]struct{}{}}
	for _, v := range documented {
		c.documented[v] = struct{}{}
	}
	return c
}

// Fold returns the value v is kept under: v cut to MaxBytes (valid UTF-8),
// or Other when MaxUndocumented other values passed already. "" passes:
// CAMS left the field out.
func (c *Cap) Fold(v string) string {
	v = Cut(v)
	if _, ok := c.documented[v]; ok || v == "" || v == Other {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.kept[v]; ok {
		return v
	}
	if len(c.kept) < MaxUndocumented {
		c.kept[v] = struct{}{}
		return v
	}
	c.folded++
	return Other
}

// Folded counts the values folded into Other so far.
func (c *Cap) Folded() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.folded
}

// Documented reports whether v is a documented value.
func (c *Cap) Documented(v string) bool {
	_, ok := c.documented[v]
	return ok
}

// Cut returns s cut to MaxBytes at a rune boundary, with invalid UTF-8
// replaced: a label value must be valid UTF-8.
func Cut(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= MaxBytes {
		return s
	}
	end := MaxBytes
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end]
}
