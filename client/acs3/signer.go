package acs3

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"
)

// DateFormat is the layout of x-acs-date (always UTC).
const DateFormat = "2006-01-02T15:04:05Z"

// Credentials are what a request is signed with. SecurityToken is set for
// temporary (STS) credentials; ProviderName, when set, is sent as
// x-acs-credentials-provider like the official SDK does.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	ProviderName    string
}

// Signer signs outgoing requests. Now and Nonce are injectable so that tests
// can reproduce a signature exactly; zero values use the wall clock and 16
// random bytes.
type Signer struct {
	Now   func() time.Time
	Nonce func() string
}

// RandomNonce returns 32 random hex characters.
func RandomNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// Sign sets x-acs-date, x-acs-signature-nonce, x-acs-content-sha256, the STS
// headers when there is a token, and Authorization on req, whose body must be
// empty (RPC parameters travel in the query). x-acs-action and x-acs-version
// must already be set.
func (s Signer) Sign(req *http.Request, c Credentials) {
	now, nonce := time.Now, RandomNonce
	if s.Now != nil {
		now = s.Now
	}
	if s.Nonce != nil {
		nonce = s.Nonce
	}
	h := req.Header
	h.Set("x-acs-date", now().UTC().Format(DateFormat))
	h.Set("x-acs-signature-nonce", nonce())
	h.Set("x-acs-content-sha256", EmptyPayloadHash)
	if c.ProviderName != "" {
		h.Set("x-acs-credentials-provider", c.ProviderName)
	}
	if c.SecurityToken != "" {
		h.Set("x-acs-accesskey-id", c.AccessKeyID)
		h.Set("x-acs-security-token", c.SecurityToken)
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	r := Request{
		Method:        req.Method,
		Path:          req.URL.Path,
		Query:         req.URL.Query(),
		Header:        h,
		Host:          host,
		SignedHeaders: SignableHeaders(h),
		PayloadHash:   EmptyPayloadHash,
	}
	h.Set("Authorization", Authorization(c.AccessKeyID, r.SignedHeaders, Sign(r, c.AccessKeySecret)))
}
