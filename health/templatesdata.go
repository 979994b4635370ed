package health

import "github.com/cams-exporter/cams_exporter/sources/templates"

// templatesData is what /status shows of a space's templates
// (templates.Templates): their counts by audit status, every documented
// status included (0 when none), as cams_templates exports them; how many
// the listing gave, its Total (absent when the answers gave none) and how
// its pages disagreed with it; the moves into paused or disabled counted
// so far; and the templates that need attention (templateSeverity above
// 0: they cannot be sent, or their status is undocumented), the worst
// first, each severity in the listing's order (code, then language), with
// their names and review reasons: never labels. The others are only
// counted: 50 templates a space listed whole would make the JSON of
// 10,000 spaces 190 MB.
type templatesData struct {
	ByStatus      map[string]int    `json:"templates_by_status"`
	Listed        int               `json:"listed"`
	Total         *int              `json:"total,omitempty"`
	Disagreement  string            `json:"disagreement,omitempty"`
	NoneUsable    bool              `json:"none_usable,omitempty"`
	StatusChanges map[string]uint64 `json:"status_changes,omitempty"`
	Templates     []templates.Kept  `json:"templates"`
}

// documentedTemplateStatuses are the audit statuses /status always counts.
var documentedTemplateStatuses = []string{templates.StatusPass, templates.StatusFail, templates.StatusAuditing, templates.StatusUnaudit,
	templates.StatusPaused, templates.StatusDisabled}

// templatesView is /status's view of t. t is not changed: it belongs to
// an immutable snapshot.
func templatesView(t templates.Templates) templatesData {
	v := templatesData{ByStatus: make(map[string]int, len(documentedTemplateStatuses)), Listed: t.Count(), Disagreement: t.Disagreement,
		NoneUsable: t.NoneUsable(), StatusChanges: t.Changes}
	for _, s := range documentedTemplateStatuses {
		v.ByStatus[s] = 0
	}
	byStatus, _ := t.Counts()
	for _, c := range byStatus {
		v.ByStatus[c.Value] += c.N
	}
	if t.Total >= 0 {
		total := t.Total
		v.Total = &total
	}
	severities := make([]int, len(t.List))
	for i, k := range t.List {
		severities[i] = templateSeverity(k.AuditStatus, v.NoneUsable)
	}
	v.Templates = []templates.Kept{}
	for _, i := range worstFirst(len(t.List), func(i int) int { return severities[i] }) {
		if severities[i] > 0 {
			v.Templates = append(v.Templates, t.List[i])
		}
	}
	return v
}

// cutTemplates keeps the templates of v in their order (the worst first)
// as long as they fit, after the counts.
func cutTemplates(v templatesData) (any, map[string]int) {
	all := v.Templates
	v.Templates = nil
	used := listOverhead + jsonSize(v)
	for _, k := range all {
		if size := jsonSize(k); used+size+1 <= MaxPartDataBytes {
			v.Templates, used = append(v.Templates, k), used+size+1
		}
	}
	if v.Templates == nil {
		v.Templates = []templates.Kept{}
	}
	return v, omitted("templates", len(all)-len(v.Templates))
}

// templatesBound bounds the compact JSON of v from its texts' lengths.
func templatesBound(v templatesData) int {
	n := objectBytes + textBound(v.Disagreement)
	for s := range v.ByStatus {
		n += mapEntryBytes + textBound(s)
	}
	for s := range v.StatusChanges {
		n += mapEntryBytes + textBound(s)
	}
	for _, k := range v.Templates {
		n += 1 + objectBytes + textBound(k.Code, k.Language, k.Category, k.AuditStatus, k.Name, k.Reason)
	}
	return n
}

// mapEntryBytes bounds what an entry of a map of counts adds to its key:
// a colon, a comma and the count.
const mapEntryBytes = 22
