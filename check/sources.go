package check

import (
	"slices"
	"strings"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/remedy"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// Call is how a source's calls for a space went: whether they succeeded,
// and if not, the error, its cause and what to do about it.
type Call struct {
	OK     bool                `json:"ok"`
	Error  *snapshot.ErrorInfo `json:"error,omitempty"`
	Cause  string              `json:"cause,omitempty"` // for NetworkError and InvalidResponse
	Remedy string              `json:"remedy,omitempty"`
}

// sourceJudge judges a source's part of one space (nil for none): it sets
// the space's result for the source, notes what it finds, and returns the
// space's call, nil when the source had nothing to ask of the space.
type sourceJudge func(j *judging, sr *SpaceResult, part *snapshot.SpacePart) *Call

// sourceJudges judge each source check knows. A source it does not know
// is judged by its calls alone.
var sourceJudges = map[string]sourceJudge{
	phonenumbers.Name:    judgeNumbers,
	waba.Name:            judgeWABA,
	messaginghealth.Name: judgeHealth,
	templates.Name:       judgeTemplates,
}

// judging is the judgement of one source over the report's spaces.
type judging struct {
	in    *Input
	src   *snapshot.SourceState
	index int // the source's place among those on: it orders its findings
	found *findings
	calls callTally
}

// callTally counts a source's calls by outcome over the spaces.
type callTally struct {
	called, failed, unfinished int
	codes                      []string // of the failures, each once
}

func (t *callTally) note(c *Call) {
	switch {
	case c == nil:
		return
	case c.Error != nil && c.Error.Code == CodeNotFinished:
		t.unfinished++
	case !c.OK:
		t.failed++
		if code := c.Error.Code; !slices.Contains(t.codes, code) {
			t.codes = append(t.codes, code)
		}
	}
	t.called++
}

// judgeSources judges the sources that are on, space by space, filling in
// r's spaces; it returns what they found and, for a run without findings,
// what each read.
func (in *Input) judgeSources(r *Result) (*findings, []string) {
	found := &findings{}
	var read []string
	for i, src := range in.Snapshot.Sources() {
		j := &judging{in: in, src: src, index: i, found: found}
		r.sources = append(r.sources, sourceInfo{name: src.Name, operation: src.Operation})
		judge := sourceJudges[src.Name]
		if judge == nil {
			judge = judgeCallsOnly
		}
		for k := range r.Spaces {
			sr := &r.Spaces[k]
			if sr.Space == "" {
				continue // the account's own space has no CustSpaceId: no call
			}
			j.calls.note(judge(j, sr, src.Part(sr.Space)))
		}
		j.judgeCalls()
		read = append(read, j.readText(r))
	}
	return found, slices.DeleteFunc(read, func(s string) bool { return s == "" })
}

// judgeCallsOnly judges a source check knows nothing else of.
func judgeCallsOnly(j *judging, _ *SpaceResult, part *snapshot.SpacePart) *Call {
	return j.call(part)
}

// call is the call of a space whose part is part.
func (j *judging) call(part *snapshot.SpacePart) *Call {
	switch {
	case part == nil && j.in.TimedOut > 0:
		return j.notFinished("no answer")
	case part == nil:
		return nil
	case part.Up:
		return &Call{OK: true}
	}
	return j.failed(part.LastError)
}

// failed is a call that failed with e.
func (j *judging) failed(e *snapshot.ErrorInfo) *Call {
	if e == nil {
		e = &snapshot.ErrorInfo{Code: "Unknown", Message: "failed without an error"}
	}
	c := &Call{Error: e}
	c.Cause, c.Remedy = remedy.ExplainSource(j.src.Name, j.src.Operation, e.Code, e.Message)
	return c
}

// notFinished is a call --check.timeout cut short; what says what was
// missing.
func (j *judging) notFinished(what string) *Call {
	return &Call{
		Error: &snapshot.ErrorInfo{Code: CodeNotFinished, Class: "timeout",
			Message: j.src.Operation + ": " + what + " when --check.timeout (" + j.in.TimedOut.String() + ") expired"},
		Remedy: "raise --check.timeout, or --cams." + j.src.Name + "-rate-limit if CAMS allows it",
	}
}

// judgeCalls judges the source's calls as a whole: UNKNOWN when some were
// not made before the timeout; CRITICAL when every space's failed for
// want of credentials or permission (the source cannot work at all);
// WARNING when some failed.
func (j *judging) judgeCalls() {
	t, op := j.calls, j.src.Operation
	if t.unfinished > 0 {
		j.found.text(Unknown, j.index, rankCalls, op+" not finished for "+plural(t.unfinished, "space")+" of "+plural(t.called, "")+
			" before --check.timeout "+j.in.TimedOut.String())
	}
	if t.failed == 0 {
		return
	}
	slices.Sort(t.codes)
	finished := t.called - t.unfinished
	status := Warning
	switch {
	case t.failed == finished && len(t.codes) == 1 && t.codes[0] == client.CodeCredentials:
		j.found.text(Unknown, j.index, rankCalls, noCredentials) // as the listings say
		return
	case t.failed == finished && !slices.ContainsFunc(t.codes, func(c string) bool { return !deniedCode(c) }):
		status = Critical
	}
	j.found.text(status, j.index, rankCalls, op+" failed for "+plural(t.failed, "space")+" of "+plural(finished, "")+" ("+strings.Join(t.codes, ", ")+")")
}

// rankCalls puts a source's call failures after what its data shows.
const rankCalls = 1000

// noCredentials is the summary of a run that found no credentials.
const noCredentials = "no usable credentials"

// deniedCode reports whether code says the account or its credentials may
// not make the call at all: no retry and no other space will fare better.
func deniedCode(code string) bool {
	switch code {
	case client.CodeCredentials, "Ram.PermissionDeny", "Product.Unsubscript", "SignatureDoesNotMatch", "IncompleteSignature":
		return true
	}
	for _, prefix := range []string{"InvalidAccessKeyId.", "InvalidSecurityToken.", "Forbidden."} {
		if strings.HasPrefix(code, prefix) {
			return true
		}
	}
	return false
}

// readText says what the source read in a run without findings, e.g.
// "9 numbers".
func (j *judging) readText(r *Result) string {
	n := 0
	for _, s := range r.Spaces {
		switch j.src.Name {
		case phonenumbers.Name:
			if s.PhoneNumbers != nil {
				n += s.PhoneNumbers.Count
			}
		case waba.Name:
			if s.WABA != nil && s.WABA.Bound {
				n++
			}
		case messaginghealth.Name:
			if s.MessagingHealth != nil {
				n += s.MessagingHealth.nodes()
			}
		case templates.Name:
			if s.Templates != nil {
				n += s.Templates.Count
			}
		}
	}
	switch j.src.Name {
	case phonenumbers.Name:
		return plural(n, "number")
	case waba.Name:
		return pluralWord(n, "WABA", "WABAs") + " bound"
	case messaginghealth.Name:
		return pluralWord(n, "health check", "health checks")
	case templates.Name:
		return plural(n, "template")
	}
	return ""
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return itoa(n) + " " + one
	}
	return itoa(n) + " " + many
}
