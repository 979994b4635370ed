package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// tpl is template i of code "t<i>" in language lang.
func tpl(i int, lang string) Template {
	return Template{TemplateCode: fmt.Sprintf("t%d", i), Language: lang, AuditStatus: "pass"}
}

// span returns templates from..to-1, in en_US.
func span(from, to int) []Template {
	var out []Template
	for i := from; i < to; i++ {
		out = append(out, tpl(i, "en_US"))
	}
	return out
}

// servedPages answers page i with pages[i-1], and fails the test past them.
func servedPages(t *testing.T, pages []TemplatePage, asked *[]int) TemplatePageFunc {
	return func(_ context.Context, index, size int) (TemplatePage, error) {
		*asked = append(*asked, index)
		if size != 3 {
			t.Errorf("page %d asked with size %d, want 3", index, size)
		}
		if index > len(pages) {
			t.Fatalf("page %d asked, past the %d pages served", index, len(pages))
		}
		return pages[index-1], nil
	}
}

// A listing ends at Total or at a short page, whichever comes first, and
// says how its pages disagree with Total; the expected outcomes are worked
// out by hand from the pages (size 3).
func TestTemplatePagerEndsAtTotalOrAShortPage(t *testing.T) {
	tests := []struct {
		name      string
		pages     []TemplatePage
		maxPages  int
		wantPages int
		wantCount int
		wantWhy   string // in Disagreement; "" for none
		wantCode  string // the error's code; "" for a complete listing
	}{
		{"Total reached on a full page: no empty page asked", []TemplatePage{{span(0, 3), 6}, {span(3, 6), 6}}, 0, 2, 6, "", ""},
		{"a short page ends it", []TemplatePage{{span(0, 3), 5}, {span(3, 5), 5}}, 0, 2, 5, "", ""},
		{"a space without templates", []TemplatePage{{nil, 0}}, 0, 1, 0, "", ""},
		{"no Total: pages until a short one", []TemplatePage{{span(0, 3), -1}, {span(3, 6), -1}, {nil, -1}}, 0, 3, 6, "", ""},
		{"one code in two languages is two templates", []TemplatePage{{[]Template{tpl(1, "en_US"), tpl(1, "zh_CN")}, 2}}, 0, 1, 2, "", ""},
		{"fewer than Total at the short page", []TemplatePage{{span(0, 3), 10}, {span(3, 4), 10}}, 0, 2, 4, "4 templates at the last page, fewer than the Total of 10", ""},
		{"more than Total", []TemplatePage{{span(0, 3), 2}}, 0, 1, 3, "3 templates, more than the Total of 2", ""},
		{"a template listed twice", []TemplatePage{{span(0, 3), 5}, {append(span(2, 3), span(3, 5)...), 5}}, 0, 2, 5, "1 templates listed twice", ""},
		{"a template listed twice, then the short page", []TemplatePage{{span(0, 3), 6}, {append(span(2, 3), span(3, 5)...), 6}, {span(5, 6), 6}}, 0, 3, 6, "1 templates listed twice", ""},
		{"pages give different Totals", []TemplatePage{{span(0, 3), 4}, {span(3, 4), 5}}, 0, 2, 4, "the pages gave different Totals (4, 5)", ""},
		{"Page ignored: the same page again", []TemplatePage{{span(0, 3), 9}, {span(0, 3), 9}}, 0, 2, 3, "", CodeInvalidResponse},
		{"past the page limit", []TemplatePage{{span(0, 3), 99}, {span(3, 6), 99}}, 2, 2, 6, "", CodeTooManyPages},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked []int
			p := NewTemplatePager(servedPages(t, tt.pages, &asked), 3, tt.maxPages)
			var err error
			for done := false; !done && err == nil; {
				done, err = p.Next(context.Background())
			}
			var e *Error
			switch {
			case tt.wantCode == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantCode != "" && (!errors.As(err, &e) || e.Code != tt.wantCode):
				t.Fatalf("error %v, want code %s", err, tt.wantCode)
			}
			if len(asked) != tt.wantPages || p.Pages() != tt.wantPages {
				t.Errorf("pages asked %v (Pages %d), want %d", asked, p.Pages(), tt.wantPages)
			}
			if n := len(p.Templates()); n != tt.wantCount {
				t.Errorf("%d templates, want %d", n, tt.wantCount)
			}
			why := p.Disagreement()
			if tt.wantWhy == "" && why != "" || !strings.Contains(why, tt.wantWhy) {
				t.Errorf("Disagreement %q, want %q", why, tt.wantWhy)
			}
		})
	}
}

// A failing page ends the listing with its error, and no partial list is
// complete.
func TestTemplatePagerFailingPage(t *testing.T) {
	boom := &Error{Operation: OperationListTemplates, Code: "System.LimitControl", Class: ClassThrottled}
	calls := 0
	p := NewTemplatePager(func(_ context.Context, index, size int) (TemplatePage, error) {
		calls++
		if index == 2 {
			return TemplatePage{}, boom
		}
		return TemplatePage{span(0, size), 40}, nil
	}, 0, 0)
	if done, err := p.Next(context.Background()); done || err != nil {
		t.Fatalf("page 1: done %v, err %v", done, err)
	}
	if done, err := p.Next(context.Background()); done || !errors.Is(err, boom) {
		t.Fatalf("page 2: done %v, err %v, want the page's error", done, err)
	}
	if calls != 2 || len(p.Templates()) != DefaultTemplatesPageSize {
		t.Errorf("%d calls, %d templates, want 2 and %d", calls, len(p.Templates()), DefaultTemplatesPageSize)
	}
}
