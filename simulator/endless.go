package simulator

import (
	"net/http"
	"strconv"
)

// EndlessPage is page index (1-based) of size flows of an endless space:
// always full, and of flows no earlier page held (FlowIds "endless-<n>",
// numbered on from the previous page), so that a client paging until a short
// page never stops, and one that stops at a page of known flows does not
// either.
func EndlessPage(index, size int) []Flow {
	page := make([]Flow, size)
	first := (index - 1) * size
	for i := range page {
		n := strconv.Itoa(first + i + 1)
		page[i] = Flow{FlowId: "endless-" + n, FlowName: "endless flow " + n, Categories: []string{"OTHER"}}
	}
	return page
}

// SetSpaceEndless makes a space page forever (see [EndlessPage]), or serve
// its flows again. A space that does not exist is created, empty. A space's
// error code still comes first.
func (s *Server) SetSpaceEndless(spaceID string, endless bool) {
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	s.addSpaceLocked(spaceID).endless = endless
}

// handleSpaceEndless serves PUT /-/spaces/{id}/endless {"endless":true}.
func (s *Server) handleSpaceEndless(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Endless *bool `json:"endless"`
	}
	if err := decodeStrict(w, r, &body); err != nil {
		http.Error(w, "bad endless setting: "+err.Error(), http.StatusBadRequest)
		return
	}
	if body.Endless == nil {
		http.Error(w, `bad endless setting: want {"endless":true} or {"endless":false}`, http.StatusBadRequest)
		return
	}
	s.SetSpaceEndless(pathSpace(r), *body.Endless)
	w.WriteHeader(http.StatusNoContent)
}
