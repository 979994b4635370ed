package failurelog

import (
	"fmt"
	"testing"
	"time"
)

func TestOnceAnHourWithTheCount(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	var l Log
	steps := []struct {
		code     string
		at       time.Duration
		failures int
		ok       bool
	}{
		{"A", 0, 1, true},                 // first failure: at once
		{"A", time.Minute, 0, false},      // within the hour
		{"B", time.Minute, 1, true},       // another code: its own first
		{"A", 59 * time.Minute, 0, false}, // still within the hour
		{"A", time.Hour, 3, true},         // the hour: the three since
	}
	for i, s := range steps {
		n, _, ok := l.Note(s.code, t0.Add(s.at))
		if n != s.failures || ok != s.ok {
			t.Errorf("step %d: %d, %v; want %d, %v", i, n, ok, s.failures, s.ok)
		}
	}
	if _, last, _ := l.Note("A", t0.Add(3*time.Hour)); !last.Equal(t0.Add(time.Hour)) {
		t.Errorf("last line at %v, want the one at +1h", last)
	}
}

func TestCodesAreBounded(t *testing.T) {
	var l Log
	now := time.Now()
	for i := range maxCodes + 10 {
		l.Note(fmt.Sprint("code-", i), now)
	}
	if _, _, ok := l.Note("one more", now); ok || len(l.codes) != maxCodes {
		t.Errorf("followed %d codes, want at most %d", len(l.codes), maxCodes)
	}
}
