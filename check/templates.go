package check

import (
	"slices"

	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/templates"
)

// TemplatesResult is a space's message templates (--collector.templates).
type TemplatesResult struct {
	Call
	Count int `json:"count"`
	// ByStatus counts the templates by audit status, those present.
	ByStatus map[string]int `json:"by_status,omitempty"`
	// Total is the listing's Total, absent when its answers gave none;
	// Disagreement says how its pages disagreed with it (a WARNING).
	Total        *int   `json:"total,omitempty"`
	Disagreement string `json:"disagreement,omitempty"`
	// NoneUsable: the space has no template it can send (noneUsable), a
	// CRITICAL.
	NoneUsable bool `json:"none_usable,omitempty"`
	// Problems are the templates that cannot be sent: fail, paused or
	// disabled (templates.Problem). Their names and review reasons are in
	// /status.
	Problems []TemplateProblem `json:"problems,omitempty"`
}

// TemplateProblem is a template that cannot be sent: a WARNING, CRITICAL
// in a space without a usable template.
type TemplateProblem struct {
	TemplateCode string `json:"template_code"`
	Language     string `json:"language"`
	Category     string `json:"category"`
	AuditStatus  string `json:"audit_status"`
	Severity     string `json:"severity"`
}

// problemStatuses are the audit statuses of templates that cannot be
// sent, in the order findings name them (a template Meta disabled is
// gone for good; paused, for hours), with their words in a summary.
var problemStatuses = [...]struct{ status, words string }{
	{templates.StatusDisabled, "disabled"}, {templates.StatusPaused, "paused"}, {templates.StatusFail, "failed review"},
}

// Ranks of the templates' findings: a space without a usable template
// first, then the problem statuses, then the listings at odds with their
// Total.
const (
	rankNoneUsable   = 0
	rankDisagreement = 1 + len(problemStatuses)
)

func judgeTemplates(j *judging, sr *SpaceResult, part *snapshot.SpacePart) *Call {
	call := j.call(part)
	if call == nil {
		return nil
	}
	res := &TemplatesResult{Call: *call}
	sr.Templates = res
	if !call.OK {
		return call
	}
	t := templates.Of(part.Data)
	res.Count, res.Disagreement, res.NoneUsable = t.Count(), t.Disagreement, t.NoneUsable()
	if t.Total >= 0 {
		total := t.Total
		res.Total = &total
	}
	if res.NoneUsable {
		j.found.count(Critical, j.index, rankNoneUsable, "space", "spaces", "without a usable template", "")
	}
	if byStatus, _ := t.Counts(); len(byStatus) > 0 {
		res.ByStatus = make(map[string]int, len(byStatus))
		for _, c := range byStatus {
			res.ByStatus[c.Value] += c.N
		}
	}
	for _, k := range t.List {
		if rank := problemRank(k.AuditStatus); rank >= 0 {
			severity := Warning
			if res.NoneUsable {
				severity = Critical
			}
			res.Problems = append(res.Problems, TemplateProblem{TemplateCode: k.Code, Language: k.Language, Category: k.Category,
				AuditStatus: k.AuditStatus, Severity: severity.String()})
			j.found.count(Warning, j.index, 1+rank, "template", "templates", problemStatuses[rank].words, "")
		}
	}
	if t.Disagreement != "" {
		j.found.count(Warning, j.index, rankDisagreement, "template listing", "template listings", "disagreeing with Total", "")
	}
	return call
}

// problemRank is status's place in problemStatuses, -1 for a template
// that can be sent or waits for its review, or of an undocumented status
// (OK: nothing is known against it).
func problemRank(status string) int {
	return slices.IndexFunc(problemStatuses[:], func(p struct{ status, words string }) bool { return p.status == status })
}
