package client

import "net/http"

// refuseRedirects is the CheckRedirect of the client's http.Client: a
// redirect is never followed, so a signed request and its x-acs-* credential
// headers never go to a host other than the endpoint, and never over plain
// http the endpoint check would have refused.
func refuseRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// withoutRedirects returns a copy of hc that never follows a redirect.
func withoutRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = refuseRedirects
	return &c
}

func isRedirect(status int) bool { return status >= 300 && status <= 399 }

// redirectError is the error of a 3xx answer: HTTP_<status>, never retried,
// naming the host it pointed to (never the whole Location, which may carry
// anything).
func redirectError(action string, resp *http.Response) *Error {
	msg := "the endpoint answered with a redirect, which is never followed; check --cams.endpoint"
	if loc, err := resp.Location(); err == nil && loc.Host != "" {
		msg += " (it pointed to host " + loc.Host + ")"
	}
	return (&Error{Operation: action, HTTPStatus: resp.StatusCode, Code: HTTPStatusCode(resp.StatusCode), Message: msg, Class: ClassPermanent}).bounded()
}
