package client

import (
	"context"
	"encoding/json"
	"fmt"
)

// OperationListTemplates is ListChatappTemplate's action name.
const OperationListTemplates = "ListChatappTemplate"

// DefaultTemplatesPageSize is the page size a templates listing asks for:
// CAMS documents no maximum and its console pages by 20, the size its
// documentation's example sends. A larger page saves calls only when spaces
// hold more than 20 templates, and a server that caps Size below it would
// make every page look short (a listing that ends early: Total tells).
const DefaultTemplatesPageSize = 20

// MaxTemplatesPageSize is the largest page a templates listing may ask for,
// and so the most templates an answer may hold (an answer of 250 templates
// is some 100 KB, well within MaxBodyBytes).
const MaxTemplatesPageSize = 250

// Template is one message template of a space, with the fields of the
// official SDK's ListChatappTemplateResponseBodyListTemplate. Every value
// is kept raw: the sets are open.
type Template struct {
	TemplateCode   string `json:"TemplateCode"`   // one code per template, across its languages
	TemplateName   string `json:"TemplateName"`   // the name given at creation
	Language       string `json:"Language"`       // such as en_US
	Category       string `json:"Category"`       // such as MARKETING, UTILITY, AUTHENTICATION
	AuditStatus    string `json:"AuditStatus"`    // such as pass, fail, auditing, paused, disabled
	Reason         string `json:"Reason"`         // why the review failed: free text
	TemplateType   string `json:"TemplateType"`   // WHATSAPP, VIBER...
	LastUpdateTime int64  `json:"LastUpdateTime"` // Unix milliseconds
}

// TemplateKey identifies a template: its code in one language.
type TemplateKey struct{ Code, Language string }

// Key returns t's key.
func (t Template) Key() TemplateKey { return TemplateKey{t.TemplateCode, t.Language} }

// TemplatePage is one page of a space's templates and the Total of the
// space's templates the answer gave: -1 when it gave none.
type TemplatePage struct {
	Templates []Template
	Total     int
}

// ListTemplatePage lists page index (1-based) of size templates of a space.
// It sends what the official SDK sends (POST, CustSpaceId and Page in the
// query, Page as the JSON object {"Index":1,"Size":20}: the SDK's
// PageShrink), waits on the operation's own limiter, retries and reports
// its attempts as ListFlow does, with operation "ListChatappTemplate".
//
// A page holding more templates than size, a template without a usable
// TemplateCode and a negative Total are invalid responses; texts are cut
// to MaxValueBytes, names and reasons to MaxNameBytes.
func (c *Client) ListTemplatePage(ctx context.Context, space string, index, size int) (TemplatePage, error) {
	params, err := spaceQuery(OperationListTemplates, space)
	if err != nil {
		return TemplatePage{}, err
	}
	if index < 1 || size < 1 || size > MaxTemplatesPageSize {
		return TemplatePage{}, fmt.Errorf("%s: page index must be at least 1 and size from 1 to %d, got %d and %d", OperationListTemplates, MaxTemplatesPageSize, index, size)
	}
	pageJSON, _ := json.Marshal(Page{Index: index, Size: size}) // a struct of two ints always marshals
	params.Set("Page", string(pageJSON))
	resp := templatesAnswer{index: index, size: size}
	if err := c.call(ctx, OperationListTemplates, params, &resp); err != nil {
		return TemplatePage{}, err
	}
	page := TemplatePage{Templates: resp.ListTemplate, Total: -1}
	if resp.Total != nil {
		page.Total = int(*resp.Total)
	}
	return page, nil
}

// templatesAnswer is ListChatappTemplate's body as the client reads it: the
// envelope is read by call.
type templatesAnswer struct {
	ListTemplate templateList `json:"ListTemplate"`
	Total        *int32       `json:"Total"`
	index, size  int
}

type templateList []Template

// UnmarshalJSON implements json.Unmarshaler, within MaxTemplatesPageSize
// (check refuses more than the page's size).
func (l *templateList) UnmarshalJSON(data []byte) (err error) {
	*l, err = decodeBounded[Template](data, MaxTemplatesPageSize, "ListTemplate")
	return err
}

// check refuses a page holding more templates than asked for, a template
// without a usable TemplateCode and a negative Total, and cuts the texts.
func (a *templatesAnswer) check() error {
	switch {
	case len(a.ListTemplate) > a.size:
		return fmt.Errorf("page %d holds %d templates, more than the Page.Size of %d asked for", a.index, len(a.ListTemplate), a.size)
	case a.Total != nil && *a.Total < 0:
		return fmt.Errorf("page %d: Total is %d", a.index, *a.Total)
	}
	list := a.ListTemplate
	for i := range list {
		t := &list[i]
		if problem := idProblem(t.TemplateCode, MaxEntityIDBytes); problem != "" {
			return fmt.Errorf("page %d: template %d of %d: TemplateCode %s", a.index, i+1, len(list), problem)
		}
		*t = t.bounded()
	}
	return nil
}

func (t Template) bounded() Template {
	t.TemplateName, t.Reason = Cut(t.TemplateName, MaxNameBytes), Cut(t.Reason, MaxNameBytes)
	t.Language, t.Category = Cut(t.Language, MaxValueBytes), Cut(t.Category, MaxValueBytes)
	t.AuditStatus, t.TemplateType = Cut(t.AuditStatus, MaxValueBytes), Cut(t.TemplateType, MaxValueBytes)
	return t
}
