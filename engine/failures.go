package engine

import (
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/failurelog"
)

// noteFailures logs the failed calls of done by code, through log: a
// code's first failure at once, then at most once an hour with the count
// since, never once per space.
func noteFailures(l *failurelog.Log, logger log.Logger, src Source, now time.Time, done []Done) {
	for _, d := range done {
		if d.Err == nil {
			continue
		}
		code := client.Cut(client.CodeOf(d.Err), client.MaxTextBytes)
		if n, last, ok := l.Note(code, now); ok {
			level.Warn(logger).Log("msg", src.Operation()+" failed: the "+src.Name()+" data of the space keeps its last answer (other operations are not affected)",
				"code", code, "failed_calls", n, "since", failurelog.Since(last), "space", d.Space, "key", d.Key, "err", d.Err)
		}
	}
}
