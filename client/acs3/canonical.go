// Package acs3 implements Alibaba Cloud's ACS3-HMAC-SHA256 request signature
// (the "V3" signature of the official SDKs): canonicalisation, signing, and
// the parsing and verification a server does. It knows nothing of CAMS.
package acs3

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Algorithm is the signature algorithm's name, as it appears in the
// Authorization header and the string to sign.
const Algorithm = "ACS3-HMAC-SHA256"

// EmptyPayloadHash is HexSHA256 of an empty body, the x-acs-content-sha256 of
// every RPC call that carries its parameters in the query.
const EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Encode percent-encodes s per RFC 3986, as the signature requires: spaces
// become %20, '*' becomes %2A and '~' stays as it is.
func Encode(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

// CanonicalQuery sorts the parameters by name (then value) and joins the
// encoded name=value pairs with '&'. An empty value gives "name=".
func CanonicalQuery(query url.Values) string {
	names := make([]string, 0, len(query))
	for name := range query {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		values := append([]string(nil), query[name]...)
		sort.Strings(values)
		for _, v := range values {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(Encode(name))
			b.WriteByte('=')
			b.WriteString(Encode(v))
		}
	}
	return b.String()
}

// IsSignable reports whether a header (by its lower-case name) belongs in the
// canonical headers: host, content-type and every x-acs-* header.
func IsSignable(lowerName string) bool {
	return lowerName == "host" || lowerName == "content-type" || strings.HasPrefix(lowerName, "x-acs-")
}

// SignableHeaders returns the lower-case names of the headers of h that are
// signed, plus "host", sorted.
func SignableHeaders(h http.Header) []string {
	names := []string{"host"}
	for name := range h {
		lower := strings.ToLower(name)
		if lower != "host" && IsSignable(lower) {
			names = append(names, lower)
		}
	}
	sort.Strings(names)
	return names
}

// CanonicalHeaders renders the named headers (lower case, sorted) as
// "name:value\n" lines. host is taken from the host argument, since Go keeps
// the Host header out of http.Header. Several values of one header are sorted
// and joined with ','.
func CanonicalHeaders(h http.Header, host string, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		var values []string
		if name == "host" {
			values = []string{host}
		} else {
			for _, v := range h.Values(name) {
				values = append(values, strings.TrimSpace(v))
			}
			sort.Strings(values)
		}
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.Join(values, ","))
		b.WriteByte('\n')
	}
	return b.String()
}

// Request is what the signature covers.
type Request struct {
	Method        string
	Path          string // "/" for RPC calls
	Query         url.Values
	Header        http.Header
	Host          string   // host[:port] as sent
	SignedHeaders []string // lower case, sorted
	PayloadHash   string   // HexSHA256 of the body
}

// CanonicalRequest builds the canonical request of the ACS3 signature.
func CanonicalRequest(r Request) string {
	path := r.Path
	if path == "" {
		path = "/"
	}
	return strings.Join([]string{
		r.Method,
		path,
		CanonicalQuery(r.Query),
		CanonicalHeaders(r.Header, r.Host, r.SignedHeaders),
		strings.Join(r.SignedHeaders, ";"),
		r.PayloadHash,
	}, "\n")
}
