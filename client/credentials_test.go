package client

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// isolateChain points every source of the default chain at nothing, so a
// test sees only what it sets itself, and never asks the ECS metadata
// service.
func isolateChain(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
		"ALIBABA_CLOUD_CONFIG_FILE", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CREDENTIALS_FILE",
		"ALIBABA_CLOUD_ECS_METADATA", "ALIBABA_CLOUD_CREDENTIALS_URI"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
}

func TestDefaultChainFromEnvironment(t *testing.T) {
	isolateChain(t)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenvKeyId")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "envSecret")
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "envToken")
	got, err := DefaultCredentials().Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessKeyID != "LTAIenvKeyId" || got.AccessKeySecret != "envSecret" || got.SecurityToken != "envToken" {
		t.Errorf("got %+v", got)
	}
	if got.ProviderName == "" {
		t.Error("ProviderName empty; the SDK sends it as x-acs-credentials-provider")
	}
}

func TestDefaultChainFromCredentialsFile(t *testing.T) {
	isolateChain(t)
	path := filepath.Join(t.TempDir(), "credentials")
	ini := "[default]\ntype = access_key\naccess_key_id = LTAIfileKeyId\naccess_key_secret = fileSecret\n"
	if err := os.WriteFile(path, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", path)
	got, err := DefaultCredentials().Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessKeyID != "LTAIfileKeyId" || got.AccessKeySecret != "fileSecret" {
		t.Errorf("got %+v", got)
	}
}

func TestCredentialsErrorNamesVariablesAndHidesSecrets(t *testing.T) {
	const secret = "S3cr3tValueThatMustNeverLeak0123"
	tests := []struct {
		name  string
		setup func(t *testing.T)
	}{
		{"nothing configured", func(t *testing.T) {}},
		{"broken CLI config quoting a secret", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			body := `{"current":"default","profiles":[{"name":"default","mode":"AK","access_key_id":"LTAI1234567890abcdef","access_key_secret":"` + secret + `"` // truncated JSON
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("ALIBABA_CLOUD_CONFIG_FILE", path)
		}},
		{"half the environment", func(t *testing.T) {
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIonlyTheId")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateChain(t)
			tt.setup(t)
			_, err := DefaultCredentials().Credentials(context.Background())
			var ce *CredentialsError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a CredentialsError", err)
			}
			msg := err.Error()
			for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI"} {
				if !strings.Contains(msg, v) {
					t.Errorf("message does not name %s: %s", v, msg)
				}
			}
			if strings.Contains(msg, secret) || strings.Contains(msg, "\n") {
				t.Errorf("message leaks the secret or spans lines: %s", msg)
			}
		})
	}
}

func TestRedactReason(t *testing.T) {
	tests := map[string]string{
		"get credentials from http://127.0.0.1/x failed: {\"AccessKeySecret\":\"abc\"}": "get credentials from http://127.0.0.1/x failed [response withheld]",
		"token STS.NUabcdefghij1234567890XYZ expired":                                   "token [redacted] expired",
		"ALIBABA_CLOUD_ACCESS_KEY_ID is empty":                                          "ALIBABA_CLOUD_ACCESS_KEY_ID is empty",
		"EnvironmentVariableCredentialsProvider: x":                                     "EnvironmentVariableCredentialsProvider: x",
	}
	for in, want := range tests {
		if got := redactReason(in); got != want {
			t.Errorf("redactReason(%q) = %q, want %q", in, got, want)
		}
	}
}
