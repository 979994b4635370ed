package simulator

import (
	"errors"
	"fmt"
	"slices"
)

// Template is a message template of a space in one language, with the
// fields of the official SDK's ListChatappTemplateResponseBodyListTemplate.
// TemplateCode is required and (TemplateCode, Language) unique in a space;
// the others are served as they are, undocumented values included (left
// out of the answer when empty). LastUpdateTime is Unix milliseconds.
type Template struct {
	TemplateCode   string
	TemplateName   string `json:",omitempty"`
	Language       string `json:",omitempty"`
	Category       string `json:",omitempty"`
	AuditStatus    string `json:",omitempty"`
	Reason         string `json:",omitempty"`
	TemplateType   string `json:",omitempty"`
	LastUpdateTime int64  `json:",omitempty"`
}

// Template AuditStatus values: the SDK documents pass, fail, auditing and
// unaudit; CAMS's ChatAppAudit push adds paused and disabled (Meta pauses a
// template of low quality, and disables it at the third pause).
const (
	TemplatePass     = "pass"
	TemplateFail     = "fail"
	TemplateAuditing = "auditing"
	TemplateUnaudit  = "unaudit"
	TemplatePaused   = "paused"
	TemplateDisabled = "disabled"
)

// Paging of ListChatappTemplate. CAMS documents no default and no maximum
// page size: a Page left out is {"Index":1,"Size":20}, the example of its
// documentation, and a Size above MaxTemplatesPageSize is refused, so that a
// client's page size meets a bound (twice the largest the project's client
// asks for).
const (
	DefaultTemplatesPageSize = 20
	MaxTemplatesPageSize     = 500
)

// maxTemplateFieldBytes bounds each text field of a data file's template:
// far above what CAMS answers, so that a client's own cuts can be tested.
const maxTemplateFieldBytes = 4096

// Errors of the template mutation methods, for errors.Is.
var (
	ErrUnknownTemplate   = errors.New("unknown template")
	ErrDuplicateTemplate = errors.New("duplicate template (TemplateCode and Language)")
	ErrEmptyTemplateCode = errors.New("empty TemplateCode")
)

// templatesBody is ListChatappTemplate's success answer, as the official
// SDK declares it.
type templatesBody struct {
	RequestId    string
	Code         string
	Message      string
	Success      bool
	Total        int
	ListTemplate []Template
}

// templateFilters are ListChatappTemplate's string parameters that filter,
// with the template field each one matches exactly.
var templateFilters = []struct {
	param string
	field func(Template) string
}{
	{"AuditStatus", func(t Template) string { return t.AuditStatus }},
	{"Category", func(t Template) string { return t.Category }},
	{"Code", func(t Template) string { return t.TemplateCode }},
	{"Language", func(t Template) string { return t.Language }},
	{"Name", func(t Template) string { return t.TemplateName }},
	{"TemplateType", func(t Template) string { return t.TemplateType }},
}

// listTemplates answers ListChatappTemplate: page Page of the templates of
// CustSpaceId (the own space when absent or empty) that match the filters,
// in the data set's order, and their Total. Page is a JSON object in the
// query, as the SDK sends it ({"Index":1,"Size":20} when absent); a Page
// that is not such an object, an Index or Size below 1 or a Size above
// MaxTemplatesPageSize answers InvalidParameter, as ListFlow does. A
// non-empty AuditStatus, Category, Code (TemplateCode), Language, Name
// (TemplateName) or TemplateType keeps the templates whose field is that
// value exactly (the SDK documents the parameters, not their matching);
// CustWabaId, IsvCode and the other parameters are accepted and ignored. A
// page past the end is an empty ListTemplate with the Total. An unknown
// space answers Unknown.ResourceOwnerId, a space with an error code that
// code.
func (s *Server) listTemplates(c *call) (any, *apiError) {
	index, size, e := parseTemplatesPage(c.params.Get("Page"))
	if e != nil {
		return nil, e
	}
	templates, e := s.spaceTemplates(c.params.Get("CustSpaceId"))
	if e != nil {
		return nil, e
	}
	matched := slices.DeleteFunc(templates, func(t Template) bool { return !matchesFilters(t, c) })
	page := []Template{}
	if index-1 < (len(matched)+size-1)/size { // compared before multiplying: Index may be huge
		lo := (index - 1) * size
		page = matched[lo:min(lo+size, len(matched))]
	}
	return templatesBody{RequestId: c.requestID, Code: "OK", Message: "SUCCESS", Success: true, Total: len(matched), ListTemplate: page}, nil
}

func matchesFilters(t Template, c *call) bool {
	for _, f := range templateFilters {
		if want := c.params.Get(f.param); want != "" && f.field(t) != want {
			return false
		}
	}
	return true
}

// parseTemplatesPage reads ListChatappTemplate's Page: {"Index":1,"Size":20},
// both optional (Index 1, Size DefaultTemplatesPageSize).
func parseTemplatesPage(raw string) (index, size int, e *apiError) {
	return parsePageParam(raw, DefaultTemplatesPageSize, MaxTemplatesPageSize)
}

// spaceTemplates returns a copy of a space's templates, or the error the
// space answers.
func (s *Server) spaceTemplates(spaceID string) ([]Template, *apiError) {
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	sp, e := s.answeringSpace(spaceID)
	if e != nil {
		return nil, e
	}
	return slices.Clone(sp.templates), nil
}

// validateTemplates reports the first problem of a space's templates: an
// empty TemplateCode, a (TemplateCode, Language) listed twice, a text field
// longer than maxTemplateFieldBytes.
func (sp *Space) validateTemplates() error {
	seen := map[[2]string]bool{}
	for j, t := range sp.Templates {
		key := [2]string{t.TemplateCode, t.Language}
		switch {
		case t.TemplateCode == "":
			return fmt.Errorf("space %q: templates[%d]: %w", sp.ID, j, ErrEmptyTemplateCode)
		case seen[key]:
			return fmt.Errorf("space %q: templates[%d]: %w: %q in %q", sp.ID, j, ErrDuplicateTemplate, t.TemplateCode, t.Language)
		}
		seen[key] = true
		for _, f := range []struct{ name, value string }{
			{"TemplateCode", t.TemplateCode}, {"TemplateName", t.TemplateName}, {"Language", t.Language}, {"Category", t.Category},
			{"AuditStatus", t.AuditStatus}, {"Reason", t.Reason}, {"TemplateType", t.TemplateType},
		} {
			if len(f.value) > maxTemplateFieldBytes {
				return fmt.Errorf("space %q: templates[%d]: %s is %d bytes, more than %d", sp.ID, j, f.name, len(f.value), maxTemplateFieldBytes)
			}
		}
	}
	return nil
}
