package main

import (
	"log/slog"
	"os"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	sloggokit "github.com/tjhop/slog-gokit"
)

// loggers are the exporter's go-kit logger and, for exporter-toolkit, which
// wants slog, a bridge to the same output.
type loggers struct {
	log.Logger
	slog *slog.Logger
}

// newLoggers logs to stderr in format (logfmt or json) at lvl and above.
func newLoggers(format, lvl string) loggers {
	var l log.Logger
	w := log.NewSyncWriter(os.Stderr)
	if format == "json" {
		l = log.NewJSONLogger(w)
	} else {
		l = log.NewLogfmtLogger(w)
	}
	l = level.NewFilter(l, level.Allow(level.ParseDefault(lvl, level.InfoValue())))
	var sl slog.Level
	_ = sl.UnmarshalText([]byte(lvl)) // lvl is one of the --log.level enum
	return loggers{
		Logger: log.With(l, "ts", log.DefaultTimestampUTC, "caller", log.DefaultCaller),
		// The bridge adds its own time and caller.
		slog: slog.New(sloggokit.NewGoKitHandler(l, sl)),
	}
}
