package cache

import (
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/refresh"
)

// MaxFileBytes bounds the cache file, read and written: 200,000 spaces with
// their flow ids fit; a larger file is not restored, a larger snapshot not
// saved.
const MaxFileBytes = 1 << 30

// bounded returns the space with every text cut to the bound the client
// holds answers to, so that a cache file written by hand, by another version
// or by an attacker restores no more than a listing could have brought. The
// categories are bounded in number by the refresher when it restores them.
func (sp space) bounded() space {
	for i, id := range sp.FlowIDs {
		sp.FlowIDs[i] = client.Cut(id, client.MaxFlowIDBytes)
	}
	for i := range sp.Flows {
		f := &sp.Flows[i]
		f.FlowID, f.FlowName = client.Cut(f.FlowID, client.MaxFlowIDBytes), client.Cut(f.FlowName, client.MaxFlowNameBytes)
		f.Categories = f.Categories[:min(len(f.Categories), client.MaxCategoriesPerFlow)]
		for j, c := range f.Categories {
			f.Categories[j] = client.Cut(c, client.MaxCategoryBytes)
		}
	}
	if len(sp.ByCategory) > 0 {
		counts := make(map[string]int, len(sp.ByCategory))
		for c, n := range sp.ByCategory {
			c = client.Cut(c, client.MaxCategoryBytes)
			counts[c] = max(counts[c], n)
		}
		sp.ByCategory = counts
	}
	sp.Count = max(sp.Count, 0)
	if e := sp.LastError; e != nil {
		sp.LastError = &refresh.ErrorInfo{Code: client.Cut(e.Code, client.MaxTextBytes), Message: client.Cut(e.Message, client.MaxTextBytes),
			RequestID: client.Cut(e.RequestID, client.MaxTextBytes), Recommend: client.Cut(e.Recommend, client.MaxTextBytes), Class: client.Cut(e.Class, client.MaxTextBytes)}
	}
	return sp
}
