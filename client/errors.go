package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Class says what kind of failure an error is, and so whether it is worth
// retrying.
type Class int

// The classes of failure.
const (
	// ClassTransient: server errors, network errors, timeouts. Retried.
	ClassTransient Class = iota
	// ClassThrottled: System.LimitControl, Throttling.*, HTTP 429. Retried
	// after backing off; the account limiter slows down.
	ClassThrottled
	// ClassPermanent: the request will not succeed as it is (permissions,
	// subscription, unknown space, signature or key problems). Never retried.
	ClassPermanent
	// ClassCredentials: no usable credentials. Never retried.
	ClassCredentials
	// ClassInvalidResponse: a body that is not the JSON the API promises.
	// Retried, since truncated bodies are usually a passing fault.
	ClassInvalidResponse
)

var classNames = map[Class]string{
	ClassTransient:       "transient",
	ClassThrottled:       "throttled",
	ClassPermanent:       "permanent",
	ClassCredentials:     "credentials",
	ClassInvalidResponse: "invalid response",
}

func (c Class) String() string { return classNames[c] }

// Retryable reports whether a call that failed this way may be tried again.
func (c Class) Retryable() bool {
	return c == ClassTransient || c == ClassThrottled || c == ClassInvalidResponse
}

// Outcome codes reported for failures that carry no API error code.
const (
	CodeOK              = "OK"
	CodeTimeout         = "Timeout"
	CodeNetworkError    = "NetworkError"
	CodeInvalidResponse = "InvalidResponse"
)

// CAMS error codes of the number, WABA and health operations.
const (
	// CodeNoWABA: the space has no WhatsApp Business Account bound; a
	// state of the space rather than a failure (see ErrNoWABA). Permanent.
	CodeNoWABA = "ERR-OPERATION-MAAP-0060"
	// CodePhoneNotBound: the number asked about is not bound to the space.
	// Permanent.
	CodePhoneNotBound = "ERR-OPERATION-MAAP-0065"
	// CodeMetaCallFailed: CAMS's call to Meta failed. Transient.
	CodeMetaCallFailed = "ERR-FB-001"
)

// ErrNoWABA matches (errors.Is) the error of a call CAMS answered with
// CodeNoWABA: the space has no WABA. The error itself is the *Error of that
// answer, permanent and never retried.
var ErrNoWABA = errors.New("the space has no WhatsApp Business Account bound (" + CodeNoWABA + ")")

// HTTPStatusCode is the outcome code of a failure known only by its HTTP
// status, such as a 502 from a proxy with an HTML body.
func HTTPStatusCode(status int) string { return fmt.Sprintf("HTTP_%d", status) }

// Error is a failed call: an error answered by the API or its gateway, a
// response that could not be read, or a transport failure.
type Error struct {
	Operation          string
	HTTPStatus         int // 0 when no response arrived
	Code               string
	Message            string
	RequestID          string
	HostID             string
	Recommend          string
	AccessDeniedDetail AccessDeniedDetail
	Class              Class
	cause              error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cams %s: %s", e.Operation, e.Code)
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" [RequestId " + e.RequestID + "]")
	}
	return b.String()
}

// Is reports whether e is ErrNoWABA's case: CAMS answered CodeNoWABA.
func (e *Error) Is(target error) bool { return target == ErrNoWABA && e.Code == CodeNoWABA }

// Unwrap returns the transport error behind a Timeout or NetworkError.
func (e *Error) Unwrap() error { return e.cause }

// ClassOf returns the class of err, ClassTransient for errors this package
// did not make.
func ClassOf(err error) Class {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	var ce *CredentialsError
	if errors.As(err, &ce) {
		return ClassCredentials
	}
	return ClassTransient
}

// CodeOf returns the outcome code of err: the API's error code, or one of
// Timeout, NetworkError, InvalidResponse, HTTP_<status>, Credentials.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var ce *CredentialsError
	if errors.As(err, &ce) {
		return CodeCredentials
	}
	return CodeNetworkError
}

// AccessDeniedDetail holds the API's AccessDeniedDetail, which CAMS bodies
// carry as a string and the gateway's RAM denials as an object.
type AccessDeniedDetail struct {
	Text   string            // the string form
	Fields map[string]string // the object form
}

// UnmarshalJSON accepts a string or an object; anything else is kept as its
// JSON text, since a detail of an unexpected shape must not hide the error it
// came with.
func (d *AccessDeniedDetail) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		d.Text = s
		return nil
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
		if string(b) != "null" {
			d.Text = string(b)
		}
		return nil
	}
	d.Fields = make(map[string]string, len(obj))
	for k, v := range obj {
		d.Fields[k] = fmt.Sprint(v)
	}
	return nil
}

// String renders the detail on one line; the object form as sorted k=v pairs.
func (d AccessDeniedDetail) String() string {
	if len(d.Fields) == 0 {
		return d.Text
	}
	keys := make([]string, 0, len(d.Fields))
	for k := range d.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + d.Fields[k]
	}
	return strings.Join(parts, ", ")
}

// IsZero reports whether the detail is absent.
func (d AccessDeniedDetail) IsZero() bool { return d.Text == "" && len(d.Fields) == 0 }
