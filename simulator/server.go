package simulator

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// API identity the simulator answers to.
const (
	Product    = "cams"
	APIVersion = "2020-06-06"
)

// Defaults of Config.
const (
	DefaultAccessKeyID     = "simulatorAccessKeyId"
	DefaultAccessKeySecret = "simulatorAccessKeySecret"
	DefaultMaxPageSize     = 100
	DefaultPageSize        = 20
)

// Config configures a Server. The zero value works: it accepts
// DefaultAccessKeyID/DefaultAccessKeySecret, 5 calls/s and Generate(1, 5, 12).
type Config struct {
	// AccessKeyID and AccessKeySecret are the credential the server accepts
	// (more can be added with AddCredential); both empty mean the defaults.
	// With a SecurityToken the credential is temporary (STS) and requests
	// must carry the token.
	AccessKeyID, AccessKeySecret, SecurityToken string
	// RateLimit is the number of accepted calls per second per AccessKeyId
	// of ListFlow (with ListInstance) and of GetFlow, each in a bucket of
	// its own; 0 means DefaultRateLimit (5). A negative value means no limit
	// on any operation, unless Rates sets one.
	RateLimit float64
	// Rates sets the rate of an operation's bucket (calls per second per
	// AccessKeyId; negative: no limit), by operation: ListFlow, GetFlow or
	// one of the Operation* constants. Unset, the other operations have
	// their documented rate ([DocumentedRates]).
	Rates map[string]float64
	// MaxPageSize is the largest Page.Size accepted; 0 means
	// DefaultMaxPageSize (100).
	MaxPageSize int
	// Data is what the server serves; nil means Generate(1, 5, 12). The
	// server keeps a copy. The account's own space ("") is added if missing.
	Data *Dataset
	// Now is the server's clock (x-acs-date, nonces, rate limit, credential
	// expiry); nil means time.Now. Latency and hang faults use real time.
	Now func() time.Time
	// Faults are injected at start-up.
	Faults []Fault
}

// Server is a simulated CAMS endpoint; it is an http.Handler. Its methods are
// safe for concurrent use.
type Server struct {
	now         func() time.Time
	maxPageSize int
	limiters    limiters
	control     *http.ServeMux

	creds  credentials
	nonces nonces
	faults faultSet
	stats  *statsCounter
	// requests logs the accepted calls.
	requests requestLog

	dataMu sync.RWMutex
	data   store

	closing   chan struct{}
	closeOnce sync.Once
	closeErr  error
	srvMu     sync.Mutex
	srv       *http.Server
}

// New returns a server configured by cfg.
func New(cfg Config) (*Server, error) {
	if (cfg.AccessKeyID == "") != (cfg.AccessKeySecret == "") {
		return nil, errors.New("simulator: AccessKeyID and AccessKeySecret go together")
	}
	if cfg.AccessKeyID == "" {
		cfg.AccessKeyID, cfg.AccessKeySecret = DefaultAccessKeyID, DefaultAccessKeySecret
	}
	if math.IsNaN(cfg.RateLimit) || cfg.MaxPageSize < 0 {
		return nil, errors.New("simulator: RateLimit must be a number and MaxPageSize not negative")
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.MaxPageSize == 0 {
		cfg.MaxPageSize = DefaultMaxPageSize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	data := cfg.Data
	if data == nil {
		data = Generate(1, 5, 12)
	}
	if err := data.Validate(); err != nil {
		return nil, fmt.Errorf("simulator: data set: %w", err)
	}
	lims, err := newLimiters(cfg.RateLimit, cfg.Rates)
	if err != nil {
		return nil, fmt.Errorf("simulator: Rates: %w", err)
	}
	s := &Server{
		now:         cfg.Now,
		maxPageSize: cfg.MaxPageSize,
		limiters:    lims,
		creds:       credentials{byID: map[string]*credEntry{}},
		stats:       newStatsCounter(),
		data:        newStore(data),
		closing:     make(chan struct{}),
	}
	s.AddCredential(Credential{AccessKeyID: cfg.AccessKeyID, AccessKeySecret: cfg.AccessKeySecret, SecurityToken: cfg.SecurityToken})
	for i, f := range cfg.Faults {
		if _, err := s.Inject(f); err != nil {
			return nil, fmt.Errorf("simulator: fault %d: %w", i, err)
		}
	}
	s.control = s.controlMux()
	return s, nil
}

// ServeHTTP answers API calls, and the control endpoint under /-/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/-/") {
		s.control.ServeHTTP(w, r)
		return
	}
	s.stats.add(func(st *Stats) { st.Calls++ })
	s.serveAPI(w, r)
}

// call is one API request on its way through the server.
type call struct {
	r         *http.Request
	requestID string
	action    string // x-acs-action
	params    url.Values
}

// operation runs an API action; it returns the success body or an error.
type operation func(s *Server, c *call) (any, *apiError)

// The operations that tell the health of what flows run on.
const (
	OperationQueryPhoneNumbers = "QueryChatappPhoneNumbers"
	OperationQueryBindWaba     = "QueryChatappBindWaba"
	OperationGetHealthStatus   = "GetWhatsappHealthStatus"
	OperationListTemplates     = "ListChatappTemplate"
)

var operations = map[string]operation{
	"ListFlow":                 (*Server).listFlow,
	"ListInstance":             (*Server).listInstance,
	"GetFlow":                  (*Server).getFlow,
	OperationQueryPhoneNumbers: (*Server).queryPhoneNumbers,
	OperationQueryBindWaba:     (*Server).queryBindWaba,
	OperationGetHealthStatus:   (*Server).getHealthStatus,
	OperationListTemplates:     (*Server).listTemplates,
}

// OperationNames are the operations the simulator serves, sorted.
func OperationNames() []string { return slices.Sorted(maps.Keys(operations)) }

// route finds the operation of a call.
func route(c *call) (operation, *apiError) {
	if c.r.Method != http.MethodPost && c.r.Method != http.MethodGet {
		return nil, newError(CodeInvalidAPINotFound, "")
	}
	c.action = c.r.Header.Get("x-acs-action")
	op := operations[c.action]
	if op == nil || c.r.Header.Get("x-acs-version") != APIVersion {
		return nil, newError(CodeInvalidAPINotFound, "")
	}
	return op, nil
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	c := &call{r: r, requestID: newRequestID()}
	w.Header().Set("x-acs-request-id", c.requestID)
	now := s.now()
	op, e := route(c)
	var accessKeyID string
	if e == nil {
		accessKeyID, c.params, e = s.authenticate(w, r, now)
	}
	if e == nil && !s.limiters.allow(c.action, accessKeyID, now) {
		s.stats.add(func(st *Stats) { st.Throttled++; st.ThrottledByOperation[c.action]++ })
		e = newError(CodeSystemLimitControl, "")
		e.message = "Request was denied due to flow control."
	}
	if e != nil {
		s.writeError(w, c, e)
		return
	}
	req := s.logged(c, now)
	if f, ok := s.faults.take(c.action, req.Space, req.Page); ok && s.serveFault(w, c, f, op) {
		return
	}
	status, body := s.answer(c, op)
	writeBody(w, status, jsonContentType, body)
}

// logged counts an accepted call and logs it; it returns the log's entry.
func (s *Server) logged(c *call, now time.Time) Request {
	req := Request{Time: now, Action: c.action}
	if c.action != "ListInstance" {
		req.Space = c.params.Get("CustSpaceId")
	}
	switch c.action {
	case "ListFlow":
		req.Page, _, _ = s.parsePage(c.params.Get("Page")) // a bad Page is the operation's to answer
	case OperationListTemplates:
		req.Page, _, _ = parseTemplatesPage(c.params.Get("Page"))
	case OperationGetHealthStatus:
		req.Node = c.params.Get("NodeType")
		req.PhoneNumber = c.params.Get("PhoneNumber")
	}
	s.stats.add(func(st *Stats) {
		st.Accepted++
		st.Operations[c.action]++
		switch c.action {
		case "ListFlow":
			st.ListFlow[req.Space]++
		case "ListInstance":
			st.ListInstance++
		case "GetFlow":
			st.GetFlow[req.Space]++
		default:
			bySpace := st.Spaces[c.action]
			if bySpace == nil {
				bySpace = map[string]int{}
				st.Spaces[c.action] = bySpace
			}
			bySpace[req.Space]++
		}
	})
	s.requests.add(req)
	return req
}

// answer runs the operation and renders its answer.
func (s *Server) answer(c *call, op operation) (int, []byte) {
	data, e := op(s, c)
	if e != nil {
		return e.status, s.errorBytes(c, e)
	}
	return http.StatusOK, marshal(data)
}

func (s *Server) errorBytes(c *call, e *apiError) []byte {
	s.stats.add(func(st *Stats) { st.Codes[e.code]++ })
	return marshal(e.body(c.requestID, c.r.Host, c.action))
}

func (s *Server) writeError(w http.ResponseWriter, c *call, e *apiError) {
	for name, values := range e.header {
		w.Header()[name] = values
	}
	writeBody(w, e.status, jsonContentType, s.errorBytes(c, e))
}

// Start serves on addr (such as "127.0.0.1:0") in the background and returns
// the base URL, such as "http://127.0.0.1:41234". A server starts once.
func (s *Server) Start(addr string) (baseURL string, err error) {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	select {
	case <-s.closing:
		return "", errors.New("simulator: server closed")
	default:
	}
	if s.srv != nil {
		return "", errors.New("simulator: server already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("simulator: %w", err)
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func(srv *http.Server) { _ = srv.Serve(ln) }(s.srv) // Serve returns ErrServerClosed on Close
	return "http://" + ln.Addr().String(), nil
}

// Close stops the server: the listener and every connection close, and
// calls held by hang or latency faults end at once, without an answer. It is
// safe to call more than once (later calls return the first's result), and on
// a server that was never started, to end the hangs of a server used as a
// plain http.Handler.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.srvMu.Lock()
		srv := s.srv
		s.srvMu.Unlock()
		if srv != nil {
			s.closeErr = srv.Close()
		}
	})
	return s.closeErr
}
