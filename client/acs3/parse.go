package acs3

import (
	"crypto/hmac"
	"errors"
	"sort"
	"strings"
)

// ParsedAuthorization is an Authorization header taken apart.
type ParsedAuthorization struct {
	AccessKeyID   string
	SignedHeaders []string
	Signature     string
}

// ErrMalformedAuthorization is returned for an Authorization header that is
// not of the ACS3-HMAC-SHA256 form.
var ErrMalformedAuthorization = errors.New("authorization header is not ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...")

// ParseAuthorization takes an Authorization header's value apart. It checks
// the form only; whether the signature is right is Verify's business.
func ParseAuthorization(value string) (ParsedAuthorization, error) {
	rest, ok := strings.CutPrefix(value, Algorithm+" ")
	if !ok {
		return ParsedAuthorization{}, ErrMalformedAuthorization
	}
	var p ParsedAuthorization
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || val == "" || seen[key] {
			return ParsedAuthorization{}, ErrMalformedAuthorization
		}
		seen[key] = true
		switch key {
		case "Credential":
			p.AccessKeyID = val
		case "SignedHeaders":
			p.SignedHeaders = strings.Split(val, ";")
		case "Signature":
			p.Signature = val
		default:
			return ParsedAuthorization{}, ErrMalformedAuthorization
		}
	}
	if p.AccessKeyID == "" || p.Signature == "" || len(p.SignedHeaders) == 0 {
		return ParsedAuthorization{}, ErrMalformedAuthorization
	}
	if !sort.StringsAreSorted(p.SignedHeaders) {
		return ParsedAuthorization{}, ErrMalformedAuthorization
	}
	for i, h := range p.SignedHeaders {
		if h == "" || h != strings.ToLower(h) || (i > 0 && p.SignedHeaders[i-1] == h) {
			return ParsedAuthorization{}, ErrMalformedAuthorization
		}
	}
	return p, nil
}

// Signs reports whether the list of signed headers names h.
func (p ParsedAuthorization) Signs(h string) bool {
	i := sort.SearchStrings(p.SignedHeaders, h)
	return i < len(p.SignedHeaders) && p.SignedHeaders[i] == h
}

// Verify recomputes the signature of r (whose SignedHeaders are taken from p)
// under secret and compares it in constant time.
func Verify(r Request, p ParsedAuthorization, secret string) bool {
	r.SignedHeaders = p.SignedHeaders
	want := Sign(r, secret)
	return hmac.Equal([]byte(want), []byte(p.Signature))
}
