package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// Every link of the landing page answers, there is no link to profiles the
// exporter does not serve, and the demo's page says it is a demo.
func TestLandingPageLinksAnswer(t *testing.T) {
	h := newHarness(t, testData(), "--cams.space=cams-x")
	for _, demo := range []bool{false, true} {
		h.opts.demo = demo
		landing, err := newLandingPage(h.opts)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h.exp.handler(landing))
		page := get(t, srv.URL+"/")
		if strings.Contains(page, "debug/pprof") || strings.Contains(page, "heap usage") || strings.Contains(page, "CPU usage") {
			t.Errorf("demo=%v: the page offers profiles:\n%s", demo, page)
		}
		links := regexp.MustCompile(`href="([^"]+)"`).FindAllStringSubmatch(page, -1)
		if len(links) < 4 {
			t.Errorf("demo=%v: %d links on the page, want metrics, status, readiness and health", demo, len(links))
		}
		for _, l := range links {
			href := l[1]
			if strings.HasPrefix(href, "http") {
				continue
			}
			resp, err := http.Get(srv.URL + "/" + strings.TrimPrefix(href, "/"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusNotFound {
				t.Errorf("demo=%v: link %s answers 404", demo, href)
			}
		}
		if says := strings.Contains(page, "Demo mode") && strings.Contains(page, "simulator"); says != demo {
			t.Errorf("demo=%v: the page says it is a demo: %v\n%s", demo, says, page)
		}
		srv.Close()
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
