package waba

import (
	"encoding/json"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/sources/values"
)

// Decode reads back the Data of a space's part (WABA) from the JSON the
// cache file holds, bounded as an answer is: a bound WABA has an id the
// client would take, every value is cut, the review status folded by the
// source's cap as an answer's is; an unbound one holds nothing else. It is
// the source's codec for the cache (cache.Codecs).
func (s *Source) Decode(raw json.RawMessage) (any, error) {
	var w WABA
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, err
	}
	if !w.Bound {
		return WABA{}, nil
	}
	if err := values.CheckID(w.ID, client.MaxEntityIDBytes); err != nil {
		return nil, err
	}
	return WABA{
		Bound: true, ID: values.Cut(w.ID), BusinessID: values.Cut(w.BusinessID), AccountReviewStatus: values.Shared(s.reviews.Fold(w.AccountReviewStatus)),
		Name: client.Cut(w.Name, client.MaxTextBytes), Currency: values.Shared(values.Cut(w.Currency)),
	}, nil
}
