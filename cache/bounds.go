package cache

import (
	"slices"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// MaxFileBytes bounds the cache file, read and written: 200,000 spaces with
// their flow ids fit; a larger file is not restored, a larger snapshot not
// saved.
const MaxFileBytes = 1 << 30

// bounded returns the space with every text cut to the bound the client
// holds answers to, so that a cache file written by hand, by another version
// or by an attacker restores no more than a listing could have brought. The
// categories are bounded in number by the refresher when it restores them,
// and the counts' names cut by countsTable.keep. Its flow ids are a copy
// of their exact size: the decoder decodes every space into the same
// memory.
func (sp space) bounded() space {
	sp.FlowIDs = boundedIDs(sp.FlowIDs)
	if !slices.IsSorted(sp.FlowIDs) {
		// Not written by an exporter: sorted, the flow statuses no longer
		// say which flow they are of.
		slices.Sort(sp.FlowIDs)
		sp.FlowStatus = nil
	}
	if fs := sp.FlowStatus; fs != nil {
		for i, s := range fs.Statuses {
			fs.Statuses[i] = client.Cut(s, client.MaxCategoryBytes)
		}
		fs.LastError = boundedError(fs.LastError)
	}
	for i := range sp.Flows {
		f := &sp.Flows[i]
		f.FlowID, f.FlowName = client.Cut(f.FlowID, client.MaxFlowIDBytes), client.Cut(f.FlowName, client.MaxFlowNameBytes)
		f.Categories = f.Categories[:min(len(f.Categories), client.MaxCategoriesPerFlow)]
		for j, c := range f.Categories {
			f.Categories[j] = client.Cut(c, client.MaxCategoryBytes)
		}
	}
	sp.Count = max(sp.Count, 0)
	sp.LastError = boundedError(sp.LastError)
	return sp
}

// boundedIDs returns a copy of ids, each cut to the client's bound; nil for
// none.
func boundedIDs(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = client.Cut(id, client.MaxFlowIDBytes)
	}
	return out
}

// boundedError returns e with every text cut to client.MaxTextBytes, as the
// client cuts its own errors; nil for nil.
func boundedError(e *snapshot.ErrorInfo) *snapshot.ErrorInfo {
	if e == nil {
		return nil
	}
	return &snapshot.ErrorInfo{Code: client.Cut(e.Code, client.MaxTextBytes), Message: client.Cut(e.Message, client.MaxTextBytes),
		RequestID: client.Cut(e.RequestID, client.MaxTextBytes), Recommend: client.Cut(e.Recommend, client.MaxTextBytes), Class: client.Cut(e.Class, client.MaxTextBytes)}
}
