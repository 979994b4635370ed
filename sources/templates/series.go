package templates

import (
	"iter"

	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Series is the source's series (collector.SourceSeries).
type Series struct {
	// Info adds cams_template_info, a series for every template
	// (--collector.template-info).
	Info bool

	byStatus, byCategory, problem, info, changes, disagreement, folded *collector.Family
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
		"A template of the space that cannot be sent, always 1: audit_status fail (its review failed), paused or disabled (Meta stopped it for its quality). Every flow sending it fails until it is fixed. At most --templates.max-problem-series across the exporter, granted as listings end: problem templates beyond it have none (cams_template_problem_series_folded) but are counted in cams_templates. Cached, as cams_templates.",
		"audit_status", "category", "language", "space", "template_code")
	s.disagreement = add(true, gauge, "cams_template_listing_disagreement",
		"1 when the space's last complete listing of templates disagreed with the Total ListChatappTemplate gave (a template listed twice, more or fewer templates than Total, pages giving different Totals): its template series may be off. How it disagreed is on /status and in the log. Absent when it agreed.",
		"space")
	s.folded = add(false, gauge, "cams_template_problem_series_folded",
		"Problem templates (as cams_template_problem_info) of the watched spaces without their series, because --templates.max-problem-series were already exported when their space's listing ended. A series given back (a template fixed, a space gone) goes to the next listing that needs one.")
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
	byStatus, byCategory := t.tallies()
	dst = appendCounts(dst, s.byStatus, space, byStatus.all(documentedStatuses))
	dst = appendCounts(dst, s.byCategory, space, byCategory.all(documentedCategories))
	granted := t.ProblemSeries
	for _, k := range t.List {
		if granted == 0 {
			break
		}
		if Problem(k.AuditStatus) {
			dst = append(dst, collector.NewSeries(s.problem, 1, k.AuditStatus, k.Category, k.Language, space, k.Code))
			granted--
		}
	}
	if t.Disagreement != "" {
		dst = append(dst, collector.NewSeries(s.disagreement, 1, space))
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

// TotalSeries gives cams_template_problem_series_folded, of the budget's
// use the source published (Budget; 0 before it published any).
func (s *Series) TotalSeries(dst []collector.Series, st *snapshot.SourceState) []collector.Series {
	b, _ := st.Totals.(Budget)
	return append(dst, collector.NewSeries(s.folded, float64(b.Folded)))
}

// appendCounts appends a series of f for each value counted (every
// documented one, then the others): its count and the space.
func appendCounts(dst []collector.Series, f *collector.Family, space string, counts iter.Seq2[string, int]) []collector.Series {
	for v, n := range counts {
		dst = append(dst, collector.NewSeries(f, float64(n), v, space))
	}
	return dst
}
