package health

import (
	"github.com/cams-exporter/cams_exporter/remedy"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// explainSource says what caused a failure of a source's call and what to
// do about it, naming the source's own operation, flags and codes. A
// source's failures never take a space down: its flows are listed all the
// same.
func explainSource(src *snapshot.SourceState, e *snapshot.ErrorInfo) (cause, fix string) {
	return remedy.ExplainSource(src.Name, src.Operation, e.Code, e.Message)
}
