package health

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPrefersHTML(t *testing.T) {
	tests := []struct {
		name, target string
		accept       []string
		want         bool
	}{
		{"Chromium", "/status", []string{"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"}, true},
		{"Firefox", "/status", []string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, true},
		{"Safari", "/status", []string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, true},
		{"curl", "/status", []string{"*/*"}, false},
		{"no Accept", "/status", nil, false},
		{"a JSON client", "/status", []string{"application/json"}, false},
		{"JSON preferred", "/status", []string{"text/html;q=0.5, application/json"}, false},
		{"as good as each other", "/status", []string{"application/json, text/html"}, false},
		{"text/* over */*", "/status", []string{"text/*, */*;q=0.1"}, true},
		{"HTML refused", "/status", []string{"text/html;q=0, */*"}, false},
		{"two headers", "/status", []string{"application/json;q=0.2", "text/html"}, true},
		{"garbage", "/status", []string{";;;, =x, text/html;q=abc"}, false},
		{"q out of range", "/status", []string{"text/html;q=7"}, false},
		{"format=html wins", "/status?format=html", []string{"application/json"}, true},
		{"format=json wins", "/status?format=json", []string{"text/html"}, false},
		{"unknown format: Accept decides", "/status?format=xml", []string{"text/html"}, true},
		// Only the first maxAcceptRanges ranges are read.
		{"text/html past the ranges read", "/status", []string{strings.Repeat("image/png;q=0.1, ", maxAcceptRanges) + "text/html"}, false},
		{"text/html within the ranges read", "/status", []string{strings.Repeat("image/png;q=0.1, ", maxAcceptRanges-1) + "text/html"}, true},
		{"text/html past the bytes read", "/status", []string{"image/png;q=0.1" + strings.Repeat(" ", maxAcceptBytes) + ", text/html"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.target, nil)
			for _, a := range tt.accept {
				r.Header.Add("Accept", a)
			}
			if got := PrefersHTML(r); got != tt.want {
				t.Errorf("PrefersHTML(Accept %q, %s) = %v, want %v", tt.accept, tt.target, got, tt.want)
			}
		})
	}
}
