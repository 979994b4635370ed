package spaces

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// parseModel is Parse written the simple way, over the whole content: the
// ids it finds, or the number of the first line Parse must reject, and the
// first line it leaves out for not being UTF-8.
func parseModel(content string) (ids []string, badLine, firstNotUTF8 int) {
	seen := map[string]bool{}
	for i, line := range strings.Split(content, "\n") {
		line = strings.TrimSuffix(line, "\r") // bufio.ScanLines drops one CR
		text, _, _ := strings.Cut(line, "#")
		id := strings.TrimSpace(text)
		if id == "" {
			continue
		}
		if !utf8.ValidString(id) {
			if firstNotUTF8 == 0 {
				firstNotUTF8 = i + 1
			}
			continue
		}
		if Validate(id) != nil || seen[id] {
			return nil, i + 1, 0
		}
		seen[id] = true
		ids = append(ids, id)
	}
	return ids, 0, firstNotUTF8
}

// FuzzParse checks that Parse never panics and that what it returns is a
// usable list: every id passes Validate, holds no '#' and no surrounding
// space, appears once, and the list parses back to itself once written one
// id a line. It also checks Parse against parseModel: the same ids, or an
// error naming the file and the first bad line; ids that are not UTF-8
// left out, and the first of their lines named.
func FuzzParse(f *testing.F) {
	f.Add("cams-abc123\ncams-def456\n")
	f.Add("# spaces\n\n  cams-a   # the first\r\ncams-b\t\n#cams-c\n")
	f.Add("cams-a\ncams-a\n")
	f.Add("cams a\n")
	f.Add("\u00a0cams-nbsp\u00a0\n\u3000\n")
	f.Add("cams-\x00\n")
	f.Add("\xff\xfe\n")
	f.Add("cams-caf\xe9\ncams-ok\ncams-caf\xe8\n")
	f.Add(strings.Repeat("x", 129) + "\n")
	f.Add("a\rb\n")
	f.Add("last-line-without-newline")
	f.Fuzz(func(t *testing.T, content string) {
		ids, skipped, err := Parse(strings.NewReader(content), "fuzz")
		longLine := slices.ContainsFunc(strings.Split(content, "\n"), func(l string) bool { return len(l) >= 1<<20-1 })
		if err != nil {
			if ids != nil {
				t.Fatalf("Parse returned ids %q with the error %v", ids, err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Fatalf("error %q does not name the file", err)
			}
			if longLine {
				return
			}
			wantIDs, badLine, _ := parseModel(content)
			if badLine == 0 {
				t.Fatalf("Parse failed (%v) where the model reads %q", err, wantIDs)
			}
			if prefix := fmt.Sprintf("fuzz:%d: ", badLine); !strings.HasPrefix(err.Error(), prefix) {
				t.Fatalf("error %q, want it to start with %q", err, prefix)
			}
			return
		}

		seen := map[string]bool{}
		for _, id := range ids {
			if err := Validate(id); err != nil {
				t.Fatalf("Parse returned %q, which Validate rejects: %v", id, err)
			}
			if strings.Contains(id, "#") {
				t.Fatalf("Parse returned %q, which holds a comment", id)
			}
			if id != strings.TrimSpace(id) || id != strings.TrimFunc(id, unicode.IsSpace) {
				t.Fatalf("Parse returned %q, which has surrounding space", id)
			}
			if seen[id] {
				t.Fatalf("Parse returned %q twice in %q", id, ids)
			}
			seen[id] = true
		}
		wantIDs, badLine, firstNotUTF8 := parseModel(content)
		if badLine != 0 || !slices.Equal(ids, wantIDs) {
			t.Fatalf("Parse = %q, the model %q (bad line %d)", ids, wantIDs, badLine)
		}
		switch {
		case firstNotUTF8 == 0 && skipped != nil:
			t.Fatalf("Parse left out ids (%v) the model keeps", skipped)
		case firstNotUTF8 != 0 && (skipped == nil || !strings.HasPrefix(skipped.Error(), fmt.Sprintf("fuzz:%d: ", firstNotUTF8)) || strings.Contains(skipped.Error(), "\n")):
			t.Fatalf("Parse says %v of what it left out; want one line naming line %d", skipped, firstNotUTF8)
		}
		again, skippedAgain, err := Parse(strings.NewReader(strings.Join(ids, "\n")), "again")
		if err != nil || skippedAgain != nil {
			t.Fatalf("re-parsing %q: %v, %v", ids, err, skippedAgain)
		}
		if !slices.Equal(again, ids) {
			t.Fatalf("re-parsing %q gave %q", ids, again)
		}
	})
}
