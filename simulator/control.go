package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxControlBody bounds the bodies the control endpoint reads.
const maxControlBody = 1 << 16

func (s *Server) controlMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "OK")
	})
	mux.HandleFunc("GET /-/stats", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.Stats()) })
	mux.HandleFunc("GET /-/dataset", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.Dataset()) })
	mux.HandleFunc("GET /-/faults", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.Faults()) })
	mux.HandleFunc("POST /-/faults", s.handleInject)
	mux.HandleFunc("DELETE /-/faults", func(w http.ResponseWriter, _ *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /-/faults/{id}", s.handleRemoveFault)
	mux.HandleFunc("POST /-/spaces/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.AddSpace(pathSpace(r))
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /-/spaces/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.DeleteSpace(pathSpace(r))
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("PUT /-/spaces/{id}/error", s.handleSpaceError)
	mux.HandleFunc("PUT /-/spaces/{id}/endless", s.handleSpaceEndless)
	mux.HandleFunc("GET /-/requests", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.Requests()) })
	mux.HandleFunc("POST /-/spaces/{id}/flows", s.handleAddFlow)
	mux.HandleFunc("PUT /-/spaces/{id}/flows/{flowId}/status", s.handleFlowStatus)
	mux.HandleFunc("DELETE /-/spaces/{id}/flows/{flowId}", func(w http.ResponseWriter, r *http.Request) {
		if err := s.RemoveFlow(pathSpace(r), r.PathValue("flowId")); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	s.handleAccount(mux)
	s.handleTemplates(mux)
	return mux
}

// pathSpace is the space of a control path; "_" is the account's own space.
func pathSpace(r *http.Request) string {
	if id := r.PathValue("id"); id != OwnSpacePathID {
		return id
	}
	return ""
}

func (s *Server) handleInject(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if err := decodeStrict(w, r, &f); err != nil {
		http.Error(w, "bad fault: "+err.Error(), http.StatusBadRequest)
		return
	}
	id, err := s.Inject(f)
	if err != nil {
		http.Error(w, "bad fault: "+err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"id": id})
}

func (s *Server) handleRemoveFault(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.Error(w, "bad fault id: "+strconv.Quote(r.PathValue("id")), http.StatusBadRequest)
		return
	}
	if !s.RemoveFault(id) {
		http.Error(w, fmt.Sprintf("no fault %d", id), http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleSpaceError(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Code string `json:"code"`
	}
	if err := decodeStrict(w, r, &body); err != nil {
		http.Error(w, "bad space error: "+err.Error(), http.StatusBadRequest)
		return
	}
	if body.Code != "" && !KnownCode(body.Code) {
		http.Error(w, fmt.Sprintf("bad space error: code %q is not one the simulator knows", body.Code), http.StatusBadRequest)
		return
	}
	s.SetSpaceError(pathSpace(r), body.Code)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAddFlow(w http.ResponseWriter, r *http.Request) {
	var f Flow
	if err := decodeStrict(w, r, &f); err != nil {
		http.Error(w, "bad flow: "+err.Error(), http.StatusBadRequest)
		return
	}
	err := s.AddFlow(pathSpace(r), f)
	switch {
	case errors.Is(err, ErrUnknownSpace):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, ErrDuplicateFlow):
		http.Error(w, err.Error(), http.StatusConflict)
	case err != nil:
		http.Error(w, "bad flow: "+err.Error(), http.StatusBadRequest)
	default:
		writeJSON(w, http.StatusOK, f)
	}
}

func (s *Server) handleFlowStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status string `json:"status"`
	}
	if err := decodeStrict(w, r, &body); err != nil {
		http.Error(w, "bad flow status: "+err.Error(), http.StatusBadRequest)
		return
	}
	err := s.SetFlowStatus(pathSpace(r), r.PathValue("flowId"), body.Status)
	switch {
	case errors.Is(err, ErrBadFlowStatus):
		http.Error(w, "bad flow status: "+err.Error(), http.StatusBadRequest)
	case err != nil:
		http.Error(w, err.Error(), http.StatusNotFound)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// decodeStrict reads one JSON value with no unknown fields into v.
func decodeStrict(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty body")
		}
		return errors.New(strings.ReplaceAll(err.Error(), "\n", " "))
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeBody(w, status, "application/json", append(marshal(v), '\n'))
}
