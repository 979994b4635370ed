package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Fault kinds.
const (
	// FaultError answers Code with its table status (or Status).
	FaultError = "error"
	// FaultHTTP answers Status (500 if unset) with an InternalError or
	// ServiceUnavailable envelope (or Code's, if set).
	FaultHTTP = "http"
	// FaultLatency waits Latency, then answers normally.
	FaultLatency = "latency"
	// FaultHang never answers; the call ends when the client gives up or the
	// server closes.
	FaultHang = "hang"
	// FaultMalformed answers HTTP 200 with a body that is not JSON.
	FaultMalformed = "malformed"
	// FaultTruncated answers HTTP 200 with the first half of the body the
	// call would have had (and a Content-Length that matches the half).
	FaultTruncated = "truncated"
	// FaultOKError answers HTTP 200 with a body whose Code is Code.
	FaultOKError = "ok-error"
	// FaultReset closes the connection without an answer (with SO_LINGER 0,
	// so a TCP reset where the platform allows).
	FaultReset = "reset"
)

var faultKinds = map[string]bool{
	FaultError: true, FaultHTTP: true, FaultLatency: true, FaultHang: true,
	FaultMalformed: true, FaultTruncated: true, FaultOKError: true, FaultReset: true,
}

// Duration is a time.Duration written in JSON as a string such as "250ms".
type Duration time.Duration

// MarshalJSON writes d as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a Go duration string such as "250ms" or "1.5s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration must be a string such as \"250ms\", not %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Fault is a misbehaviour injected into API calls, after authentication and
// the rate limit. Action, when set, limits it to calls of that operation
// (any the simulator serves, see [OperationNames]). Space limits it to
// calls on one space (their CustSpaceId; a pointer so that "", the
// account's own space or none, can be named); nil matches every space and
// ListInstance calls too. Count
// is how many calls it affects before it clears itself; 0 means until
// cleared. Detail is the AccessDeniedDetail of an error or ok-error answer:
// "object" gives the gateway's object form, any other text a string; for
// Ram.PermissionDeny it defaults to a string naming the call's RAM action.
// Page, when set, limits the fault to ListFlow calls for that page index
// (Page.Index), to fail a listing halfway, or with Action
// ListChatappTemplate to that operation's calls for that page; such a fault
// applies to no other operation. Location, Items and Bytes shape the hostile kinds (see
// [FaultRedirect]), which apply to ListFlow, and where they mean something
// to QueryChatappPhoneNumbers, QueryChatappBindWaba,
// GetWhatsappHealthStatus and ListChatappTemplate (see hostileApplies). ID is set by the server.
type Fault struct {
	ID       int      `json:"id,omitempty"`
	Action   string   `json:"action,omitempty"`
	Space    *string  `json:"space,omitempty"`
	Kind     string   `json:"kind"`
	Code     string   `json:"code,omitempty"`
	Status   int      `json:"status,omitempty"`
	Latency  Duration `json:"latency,omitempty"`
	Count    int      `json:"count,omitempty"`
	Detail   string   `json:"detail,omitempty"`
	Page     int      `json:"page,omitempty"`
	Location string   `json:"location,omitempty"`
	Items    int      `json:"items,omitempty"`
	Bytes    int      `json:"bytes,omitempty"`
}

// Validate reports what is wrong with f.
func (f Fault) Validate() error {
	switch {
	case !faultKinds[f.Kind] && !hostileKinds[f.Kind]:
		return fmt.Errorf("unknown fault kind %q (want error, http, latency, hang, malformed, truncated, ok-error, reset, redirect, oversized-page, no-flow-id, huge-message or endless-pages)", f.Kind)
	case (f.Kind == FaultError || f.Kind == FaultOKError) && f.Code == "":
		return fmt.Errorf("a %s fault needs a code", f.Kind)
	case f.Status != 0 && (f.Status < 100 || f.Status > 599):
		return fmt.Errorf("status %d is not between 100 and 599", f.Status)
	case f.Latency < 0:
		return errors.New("latency must not be negative")
	case f.Kind == FaultLatency && f.Latency == 0:
		return errors.New("a latency fault needs a latency")
	case f.Count < 0:
		return errors.New("count must not be negative")
	case f.Page < 0:
		return errors.New("page must not be negative")
	case f.Action != "" && operations[f.Action] == nil:
		return fmt.Errorf("unknown action %q (want one of %s)", f.Action, strings.Join(OperationNames(), ", "))
	case f.Page != 0 && f.Action != "" && f.Action != "ListFlow" && f.Action != OperationListTemplates:
		return fmt.Errorf("a page fault applies to ListFlow and ListChatappTemplate only, not %s", f.Action)
	}
	return f.validateHostile()
}

// matches reports whether f applies to a call of action; spaceID matters to
// every operation but ListInstance, page to ListFlow and (a fault whose
// Action names it) ListChatappTemplate only.
func (f Fault) matches(action, spaceID string, page int) bool {
	if f.Action != "" && f.Action != action {
		return false
	}
	if hostileKinds[f.Kind] && !hostileApplies(f.Kind, action) {
		return false
	}
	switch action {
	case "ListFlow":
		return (f.Space == nil || *f.Space == spaceID) && (f.Page == 0 || f.Page == page)
	case OperationListTemplates:
		return (f.Space == nil || *f.Space == spaceID) && (f.Page == 0 || f.Action == action && f.Page == page)
	case "ListInstance":
		return f.Space == nil && f.Page == 0
	default:
		return (f.Space == nil || *f.Space == spaceID) && f.Page == 0
	}
}

func (f Fault) clone() Fault {
	if f.Space != nil {
		s := *f.Space
		f.Space = &s
	}
	return f
}

// faultSet holds the active faults in the order they were injected.
type faultSet struct {
	mu     sync.Mutex
	lastID int
	list   []Fault
}

// Inject adds a fault and returns its ID. Faults apply in the order they
// were injected; the first that matches a call wins.
func (s *Server) Inject(f Fault) (id int, err error) {
	if err := f.Validate(); err != nil {
		return 0, err
	}
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.lastID++
	f = f.clone()
	f.ID = fs.lastID
	fs.list = append(fs.list, f)
	return f.ID, nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.list = nil
}

// RemoveFault removes one fault and reports whether it was active.
func (s *Server) RemoveFault(id int) bool {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.list {
		if f.ID == id {
			fs.list = append(fs.list[:i:i], fs.list[i+1:]...)
			return true
		}
	}
	return false
}

// Faults returns the active faults; Count is what remains of each.
func (s *Server) Faults() []Fault {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	list := make([]Fault, len(fs.list))
	for i, f := range fs.list {
		list[i] = f.clone()
	}
	return list
}

// take returns the first fault matching a call of action (on spaceID, and
// for page with ListFlow) and uses up one of its Count.
func (fs *faultSet) take(action, spaceID string, page int) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.list {
		if !f.matches(action, spaceID, page) {
			continue
		}
		switch f.Count {
		case 0:
		case 1:
			fs.list = append(fs.list[:i:i], fs.list[i+1:]...)
		default:
			fs.list[i].Count--
		}
		return f.clone(), true
	}
	return Fault{}, false
}
