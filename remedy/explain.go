package remedy

import (
	"strings"

	"github.com/cams-exporter/cams_exporter/client"
)

// networkCause is what a transport error's text says, what to call it and
// what to do about it.
type networkCause struct {
	match, cause, remedy string
}

// networkCauses are tried in order; the first whose match the message
// contains wins. A proxy's failure comes first: its message goes on with
// the proxy's own dial error.
var networkCauses = []networkCause{
	{"proxyconnect", "the proxy failed",
		"the HTTPS_PROXY/HTTP_PROXY of the environment could not be used: check it, or leave the endpoint out of it with NO_PROXY"},
	{"server gave HTTP response to HTTPS client", "server gave HTTP response to HTTPS client",
		"the endpoint speaks plain HTTP: write it as http://host:port in --cams.endpoint (a host other than loopback also needs --cams.insecure-endpoint)"},
	{"first record does not look like a TLS handshake", "server gave HTTP response to HTTPS client",
		"the endpoint speaks plain HTTP: write it as http://host:port in --cams.endpoint (a host other than loopback also needs --cams.insecure-endpoint)"},
	{"connection refused", "connection refused",
		"nothing listens at the endpoint: check the host and port of --cams.endpoint (or --cams.region), and that a firewall lets the connection through"},
	{"no such host", "no such host",
		"the endpoint's host name does not resolve: check --cams.region or --cams.endpoint, and this host's DNS"},
	{"x509:", "TLS certificate not trusted",
		"the endpoint's certificate is not trusted here: check --cams.endpoint, the system's CA certificates, or a proxy that intercepts TLS"},
	{"tls:", "TLS handshake failed",
		"the endpoint did not complete a TLS handshake: check that --cams.endpoint points at CAMS over https"},
	{"network is unreachable", "network is unreachable",
		"this host has no route to the endpoint: check its network, egress rules or proxy settings"},
	{"no route to host", "no route to host",
		"this host has no route to the endpoint: check its network, egress rules or proxy settings"},
	{"connection reset by peer", "connection reset",
		"the connection was cut before an answer: a proxy or firewall between here and the endpoint? the call was retried"},
	{"EOF", "connection closed without an answer",
		"the endpoint closed the connection without answering: the wrong port, or a proxy or firewall in between? the call was retried"},
}

// Explain says what caused a failure and what to do about it. An API
// error's remedy depends on its code alone. A NetworkError's cause is read
// from its message ("connection refused", "server gave HTTP response to
// HTTPS client", ...) and gets a remedy that fits it; an InvalidResponse's
// cause is its message, which quotes the start of the body.
func Explain(code, message string) (cause, remedy string) {
	switch code {
	case client.CodeNetworkError:
		for _, c := range networkCauses {
			if strings.Contains(message, c.match) {
				return c.cause, c.remedy
			}
		}
		return withoutRequest(message), For(code)
	case client.CodeInvalidResponse:
		return message, For(code)
	}
	return "", For(code)
}

// withoutRequest drops the `Post "https://...": ` that net/http puts before
// a transport error: the URL repeats the endpoint and the query.
func withoutRequest(msg string) string {
	if !strings.HasPrefix(msg, `Post "`) {
		return msg
	}
	if i := strings.Index(msg, `": `); i >= 0 {
		return msg[i+3:]
	}
	return msg
}
