package simulator

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// malformedBody is what a malformed fault answers: a proxy's error page.
const malformedBody = "<html>502 Bad Gateway</html>"

// gatewayDenyDetail is the gateway's object form of AccessDeniedDetail.
type gatewayDenyDetail struct {
	PolicyType               string
	AuthAction               string
	AuthPrincipalType        string
	AuthPrincipalOwnerId     string
	AuthPrincipalDisplayName string
	NoPermissionType         string
	EncodedDiagnosticMessage string
}

// objectDenyDetail is the gateway's detail; AuthAction is set per call.
var objectDenyDetail = gatewayDenyDetail{
	PolicyType:               "AccountLevelIdentityBasedPolicy",
	AuthPrincipalType:        "SubUser",
	AuthPrincipalOwnerId:     "1234567890123456",
	AuthPrincipalDisplayName: "cams-exporter",
	NoPermissionType:         "ImplicitDeny",
	EncodedDiagnosticMessage: "AQEAAAAAZ2ltdWxhdG9yIGRpYWdub3N0aWM=",
}

// okErrorBody is a CAMS answer that says HTTP 200 but carries an error Code.
type okErrorBody struct {
	RequestId          string
	Code               string
	Message            string
	AccessDeniedDetail any `json:",omitempty"`
}

// serveFault acts out f. It reports false when the call must go on to the
// operation (after a latency fault).
func (s *Server) serveFault(w http.ResponseWriter, c *call, f Fault, op operation) bool {
	s.stats.add(func(st *Stats) { st.Faulted++; st.Faults[f.Kind]++ })
	if hostileKinds[f.Kind] {
		return s.serveHostile(w, c, f, op)
	}
	switch f.Kind {
	case FaultLatency:
		if s.wait(c.r.Context(), time.Duration(f.Latency)) {
			return false
		}
		abortIfClosing(c.r.Context())
	case FaultHang:
		s.wait(c.r.Context(), -1)
		abortIfClosing(c.r.Context())
	case FaultError:
		s.writeError(w, c, s.faultError(f, c.action))
	case FaultHTTP:
		s.writeError(w, c, httpError(f))
	case FaultOKError:
		e := s.faultError(f, c.action)
		s.stats.add(func(st *Stats) { st.Codes[e.code]++ })
		writeBody(w, http.StatusOK, jsonContentType, marshal(okErrorBody{c.requestID, e.code, e.message, e.accessDeniedDetail(c.action)}))
	case FaultMalformed:
		writeBody(w, http.StatusOK, "text/html", []byte(malformedBody))
	case FaultTruncated:
		status, body := s.answer(c, op)
		writeBody(w, status, jsonContentType, body[:len(body)/2])
	case FaultReset:
		reset(w)
	}
	return true
}

// faultError is the answer of an error or ok-error fault to a call of
// action.
func (s *Server) faultError(f Fault, action string) *apiError {
	e := newError(f.Code, "")
	if f.Status != 0 {
		e.status = f.Status
	}
	switch f.Detail {
	case "":
	case "object":
		e.detail = objectDetail{}
	default:
		e.detail = f.Detail
	}
	if f.Code == CodeThrottlingUser {
		limit := s.limiters.limitOf(action)
		reset := s.now().Add(time.Second).UnixMilli()
		e.header = http.Header{}
		e.header.Set("x-ratelimit-user-api", fmt.Sprintf("Limit:%d,Remain:0,TimeLeft:1000,Reset:%d", limit, reset))
	}
	return e
}

// httpError is the answer of an http fault: Status (500 by default) with the
// envelope of Code, or of the code that goes with the status.
func httpError(f Fault) *apiError {
	status, code := f.Status, f.Code
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if code == "" {
		switch status {
		case http.StatusServiceUnavailable:
			code = CodeServiceUnavailable
		case http.StatusTooManyRequests:
			code = CodeThrottlingUser
		default:
			code = CodeInternalError
		}
	}
	e := newError(code, "")
	e.status = status
	return e
}

// wait waits d (forever if d is negative) and reports whether it did; it
// gives up when ctx ends or the server closes.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	var elapsed <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		elapsed = t.C
	}
	select {
	case <-elapsed:
		return true
	case <-ctx.Done():
	case <-s.closing:
	}
	return false
}

// abortIfClosing ends a call cut short by Close without an answer: the
// connection closes, as it would when a real server goes away. (When the
// client is gone there is no one to answer.)
func abortIfClosing(ctx context.Context) {
	if ctx.Err() == nil {
		panic(http.ErrAbortHandler)
	}
}

// reset closes the connection under the call without an answer, with
// SO_LINGER 0 so that the peer sees a reset. Where the connection cannot be
// hijacked, it aborts the handler, which closes the connection too.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // best effort: a plain close still ends the call
	}
	_ = conn.Close()
}
