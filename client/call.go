package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// envelope is what every CAMS and gateway body shares.
type envelope struct {
	RequestID          string
	HostID             string
	Code               string
	Message            string
	Recommend          string
	AccessDeniedDetail AccessDeniedDetail
}

// decodeEnvelope reads the envelope of a JSON object leniently: a field of an
// unexpected type is kept as its JSON text, so that one odd field never hides
// the error code beside it. ok is false when the body is not a JSON object.
// A value longer than maxEnvelopeField is read only as far as its beginning
// (see envField): a page's Data is never copied.
func decodeEnvelope(body []byte) (env envelope, ok bool) {
	var fields map[string]envField
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return envelope{}, false
	}
	text := func(name string) string {
		raw, found := fields[name]
		if !found || string(raw) == "null" {
			return ""
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(raw)
	}
	env = envelope{RequestID: text("RequestId"), HostID: text("HostId"), Code: text("Code"), Message: text("Message"), Recommend: text("Recommend")}
	if raw, found := fields["AccessDeniedDetail"]; found {
		_ = env.AccessDeniedDetail.UnmarshalJSON(raw) // it accepts any JSON value
	}
	return env, true
}

// call performs action with its parameters, retrying what is retryable,
// and decodes the successful body into out.
func (c *Client) call(ctx context.Context, action string, params url.Values, out any) error {
	limiter := c.LimiterOf(action)
	for retry := 0; ; retry++ {
		if retry > 0 || !takeSlot(ctx) {
			if err := limiter.Wait(ctx); err != nil {
				return err
			}
		}
		err := c.attempt(ctx, action, params, out)
		adjustLimiter(limiter, err)
		if err == nil {
			return nil
		}
		class := ClassOf(err)
		if ctx.Err() != nil {
			return err
		}
		if !class.Retryable() || retry >= c.maxRetries {
			return err
		}
		if serr := sleep(ctx, c.backoff.delay(retry, class)); serr != nil {
			return err
		}
	}
}

// adjustLimiter slows an account limiter on throttling and lets it climb
// back on any answer that shows quota was there: a success, or an error the
// API chose to answer (permission, subscription, unknown space, bad body).
// Server errors, timeouts and network errors say nothing about quota.
func adjustLimiter(limiter *Limiter, err error) {
	if err == nil {
		limiter.Succeeded()
		return
	}
	switch ClassOf(err) {
	case ClassThrottled:
		limiter.Throttled()
	case ClassPermanent, ClassInvalidResponse:
		limiter.Succeeded()
	}
}

// attempt makes one signed HTTP request and reports it to the observer. A
// failure to get credentials is reported too, with no duration: no request
// went out.
func (c *Client) attempt(ctx context.Context, action string, params url.Values, out any) (err error) {
	creds, err := c.creds.Credentials(ctx)
	if err != nil {
		c.observer.ObserveAttempt(Attempt{Operation: action, Code: CodeOf(err)})
		return err
	}
	start := time.Now()
	defer func() {
		a := Attempt{Operation: action, Code: CodeOK, Duration: time.Since(start)}
		if err != nil {
			a.Code, a.Throttled = CodeOf(err), ClassOf(err) == ClassThrottled
		}
		c.observer.ObserveAttempt(a)
	}()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := c.newRequest(ctx, action, params)
	if err != nil {
		return err
	}
	c.signer.Sign(req, creds)
	resp, err := c.http.Do(req)
	if err != nil {
		return transportError(action, err)
	}
	defer resp.Body.Close()
	if isRedirect(resp.StatusCode) {
		return redirectError(action, resp)
	}
	body, err := readBody(resp)
	if err != nil {
		return transportError(action, err)
	}
	return decode(action, resp.StatusCode, body, out)
}

func (c *Client) newRequest(ctx context.Context, action string, params url.Values) (*http.Request, error) {
	u := *c.endpoint
	u.RawQuery = params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), http.NoBody)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("x-acs-action", action)
	req.Header.Set("x-acs-version", APIVersion)
	return req, nil
}

// transportError classifies a failure to get a response.
func transportError(action string, err error) *Error {
	code := CodeNetworkError
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		code = CodeTimeout
	}
	return (&Error{Operation: action, Code: code, Message: err.Error(), Class: ClassTransient, cause: err}).bounded()
}

// decode turns a response into out or an *Error.
func decode(action string, status int, body []byte, out any) error {
	if len(body) > MaxBodyBytes {
		return invalidResponse(action, status, fmt.Sprintf("body larger than %d bytes", MaxBodyBytes))
	}
	env, ok := decodeEnvelope(body)
	if !ok {
		if status < 200 || status > 299 {
			code := HTTPStatusCode(status)
			return (&Error{Operation: action, HTTPStatus: status, Code: code, Message: "body is not JSON: " + quotePrefix(body), Class: classify(code, status)}).bounded()
		}
		return invalidResponse(action, status, "body is not valid JSON: "+quotePrefix(body))
	}
	if status >= 200 && status <= 299 && env.Code == "" {
		return invalidResponse(action, status, "body has no Code: "+quotePrefix(body))
	}
	if status < 200 || status > 299 || env.Code != CodeOK {
		return apiError(action, status, env)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return invalidResponse(action, status, fmt.Sprintf("%v in body %s", err, quotePrefix(body)))
	}
	if c, ok := out.(checker); ok {
		if err := c.check(); err != nil {
			return invalidResponse(action, status, err.Error())
		}
	}
	return nil
}

func apiError(action string, status int, env envelope) *Error {
	code := env.Code
	if code == "" {
		code = HTTPStatusCode(status)
	}
	return (&Error{
		Operation:          action,
		HTTPStatus:         status,
		Code:               code,
		Message:            env.Message,
		RequestID:          env.RequestID,
		HostID:             env.HostID,
		Recommend:          env.Recommend,
		AccessDeniedDetail: env.AccessDeniedDetail,
		Class:              classify(code, status),
	}).bounded()
}

func invalidResponse(action string, status int, msg string) *Error {
	return (&Error{Operation: action, HTTPStatus: status, Code: CodeInvalidResponse, Message: msg, Class: ClassInvalidResponse}).bounded()
}

// quotePrefix quotes the first bytes of a body for an error message.
func quotePrefix(body []byte) string {
	const n = 64
	if len(body) > n {
		return fmt.Sprintf("%q...", body[:n])
	}
	return fmt.Sprintf("%q", body)
}
