package simulator

import (
	"fmt"
	"net/http"
	"slices"
)

// TemplateChange changes the review of a template (see
// [Server.SetTemplate]): the fields that are not nil, to any string ("" leaves
// the field out of answers).
type TemplateChange struct {
	AuditStatus *string
	Reason      *string
}

// SetTemplate changes the AuditStatus and Reason of a template of a space,
// the one of that TemplateCode and Language: what ListChatappTemplate
// answers from then on, such as a template paused or disabled by Meta, or a
// review failed. The template's LastUpdateTime becomes the server's clock
// (Unix milliseconds), as CAMS dates a review's outcome. It returns
// ErrNothingToSet when c names no field.
func (s *Server) SetTemplate(spaceID, code, language string, c TemplateChange) error {
	if c.AuditStatus == nil && c.Reason == nil {
		return ErrNothingToSet
	}
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	sp, err := s.spaceLocked(spaceID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(sp.templates, func(t Template) bool { return t.TemplateCode == code && t.Language == language })
	if i < 0 {
		return fmt.Errorf("%w %q in %q in space %q", ErrUnknownTemplate, code, language, spaceID)
	}
	t := &sp.templates[i]
	if c.AuditStatus != nil {
		t.AuditStatus = *c.AuditStatus
	}
	if c.Reason != nil {
		t.Reason = *c.Reason
	}
	t.LastUpdateTime = s.now().UnixMilli()
	return nil
}

// EmptyLanguagePathID stands for a template's empty Language in the control
// endpoint's paths.
const EmptyLanguagePathID = "_"

// handleTemplates adds the control path of templates to mux. It takes PUT,
// and POST too, as the paths of numbers do.
func (s *Server) handleTemplates(mux *http.ServeMux) {
	for _, method := range []string{http.MethodPut, http.MethodPost} {
		mux.HandleFunc(method+" /-/spaces/{id}/templates/{code}/{language}", s.handleSetTemplate)
	}
}

func (s *Server) handleSetTemplate(w http.ResponseWriter, r *http.Request) {
	var c TemplateChange
	if err := decodeStrict(w, r, &c); err != nil {
		http.Error(w, "bad template change: "+err.Error(), http.StatusBadRequest)
		return
	}
	language := r.PathValue("language")
	if language == EmptyLanguagePathID {
		language = ""
	}
	answerChange(w, s.SetTemplate(pathSpace(r), r.PathValue("code"), language, c), "bad template change: ")
}
