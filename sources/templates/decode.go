package templates

import (
	"encoding/json"
	"fmt"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/sources/values"
)

// Decode reads back the Data of a space's part (Templates) from the JSON
// the cache file holds, bounded as a listing is: at most the templates a
// listing of the source's page limit can hold (maxTemplates), each with a
// TemplateCode the client would take, texts cut and label values folded
// by the source's caps as a listing's are, sorted, each key once; Changes
// of the counted statuses alone; pages within the page limit. The problem
// series the part held are a claim, granted again when the runner restores
// the part (Enter): until then it holds none. It is the source's codec for
// the cache (cache.Codecs).
func (s *Source) Decode(raw json.RawMessage) (any, error) {
	var saved saved
	if err := json.Unmarshal(raw, &saved); err != nil {
		return nil, err
	}
	pageLimit := s.pageLimit()
	switch limit := pageLimit * client.MaxTemplatesPageSize; {
	case len(saved.List) > limit:
		return nil, fmt.Errorf("%d templates, more than the %d a listing holds (%d pages of at most %d)", len(saved.List), limit, pageLimit, client.MaxTemplatesPageSize)
	case saved.Total < -1:
		return nil, fmt.Errorf("a Total of %d", saved.Total)
	case saved.Pages < 0 || saved.Pages > pageLimit:
		return nil, fmt.Errorf("%d pages, not from 0 to the limit of %d", saved.Pages, pageLimit)
	}
	listed := make([]client.Template, len(saved.List))
	for i, k := range saved.List {
		if err := values.CheckID(k.Code, client.MaxEntityIDBytes); err != nil {
			return nil, fmt.Errorf("template %d: %w", i, err)
		}
		listed[i] = client.Template{TemplateCode: k.Code, TemplateName: k.Name, Language: k.Language, Category: k.Category,
			AuditStatus: k.AuditStatus, Reason: k.Reason, LastUpdateTime: k.Updated}
	}
	t := Templates{Total: saved.Total, Pages: saved.Pages,
		Disagreement: client.Cut(saved.Disagreement, client.MaxTextBytes), Changes: countedChanges(saved.Changes)}
	list := keptList(listed, s.caps)
	if saved.ByStatus == nil {
		// Every template kept one by one (--collector.template-info was
		// on, or the listing had none): counted from the list, kept as the
		// source keeps them now.
		t = summarize(list, t, s.keepAll)
	} else {
		counted, err := s.decodeCounts(saved, len(list), limit(pageLimit))
		if err != nil {
			return nil, err
		}
		counted.List, counted.Total, counted.Pages, counted.Disagreement, counted.Changes = list, t.Total, t.Pages, t.Disagreement, t.Changes
		t = counted
	}
	t.claim = min(max(saved.ProblemSeries, 0), t.problems())
	return t, nil
}

func limit(pageLimit int) int { return pageLimit * client.MaxTemplatesPageSize }

// decodeCounts checks the counts of saved (every template counted once by
// status and once by category, at least those kept one by one, at most
// limit) and folds their values by the source's caps.
func (s *Source) decodeCounts(saved saved, kept, limit int) (Templates, error) {
	if saved.Listed < kept || saved.Listed > limit {
		return Templates{}, fmt.Errorf("%d templates counted, not from the %d kept one by one to the %d a listing holds", saved.Listed, kept, limit)
	}
	t := Templates{Listed: saved.Listed, counted: true}
	if err := foldCounts(&t.byStatus, documentedStatuses, saved.ByStatus, saved.Listed, s.caps.status); err != nil {
		return Templates{}, fmt.Errorf("by status: %w", err)
	}
	if err := foldCounts(&t.byCategory, documentedCategories, saved.ByCategory, saved.Listed, s.caps.category); err != nil {
		return Templates{}, fmt.Errorf("by category: %w", err)
	}
	return t, nil
}

// foldCounts adds counts to t, their values folded by c and shared, when
// they add up to total.
func foldCounts(t *tally, documented []string, counts []Count, total int, c *values.Cap) error {
	sum := 0
	for _, n := range counts {
		if n.N < 0 || n.N > total-sum {
			return fmt.Errorf("a count of %d beyond the %d templates", n.N, total)
		}
		sum += n.N
		if n.N > 0 {
			t.add(documented, values.Shared(c.Fold(n.Value)), n.N)
		}
	}
	if sum != total {
		return fmt.Errorf("counts adding up to %d, not the %d templates", sum, total)
	}
	return nil
}

// pageLimit is the most pages a listing of the source takes (the client's
// bound of maxPages).
func (s *Source) pageLimit() int {
	if s.maxPages < 1 || s.maxPages > client.MaxPagesLimit {
		return client.MaxPagesLimit
	}
	return s.maxPages
}

// countedChanges returns the counts of saved of the statuses whose moves
// are counted (changeStatuses), nil for none.
func countedChanges(saved map[string]uint64) map[string]uint64 {
	var out map[string]uint64
	for _, status := range changeStatuses {
		if n := saved[status]; n > 0 {
			if out == nil {
				out = make(map[string]uint64, len(changeStatuses))
			}
			out[status] = n
		}
	}
	return out
}
