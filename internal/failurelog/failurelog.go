// Package failurelog says when a failure is worth a log line: a code's
// first failure at once, then at most once an interval with the count of
// failures since, never once per space or per flow.
package failurelog

import "time"

// maxCodes bounds the codes followed: a hostile server's codes.
const maxCodes = 100

// Log follows the failures of each code. The zero value is ready; it is
// not safe for concurrent use.
type Log struct {
	codes map[string]*code
}

type code struct {
	logged time.Time
	since  int
}

// Every is how often a code's failures are logged.
const Every = time.Hour

// Note counts a failure with code at now. When it is worth a line it
// returns the failures since the last line (this one included) and when
// that line was (zero: none), with ok true.
func (l *Log) Note(c string, now time.Time) (failures int, last time.Time, ok bool) {
	if l.codes == nil {
		l.codes = map[string]*code{}
	}
	cf := l.codes[c]
	if cf == nil {
		if len(l.codes) >= maxCodes {
			return 0, time.Time{}, false
		}
		cf = &code{}
		l.codes[c] = cf
	}
	cf.since++
	if !cf.logged.IsZero() && now.Sub(cf.logged) < Every {
		return 0, time.Time{}, false
	}
	failures, last = cf.since, cf.logged
	cf.logged, cf.since = now, 0
	return failures, last, true
}

// Since writes when the last line was, for a log line.
func Since(t time.Time) string {
	if t.IsZero() {
		return "start"
	}
	return t.Format(time.RFC3339)
}
