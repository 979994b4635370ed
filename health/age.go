package health

import (
	"fmt"
	"time"
)

// approx says a duration the way people read it on a status page: its
// largest unit, and the next one from an hour on: "35s", "4m", "2h 5m",
// "3d 4h". It rounds down, so a space listed 4m59s ago is "4m".
func approx(d time.Duration) string {
	switch d = max(d, 0); {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return withSecond(int(d/time.Hour), "h", int(d%time.Hour/time.Minute), "m")
	}
	return withSecond(int(d/(24*time.Hour)), "d", int(d%(24*time.Hour)/time.Hour), "h")
}

func withSecond(n int, unit string, m int, next string) string {
	if m == 0 {
		return fmt.Sprintf("%d%s", n, unit)
	}
	return fmt.Sprintf("%d%s %d%s", n, unit, m, next)
}

// ago says how long ago t was, seen from now: "4m ago"; "in the future"
// for a time later than now (a clock set back).
func ago(t, now time.Time) string {
	if t.After(now) {
		return "in the future"
	}
	return approx(now.Sub(t)) + " ago"
}
