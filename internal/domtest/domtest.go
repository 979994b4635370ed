// Package domtest reads HTML for tests: parsed with golang.org/x/net/html,
// the way a browser would build its tree, so that a test checks what a
// person sees (text content, decoded) rather than the bytes sent.
package domtest

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Parse parses a whole page.
func Parse(t testing.TB, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("not HTML: %v", err)
	}
	return doc
}

// All returns the elements under n, n included, for which match is true,
// in document order.
func All(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	if n.Type == html.ElementNode && match(n) {
		out = append([]*html.Node{n}, out...)
	}
	return out
}

// Tag matches elements by tag name.
func Tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

// Class matches elements with class c among their classes.
func Class(c string) func(*html.Node) bool {
	return func(n *html.Node) bool { return slices.Contains(strings.Fields(Attr(n, "class")), c) }
}

// ByID returns the element with id, failing the test when there is none.
func ByID(t testing.TB, n *html.Node, id string) *html.Node {
	t.Helper()
	found := All(n, func(e *html.Node) bool { return Attr(e, "id") == id })
	if len(found) == 0 {
		t.Fatalf("no element with id %q", id)
	}
	return found[0]
}

// First returns the first element under n that match accepts, or nil.
func First(n *html.Node, match func(*html.Node) bool) *html.Node {
	if all := All(n, match); len(all) > 0 {
		return all[0]
	}
	return nil
}

// Attr returns n's attribute key, "" when it has none.
func Attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// Text returns n's text content with runs of white space made one space
// and trimmed, as a person reads it; "" for nil.
func Text(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
