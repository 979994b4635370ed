package client

import (
	"context"
	"fmt"
	"strings"
)

// TemplatePageFunc fetches page index (1-based) of size templates.
type TemplatePageFunc func(ctx context.Context, index, size int) (TemplatePage, error)

// TemplatePager lists the templates of one space a page at a time, so that
// a caller can interleave the pages of several listings. A listing ends at
// the page that brings it to the Total the first answer gave, or at a short
// page, whichever comes first (an answer without Total: at a short page, as
// ListFlow's). A listing whose pages disagree with Total is complete, and
// says how (Disagreement): a template listed twice (kept once, the first
// listed), more templates than Total, fewer than Total at the short page
// that ended it, pages giving different Totals. A full page that brings
// nothing new while the listing goes on is an InvalidResponse (the server
// seems to ignore Page); a listing past its page limit ends with
// CodeTooManyPages. A TemplatePager is not safe for concurrent use.
type TemplatePager struct {
	fetch      TemplatePageFunc
	size       int
	maxPages   int
	pages      int
	total      int // the first page's Total; -1 for none
	totals     []int
	seen       map[TemplateKey]struct{}
	templates  []Template
	duplicates int
	done       bool
}

// NewTemplatePager returns a pager of pages of pageSize templates
// (DefaultTemplatesPageSize if below 1, MaxTemplatesPageSize at most) that
// gives up after maxPages pages (MaxPagesLimit if below 1 or above it).
func NewTemplatePager(fetch TemplatePageFunc, pageSize, maxPages int) *TemplatePager {
	pageSize, maxPages = pageBounds(pageSize, DefaultTemplatesPageSize, maxPages)
	return &TemplatePager{fetch: fetch, size: min(pageSize, MaxTemplatesPageSize), maxPages: maxPages, total: -1, seen: map[TemplateKey]struct{}{}}
}

// Next fetches the next page and reports whether the listing is complete;
// Templates then holds every template. An error ends the listing and no
// partial list is ever complete: a caller keeps what it had. Next must not
// be called again after it reported done or an error.
func (p *TemplatePager) Next(ctx context.Context) (done bool, err error) {
	if p.done {
		return true, nil
	}
	index := p.pages + 1
	page, err := p.fetch(ctx, index, p.size)
	if err != nil {
		return false, err
	}
	p.pages = index
	if index == 1 {
		p.total = page.Total
	}
	p.noteTotal(page.Total)
	added := p.add(page.Templates)
	switch {
	case len(page.Templates) < p.size || p.total >= 0 && len(p.templates) >= p.total:
		p.done, p.seen = true, nil
		return true, nil
	case added == 0:
		return false, invalidResponse(OperationListTemplates, 200, fmt.Sprintf("page %d repeated only templates already listed; the server seems to ignore Page", index))
	case p.pages >= p.maxPages:
		return false, &Error{Operation: OperationListTemplates, Code: CodeTooManyPages, Class: ClassPermanent,
			Message: fmt.Sprintf("the listing did not end within %d pages of %d templates (%d templates so far, Total %d)", p.maxPages, p.size, len(p.templates), p.total)}
	}
	return false, nil
}

// add keeps the templates of a page not listed yet and returns how many.
func (p *TemplatePager) add(page []Template) int {
	added := 0
	for _, t := range page {
		if _, dup := p.seen[t.Key()]; dup {
			p.duplicates++
			continue
		}
		p.seen[t.Key()] = struct{}{}
		p.templates = append(p.templates, t)
		added++
	}
	return added
}

// noteTotal keeps each distinct Total the pages gave, in order, at most 3.
func (p *TemplatePager) noteTotal(total int) {
	if len(p.totals) < 3 && (len(p.totals) == 0 || p.totals[len(p.totals)-1] != total) {
		p.totals = append(p.totals, total)
	}
}

// Templates returns the templates listed so far, each (TemplateCode,
// Language) once; the whole listing once Next reported done.
func (p *TemplatePager) Templates() []Template { return p.templates }

// Pages returns how many pages have been fetched.
func (p *TemplatePager) Pages() int { return p.pages }

// Total returns the Total the first page gave; -1 for none.
func (p *TemplatePager) Total() int { return p.total }

// Disagreement says how the pages of a complete listing disagree with the
// Total they gave, "" when they agree (or gave none and listed no template
// twice), and for a listing not complete.
func (p *TemplatePager) Disagreement() string {
	if !p.done {
		return ""
	}
	var why []string
	if p.duplicates > 0 {
		why = append(why, fmt.Sprintf("%d templates listed twice", p.duplicates))
	}
	if len(p.totals) > 1 {
		why = append(why, fmt.Sprintf("the pages gave different Totals (%s)", joinInts(p.totals)))
	}
	switch n := len(p.templates); {
	case p.total < 0:
	case n > p.total:
		why = append(why, fmt.Sprintf("%d templates, more than the Total of %d", n, p.total))
	case n < p.total:
		why = append(why, fmt.Sprintf("%d templates at the last page, fewer than the Total of %d", n, p.total))
	}
	return strings.Join(why, "; ")
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// TemplatePager returns a pager over the templates of a space.
func (c *Client) TemplatePager(space string, pageSize, maxPages int) *TemplatePager {
	return NewTemplatePager(func(ctx context.Context, index, size int) (TemplatePage, error) {
		return c.ListTemplatePage(ctx, space, index, size)
	}, pageSize, maxPages)
}
