package client

import "testing"

func TestResolveEndpoint(t *testing.T) {
	tests := []struct {
		region, endpoint string
		insecure         bool
		want             string // "" means an error
	}{
		{"", "", false, "https://cams.ap-southeast-1.aliyuncs.com/"},
		{"cn-hangzhou", "", false, "https://cams.cn-hangzhou.aliyuncs.com/"},
		{"Bad Region", "", false, ""},
		{"", "cams.example.com", false, "https://cams.example.com/"},
		{"", "http://127.0.0.1:9000", false, "http://127.0.0.1:9000/"},
		{"", "http://localhost:9000/", false, "http://localhost:9000/"},
		{"", "http://[::1]:9000", false, "http://[::1]:9000/"},
		{"", "http://10.0.0.1:9000", false, ""},
		{"", "http://10.0.0.1:9000", true, "http://10.0.0.1:9000/"},
		{"", "ftp://x", false, ""},
		{"", "https://", false, ""},
		{"", "https://h/path", false, ""},
		{"", "https://h/?q=1", false, ""},
		{"", "https://user:pw@h", false, ""},
		{"", "http://%zz", false, ""},
	}
	for _, tt := range tests {
		u, err := ResolveEndpoint(tt.region, tt.endpoint, tt.insecure)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ResolveEndpoint(%q, %q) = %s, want an error", tt.region, tt.endpoint, u)
		case tt.want != "" && err != nil:
			t.Errorf("ResolveEndpoint(%q, %q): %v", tt.region, tt.endpoint, err)
		case tt.want != "" && u.String() != tt.want:
			t.Errorf("ResolveEndpoint(%q, %q) = %s, want %s", tt.region, tt.endpoint, u, tt.want)
		}
	}
}
