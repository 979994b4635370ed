package client

import (
	"context"
	"regexp"
	"strings"
	"sync"

	"github.com/aliyun/credentials-go/credentials"

	"github.com/cams-exporter/cams_exporter/client/acs3"
)

// CodeCredentials is the outcome code of a call that found no usable
// credentials.
const CodeCredentials = "Credentials"

// ChainVariables names what credentials-go's default chain reads, in order;
// error messages and the README point users at them.
const ChainVariables = "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (optional ALIBABA_CLOUD_SECURITY_TOKEN); " +
	"ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE (RRSA); " +
	"~/.aliyun/config.json or ALIBABA_CLOUD_CONFIG_FILE with ALIBABA_CLOUD_PROFILE; " +
	"~/.alibabacloud/credentials or ALIBABA_CLOUD_CREDENTIALS_FILE; " +
	"the ECS instance RAM role (ALIBABA_CLOUD_ECS_METADATA, disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED=true); " +
	"ALIBABA_CLOUD_CREDENTIALS_URI"

// CredentialsProvider hands out the credentials of one call. The client asks
// on every attempt, so a provider that rotates temporary credentials is
// picked up without a restart.
type CredentialsProvider interface {
	Credentials(ctx context.Context) (acs3.Credentials, error)
}

// CredentialsError is the failure to obtain credentials. Its message names
// the variables the chain reads and never carries a secret.
type CredentialsError struct {
	reason string
}

func (e *CredentialsError) Error() string {
	msg := "no usable Alibaba Cloud credentials; the default chain reads " + ChainVariables
	if e.reason != "" {
		msg += " (" + e.reason + ")"
	}
	return msg
}

// StaticCredentials always returns the same credentials.
type StaticCredentials acs3.Credentials

// Credentials implements CredentialsProvider.
func (s StaticCredentials) Credentials(context.Context) (acs3.Credentials, error) {
	if s.AccessKeyID == "" || s.AccessKeySecret == "" {
		return acs3.Credentials{}, &CredentialsError{reason: "the AccessKeyId or AccessKeySecret is empty"}
	}
	return acs3.Credentials(s), nil
}

// chainCredentials wraps a credentials-go Credential. The default chain keeps
// unsynchronised state (its last used provider), hence the mutex.
type chainCredentials struct {
	mu   sync.Mutex
	cred credentials.Credential
}

// DefaultCredentials returns credentials-go's default chain: environment,
// OIDC/RRSA, CLI profile, credentials file, ECS role, credentials URI.
func DefaultCredentials() CredentialsProvider {
	cred, _ := credentials.NewCredential(nil) // never fails without a config
	return &chainCredentials{cred: cred}
}

// FromCredential adapts any credentials-go Credential.
func FromCredential(cred credentials.Credential) CredentialsProvider {
	return &chainCredentials{cred: cred}
}

// Credentials implements CredentialsProvider.
func (c *chainCredentials) Credentials(context.Context) (creds acs3.Credentials, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			err = &CredentialsError{reason: "the credentials provider failed unexpectedly"}
		}
	}()
	m, err := c.cred.GetCredential()
	if err != nil {
		return acs3.Credentials{}, &CredentialsError{reason: redactReason(err.Error())}
	}
	creds = acs3.Credentials{
		AccessKeyID:     deref(m.AccessKeyId),
		AccessKeySecret: deref(m.AccessKeySecret),
		SecurityToken:   deref(m.SecurityToken),
		ProviderName:    deref(m.ProviderName),
	}
	if creds.AccessKeyID == "" || creds.AccessKeySecret == "" {
		return acs3.Credentials{}, &CredentialsError{reason: "the provider returned an empty AccessKeyId or AccessKeySecret"}
	}
	return creds, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// longToken matches what could be a key, a secret or a token.
var longToken = regexp.MustCompile(`[A-Za-z0-9+/=_.\-]{20,}`)

// redactReason keeps what a provider said went wrong and drops what it
// quoted: some providers quote a response body or a whole config file, which
// hold secrets.
func redactReason(s string) string {
	var parts []string
	for _, part := range strings.Split(s, ", ") {
		withheld := false
		for _, cut := range []string{" failed: ", " failed with error", "fail: ", "message = "} {
			if i := strings.Index(part, cut); i >= 0 {
				part = part[:i] + strings.TrimRight(cut, ": ") + " [response withheld]"
				withheld = true
			}
		}
		parts = append(parts, longToken.ReplaceAllStringFunc(part, redactToken))
		if withheld {
			// What was quoted may hold ", " too (a hand-written JSON
			// file), so the parts after it may be the rest of it.
			break
		}
	}
	r := strings.Join(parts, "; ")
	if len(r) > 600 {
		r = r[:600] + "..."
	}
	return r
}

// redactToken hides a long word that mixes letters and digits, the shape of
// keys, secrets and tokens, and keeps variable names, provider names and
// absolute paths.
func redactToken(w string) string {
	if strings.HasPrefix(w, "ALIBABA_CLOUD_") || strings.HasPrefix(w, "/") || !strings.ContainsAny(w, "0123456789") {
		return w
	}
	return "[redacted]"
}
