package simulator

import (
	"errors"
	"net/http"
	"strconv"
)

// handleAccount adds the control paths of numbers, WABAs and health to mux.
// The setters take PUT, and POST too (the design names POST).
func (s *Server) handleAccount(mux *http.ServeMux) {
	mux.HandleFunc("POST /-/spaces/{id}/phone-numbers", s.handleAddNumber)
	mux.HandleFunc("DELETE /-/spaces/{id}/phone-numbers/{number}", func(w http.ResponseWriter, r *http.Request) {
		answerChange(w, s.RemovePhoneNumber(pathSpace(r), r.PathValue("number")), "")
	})
	mux.HandleFunc("DELETE /-/spaces/{id}/waba", func(w http.ResponseWriter, r *http.Request) {
		answerChange(w, s.SetWABA(pathSpace(r), nil), "")
	})
	for _, method := range []string{http.MethodPut, http.MethodPost} {
		mux.HandleFunc(method+" /-/spaces/{id}/phone-numbers/{number}", s.handleSetNumber)
		mux.HandleFunc(method+" /-/spaces/{id}/phone-numbers/{number}/health", s.handleNumberHealth)
		mux.HandleFunc(method+" /-/spaces/{id}/waba", s.handleSetWABA)
		mux.HandleFunc(method+" /-/spaces/{id}/health/{entity}", s.handleEntityHealth)
		mux.HandleFunc(method+" /-/app/health", s.handleAppHealth)
	}
}

func (s *Server) handleAddNumber(w http.ResponseWriter, r *http.Request) {
	var n PhoneNumber
	if err := decodeStrict(w, r, &n); err != nil {
		http.Error(w, "bad phone number: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.AddPhoneNumber(pathSpace(r), n); err != nil {
		answerChange(w, err, "bad phone number: ")
		return
	}
	writeJSON(w, http.StatusOK, n)
}

func (s *Server) handleSetNumber(w http.ResponseWriter, r *http.Request) {
	var c NumberChange
	if err := decodeStrict(w, r, &c); err != nil {
		http.Error(w, "bad phone number change: "+err.Error(), http.StatusBadRequest)
		return
	}
	answerChange(w, s.SetPhoneNumber(pathSpace(r), r.PathValue("number"), c), "bad phone number change: ")
}

func (s *Server) handleNumberHealth(w http.ResponseWriter, r *http.Request) {
	var h Health
	if err := decodeStrict(w, r, &h); err != nil {
		http.Error(w, "bad health: "+err.Error(), http.StatusBadRequest)
		return
	}
	answerChange(w, s.SetNumberHealth(pathSpace(r), r.PathValue("number"), h), "")
}

func (s *Server) handleSetWABA(w http.ResponseWriter, r *http.Request) {
	var waba WABA
	if err := decodeStrict(w, r, &waba); err != nil {
		http.Error(w, "bad WABA: "+err.Error(), http.StatusBadRequest)
		return
	}
	answerChange(w, s.SetWABA(pathSpace(r), &waba), "bad WABA: ")
}

// handleEntityHealth serves /-/spaces/{id}/health/{entity}, entity waba
// or business.
func (s *Server) handleEntityHealth(w http.ResponseWriter, r *http.Request) {
	entity := r.PathValue("entity")
	if entity != EntityPathWABA && entity != EntityPathBusiness {
		http.Error(w, "unknown entity "+strconv.Quote(entity)+" (want waba or business; the APP's health is /-/app/health)", http.StatusNotFound)
		return
	}
	var h Health
	if err := decodeStrict(w, r, &h); err != nil {
		http.Error(w, "bad health: "+err.Error(), http.StatusBadRequest)
		return
	}
	answerChange(w, s.SetEntityHealth(pathSpace(r), entity, h), "")
}

// handleAppHealth serves /-/app/health.
func (s *Server) handleAppHealth(w http.ResponseWriter, r *http.Request) {
	var h Health
	if err := decodeStrict(w, r, &h); err != nil {
		http.Error(w, "bad health: "+err.Error(), http.StatusBadRequest)
		return
	}
	answerChange(w, s.SetEntityHealth("", EntityPathApp, h), "")
}

// answerChange answers a change of the data set: 204 when it was made,
// 404 for an unknown space, number, entity or template, 409 for a duplicate number,
// else 400 with badPrefix and the error.
func answerChange(w http.ResponseWriter, err error, badPrefix string) {
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, ErrUnknownSpace), errors.Is(err, ErrUnknownNumber), errors.Is(err, ErrUnknownEntity), errors.Is(err, ErrUnknownTemplate):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, ErrDuplicateNumber):
		http.Error(w, err.Error(), http.StatusConflict)
	default:
		http.Error(w, badPrefix+err.Error(), http.StatusBadRequest)
	}
}
