package check

import (
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// WABAResult is a space's WhatsApp Business Account (--collector.waba).
type WABAResult struct {
	Call
	// Bound is false for a space without a WABA, which is OK.
	Bound               bool   `json:"bound"`
	WabaID              string `json:"waba_id,omitempty"`
	BusinessID          string `json:"business_id,omitempty"`
	AccountReviewStatus string `json:"account_review_status,omitempty"`
}

// approved is the review status that is not a WARNING.
const approved = "APPROVED"

func judgeWABA(j *judging, sr *SpaceResult, part *snapshot.SpacePart) *Call {
	call := j.call(part)
	if call == nil {
		return nil
	}
	res := &WABAResult{Call: *call}
	sr.WABA = res
	if !call.OK {
		return call
	}
	w, bound := waba.Of(part.Data)
	if !bound {
		return call
	}
	res.Bound, res.WabaID, res.BusinessID, res.AccountReviewStatus = true, w.ID, w.BusinessID, w.AccountReviewStatus
	if w.AccountReviewStatus != approved {
		j.found.count(Warning, j.index, 0, "WABA", "WABAs", "review "+reviewText(w.AccountReviewStatus), "")
	}
	return call
}

// reviewText is a review status as the report shows it.
func reviewText(status string) string {
	if status == "" {
		return "not given"
	}
	return status
}
