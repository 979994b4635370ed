package health

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// Bounds of content negotiation: an Accept header is read up to
// maxAcceptBytes and maxAcceptRanges media ranges; the rest is ignored.
const (
	maxAcceptBytes  = 4096
	maxAcceptRanges = 32
)

// PrefersHTML reports whether /status should answer r with the HTML page:
// when its query says format=html, or, without a format, when its Accept
// header gives text/html a higher quality than application/json, as a
// browser's does (text/html, then */* at q=0.8). curl (*/*), Prometheus's
// tools and clients that ask for JSON, or for nothing, get JSON.
func PrefersHTML(r *http.Request) bool {
	switch r.URL.Query().Get("format") {
	case "html":
		return true
	case "json":
		return false
	}
	accept := strings.Join(r.Header.Values("Accept"), ",")
	return quality(accept, "text", "html") > quality(accept, "application", "json")
}

// quality is the q the Accept header gives type/subtype: that of the most
// specific range that matches it (type/subtype, then type/*, then */*), 0
// when none does.
func quality(accept, typ, subtype string) float64 {
	accept = accept[:min(len(accept), maxAcceptBytes)]
	best, q := -1, 0.0
	parts := strings.SplitN(accept, ",", maxAcceptRanges+1)
	for _, part := range parts[:min(len(parts), maxAcceptRanges)] {
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		t, s, _ := strings.Cut(mediaType, "/")
		specificity := -1
		switch {
		case t == typ && s == subtype:
			specificity = 2
		case t == typ && s == "*":
			specificity = 1
		case t == "*" && s == "*":
			specificity = 0
		}
		if specificity > best {
			best, q = specificity, rangeQuality(params["q"])
		}
	}
	return q
}

// rangeQuality parses a q parameter: 1 when absent, 0 when not a number
// between 0 and 1.
func rangeQuality(s string) float64 {
	if s == "" {
		return 1
	}
	q, err := strconv.ParseFloat(s, 64)
	if err != nil || q < 0 || q > 1 {
		return 0
	}
	return q
}
