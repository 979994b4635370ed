package templates

import (
	"slices"

	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Series is the source's series (collector.SourceSeries).
type Series struct {
	// Info adds cams_template_info, a series for every template
	// (--collector.template-info).
	Info bool

	byStatus, byCategory, problem, info, changes *collector.Family
}

func (*Series) Name() string { return Name }

func (s *Series) Families(add collector.AddFamily) {
	gauge, counter := dto.MetricType_GAUGE, dto.MetricType_COUNTER
	s.byStatus = add(true, gauge, "cams_templates",
		"Message templates of the space by audit status, as ListChatappTemplate last listed them (--collector.templates): pass, fail, auditing, unaudit, paused and disabled always (0 when none); the first 30 undocumented statuses appear under their own name, later ones as _other. Cached: listed in the background every --templates.interval, never at scrape time.",
		"audit_status", "space")
	s.byCategory = add(true, gauge, "cams_templates_by_category",
		"Message templates of the space by category: MARKETING, UTILITY and AUTHENTICATION always (0 when none); the first 30 undocumented categories appear under their own name, later ones as _other. Cached, as cams_templates.",
		"category", "space")
	s.problem = add(true, gauge, "cams_template_problem_info",
		"A template of the space that cannot be sent, always 1: audit_status fail (its review failed), paused or disabled (Meta stopped it for its quality). Every flow sending it fails until it is fixed. Cached, as cams_templates.",
		"audit_status", "category", "language", "space", "template_code")
	s.changes = add(true, counter, "cams_template_status_changes_total",
		"Moves of a template of the space into audit_status paused or disabled seen between two listings, since the space was first listed (kept in the cache file across restarts); a template paused between two listings and back again is not seen.",
		"audit_status", "space")
	if s.Info {
		s.info = add(true, gauge, "cams_template_info",
			"A template of the space, always 1, with its audit status and category (--collector.template-info). Cached, as cams_templates.",
			"audit_status", "category", "language", "space", "template_code")
	}
}

func (s *Series) SpaceSeries(dst []collector.Series, space string, part *snapshot.SpacePart) []collector.Series {
	t := Of(part.Data)
	byStatus := make(map[string]int, len(documentedStatuses))
	byCategory := make(map[string]int, len(documentedCategories))
	for _, k := range t.List {
		byStatus[k.AuditStatus]++
		byCategory[k.Category]++
	}
	dst = appendCounts(dst, s.byStatus, space, documentedStatuses, byStatus)
	dst = appendCounts(dst, s.byCategory, space, documentedCategories, byCategory)
	// TODO(issue 19): bound the problem series across the exporter with
	// --templates.max-problem-series (the lead designs the budget); every
	// problem template has its series for now.
	for _, k := range t.List {
		if Problem(k.AuditStatus) {
			dst = append(dst, collector.NewSeries(s.problem, 1, k.AuditStatus, k.Category, k.Language, space, k.Code))
		}
	}
	for _, status := range changeStatuses {
		dst = append(dst, collector.NewSeries(s.changes, float64(t.Changes[status]), status, space))
	}
	if s.info != nil {
		for _, k := range t.List {
			dst = append(dst, collector.NewSeries(s.info, 1, k.AuditStatus, k.Category, k.Language, space, k.Code))
		}
	}
	return dst
}

// appendCounts appends a series of f for each documented value, then for
// each other value counted, sorted: its count and the space.
func appendCounts(dst []collector.Series, f *collector.Family, space string, documented []string, counts map[string]int) []collector.Series {
	for _, v := range documented {
		dst = append(dst, collector.NewSeries(f, float64(counts[v]), v, space))
	}
	var others []string
	for v := range counts {
		if !slices.Contains(documented, v) {
			others = append(others, v)
		}
	}
	slices.Sort(others)
	for _, v := range others {
		dst = append(dst, collector.NewSeries(f, float64(counts[v]), v, space))
	}
	return dst
}
