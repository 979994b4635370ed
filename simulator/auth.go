package simulator

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cams-exporter/cams_exporter/client/acs3"
)

// Credential is an AccessKey the simulator accepts. A credential with a
// SecurityToken is temporary (STS): requests must carry that token. Expires
// is when it stops being valid; zero means never.
type Credential struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	Expires         time.Time
}

// MaxClockSkew is how far x-acs-date may be from the server's clock, and how
// long a signature nonce is remembered.
const MaxClockSkew = 15 * time.Minute

// maxBodyBytes bounds the request bodies read.
const maxBodyBytes = 1 << 20

// requiredSignedHeaders must be present and signed on every request.
var requiredSignedHeaders = []string{
	"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version",
}

// signedIfPresent must be signed when a request carries them.
var signedIfPresent = []string{"x-acs-accesskey-id", "x-acs-security-token"}

type credEntry struct {
	Credential
	revoked bool // by ExpireCredential
}

func (c *credEntry) expired(now time.Time) bool {
	return c.revoked || (!c.Expires.IsZero() && !now.Before(c.Expires))
}

// credentials are the AccessKeys the server accepts, by AccessKeyId.
type credentials struct {
	mu   sync.RWMutex
	byID map[string]*credEntry
}

func (cs *credentials) get(id string) (credEntry, bool) {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	c, ok := cs.byID[id]
	if !ok {
		return credEntry{}, false
	}
	return *c, true
}

// byToken finds the credential a security token belongs to.
func (cs *credentials) byToken(token string) (credEntry, bool) {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	for _, c := range cs.byID {
		if c.SecurityToken == token {
			return *c, true
		}
	}
	return credEntry{}, false
}

// AddCredential makes the server accept c as well as the credentials it
// already has (as during an STS rotation). A credential with the same
// AccessKeyID is replaced.
func (s *Server) AddCredential(c Credential) {
	s.creds.mu.Lock()
	defer s.creds.mu.Unlock()
	s.creds.byID[c.AccessKeyID] = &credEntry{Credential: c}
}

// ExpireCredential makes a credential invalid from now on: requests with its
// security token answer InvalidSecurityToken.Expired, and requests signed
// with a credential that has no token InvalidAccessKeyId.Inactive.
func (s *Server) ExpireCredential(accessKeyID string) {
	s.creds.mu.Lock()
	defer s.creds.mu.Unlock()
	if c := s.creds.byID[accessKeyID]; c != nil {
		c.revoked = true
	}
}

// authenticate runs the gateway's checks on a request whose action is known.
// It returns the AccessKeyId and the request's parameters: the query, with a
// form body's fields added.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, now time.Time) (string, url.Values, *apiError) {
	p, e := signedHeaders(r)
	if e != nil {
		return "", nil, e
	}
	cred, ok := s.creds.get(p.AccessKeyID)
	if !ok {
		return "", nil, newError(CodeInvalidAccessKeyIDNotFound, "")
	}
	if id := r.Header.Get("x-acs-accesskey-id"); id != "" && id != p.AccessKeyID {
		return "", nil, newError(CodeIncompleteSignature, "x-acs-accesskey-id differs from the Credential of the Authorization header.")
	}
	if e := checkDate(r.Header.Get("x-acs-date"), now); e != nil {
		return "", nil, e
	}
	if e := s.checkToken(r.Header.Get("x-acs-security-token"), cred, now); e != nil {
		return "", nil, e
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return "", nil, newError(CodeInvalidParameter, "The request body cannot be read: "+err.Error())
	}
	params, e := verify(r, body, p, cred.AccessKeySecret)
	if e != nil {
		return "", nil, e
	}
	if !s.nonces.use(p.AccessKeyID+"\n"+r.Header.Get("x-acs-signature-nonce"), now) {
		return "", nil, newError(CodeSignatureNonceUsed, "")
	}
	return p.AccessKeyID, params, nil
}

// signedHeaders parses the Authorization header and checks that it signs the
// headers it must.
func signedHeaders(r *http.Request) (acs3.ParsedAuthorization, *apiError) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return acs3.ParsedAuthorization{}, newError(CodeIncompleteSignature, "The Authorization header is missing.")
	}
	p, err := acs3.ParseAuthorization(auth)
	if err != nil {
		return p, newError(CodeIncompleteSignature, "The Authorization header is malformed.")
	}
	for _, h := range requiredSignedHeaders {
		if h != "host" && r.Header.Get(h) == "" {
			return p, newError(CodeIncompleteSignature, "The header "+h+" is missing.")
		}
		if !p.Signs(h) {
			return p, newError(CodeIncompleteSignature, "The header "+h+" is not signed.")
		}
	}
	for _, h := range signedIfPresent {
		if r.Header.Get(h) != "" && !p.Signs(h) {
			return p, newError(CodeIncompleteSignature, "The header "+h+" is not signed.")
		}
	}
	return p, nil
}

func checkDate(value string, now time.Time) *apiError {
	t, err := time.Parse(acs3.DateFormat, value)
	if err != nil {
		return newError(CodeInvalidTimeStampExpired, "x-acs-date must be of the form 2006-01-02T15:04:05Z.")
	}
	if d := now.Sub(t); d > MaxClockSkew || d < -MaxClockSkew {
		return newError(CodeInvalidTimeStampExpired, "x-acs-date is more than 15 minutes off the server's clock.")
	}
	return nil
}

// checkToken checks the security token a request carries against the
// credential it is signed with, and whether that credential has expired.
func (s *Server) checkToken(token string, cred credEntry, now time.Time) *apiError {
	switch {
	case token == "" && cred.SecurityToken != "":
		return newError(CodeInvalidSecurityTokenMalformed, "The AccessKeyId is temporary; x-acs-security-token is required.")
	case token != cred.SecurityToken:
		if other, ok := s.creds.byToken(token); ok && other.expired(now) {
			return newError(CodeInvalidSecurityTokenExpired, "")
		}
		return newError(CodeInvalidSecurityTokenMismatch, "")
	case cred.expired(now) && cred.SecurityToken != "":
		return newError(CodeInvalidSecurityTokenExpired, "")
	case cred.expired(now):
		return newError(CodeInvalidAccessKeyIDInactive, "")
	}
	return nil
}

// verify checks x-acs-content-sha256 and the signature, and returns the
// request's parameters. The canonical query is the URL's, as the official
// SDK signs a form body through its hash only; a signature that also covers
// the form's fields in the canonical query is accepted as well.
func verify(r *http.Request, body []byte, p acs3.ParsedAuthorization, secret string) (url.Values, *apiError) {
	hash := acs3.HexSHA256(body)
	if !strings.EqualFold(r.Header.Get("x-acs-content-sha256"), hash) {
		return nil, newError(CodeSignatureDoesNotMatch, "x-acs-content-sha256 is not the SHA-256 of the body.")
	}
	query := r.URL.Query()
	req := acs3.Request{Method: r.Method, Path: r.URL.Path, Query: query, Header: r.Header, Host: r.Host, PayloadHash: hash}
	ok := acs3.Verify(req, p, secret)
	params := query
	if form, isForm := formBody(r, body); isForm {
		params = url.Values{}
		for _, v := range []url.Values{query, form} {
			for name, values := range v {
				params[name] = append(params[name], values...)
			}
		}
		if !ok {
			req.Query = params
			ok = acs3.Verify(req, p, secret)
		}
	}
	if !ok {
		return nil, newError(CodeSignatureDoesNotMatch, "")
	}
	return params, nil
}

// formBody parses a form-encoded body; isForm is false for other bodies.
func formBody(r *http.Request, body []byte) (form url.Values, isForm bool) {
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "application/x-www-form-urlencoded" || len(body) == 0 {
		return nil, false
	}
	form, err = url.ParseQuery(string(body))
	if err != nil {
		return nil, false
	}
	return form, true
}

// nonces remembers the signature nonces of the last MaxClockSkew, in the
// order they were used, and at most maxNonces of them.
type nonces struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	queue []nonceUse
}

type nonceUse struct {
	key string
	at  time.Time
}

const maxNonces = 1 << 17

// use records key and reports whether it is new.
func (n *nonces) use(key string, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for len(n.queue) > 0 && (now.Sub(n.queue[0].at) >= MaxClockSkew || len(n.queue) >= maxNonces) {
		old := n.queue[0]
		if n.seen[old.key].Equal(old.at) {
			delete(n.seen, old.key)
		}
		n.queue = n.queue[1:]
	}
	if at, ok := n.seen[key]; ok && now.Sub(at) < MaxClockSkew {
		return false
	}
	if n.seen == nil {
		n.seen = map[string]time.Time{}
	}
	n.seen[key] = now
	n.queue = append(n.queue, nonceUse{key, now})
	return true
}

// size is the number of nonces remembered.
func (n *nonces) size() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.seen)
}
