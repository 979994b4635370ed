package waba

import (
	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Series is the source's series (collector.SourceSeries).
type Series struct {
	bound, info *collector.Family
}

func (*Series) Name() string { return Name }

func (s *Series) Families(add collector.AddFamily) {
	gauge := dto.MetricType_GAUGE
	s.bound = add(true, gauge, "cams_waba_bound",
		"1 if a WhatsApp Business Account is bound to the space, 0 if CAMS answers that none is (ERR-OPERATION-MAAP-0060: a state, not a failure), as QueryChatappBindWaba last answered (--collector.waba). Cached: read in the background every --waba.interval, never at scrape time.",
		"space")
	s.info = add(true, gauge, "cams_waba_info",
		"The WhatsApp Business Account bound to the space, always 1: its id, its business's id and its account_review_status (PENDING, APPROVED, REJECTED, DISABLED; the first 30 undocumented values under their own name, later ones as _other).",
		"account_review_status", "business_id", "space", "waba_id")
}

func (s *Series) SpaceSeries(dst []collector.Series, space string, part *snapshot.SpacePart) []collector.Series {
	w, bound := Of(part.Data)
	if !bound {
		return append(dst, collector.NewSeries(s.bound, 0, space))
	}
	return append(dst,
		collector.NewSeries(s.bound, 1, space),
		collector.NewSeries(s.info, 1, w.AccountReviewStatus, w.BusinessID, space, w.ID))
}
