package engine

import (
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/client"
)

// failureLog logs failed calls by code: a code's first failure at once,
// then at most once an hour with the count since, never once per space.
type failureLog struct {
	codes map[string]*codeFailures
}

type codeFailures struct {
	logged time.Time
	since  int
}

const (
	failureLogEvery = time.Hour
	maxLoggedCodes  = 100 // a hostile server's codes, bounded
)

func (l *failureLog) note(logger log.Logger, src Source, now time.Time, done []Done) {
	for _, d := range done {
		if d.Err == nil {
			continue
		}
		code := client.Cut(client.CodeOf(d.Err), client.MaxTextBytes)
		if l.codes == nil {
			l.codes = map[string]*codeFailures{}
		}
		cf := l.codes[code]
		if cf == nil {
			if len(l.codes) >= maxLoggedCodes {
				continue
			}
			cf = &codeFailures{}
			l.codes[code] = cf
		}
		cf.since++
		if cf.logged.IsZero() || now.Sub(cf.logged) >= failureLogEvery {
			level.Warn(logger).Log("msg", src.Operation()+" failed: the "+src.Name()+" data of the space keeps its last answer (other operations are not affected)",
				"code", code, "failed_calls", cf.since, "since", sinceText(cf.logged), "space", d.Space, "key", d.Key, "err", d.Err)
			cf.logged, cf.since = now, 0
		}
	}
}

func sinceText(t time.Time) string {
	if t.IsZero() {
		return "start"
	}
	return t.Format(time.RFC3339)
}
