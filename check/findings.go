package check

import (
	"cmp"
	"slices"
	"strings"
)

// finding is something the sources' data or calls show, with the status
// it gives the run: counted ("2 numbers RED") or said once (a source's
// calls failing).
type finding struct {
	status       Status
	source, rank int // the source's place, then the finding's within it
	one, many    string
	what         string
	n            int
	seen         map[string]struct{}
}

func (fd *finding) String() string {
	if fd.one == "" {
		return fd.what
	}
	return pluralWord(fd.n, fd.one, fd.many) + " " + fd.what
}

// findings are a run's findings, each once.
type findings struct {
	byKey map[string]*finding
}

// count counts one more of "N <one|many> <what>"; an id counted before is
// not counted again ("" is always counted): an entity many spaces share,
// such as the account's app, is one.
func (f *findings) count(status Status, source, rank int, one, many, what, id string) {
	fd := f.get(status, source, rank, one, many, what)
	if id != "" {
		if _, seen := fd.seen[id]; seen {
			return
		}
		if fd.seen == nil {
			fd.seen = map[string]struct{}{}
		}
		fd.seen[id] = struct{}{}
	}
	fd.n++
}

// text notes a finding said as it is.
func (f *findings) text(status Status, source, rank int, text string) {
	f.get(status, source, rank, "", "", text)
}

func (f *findings) get(status Status, source, rank int, one, many, what string) *finding {
	key := status.String() + "\x00" + one + "\x00" + what
	if fd := f.byKey[key]; fd != nil {
		return fd
	}
	if f.byKey == nil {
		f.byKey = map[string]*finding{}
	}
	fd := &finding{status: status, source: source, rank: rank, one: one, many: many, what: what}
	f.byKey[key] = fd
	return fd
}

// sorted returns the findings, the worst first, then by source and rank.
func (f *findings) sorted() []*finding {
	list := make([]*finding, 0, len(f.byKey))
	for _, fd := range f.byKey {
		list = append(list, fd)
	}
	slices.SortFunc(list, func(a, b *finding) int {
		return cmp.Or(cmp.Compare(b.status, a.status), cmp.Compare(a.source, b.source), cmp.Compare(a.rank, b.rank), strings.Compare(a.what, b.what))
	})
	return list
}

// withFindings adds the sources' findings to r, judged from the flows:
// the worst status wins, and the summary names every finding, the worst
// first, then what the listings read when they were fine. Counts of one
// status are separated by commas ("2 numbers RED, 1 WABA LIMITED"), the
// rest by semicolons. In a run without findings, read says what each
// source read.
func (r *Result) withFindings(f *findings, read []string) {
	list := f.sorted()
	if len(list) == 0 {
		if r.Status == OK && len(read) > 0 {
			r.Summary += ", " + strings.Join(read, ", ")
		}
		return
	}
	type item struct {
		status  Status
		text    string
		counted bool
	}
	var items []item
	if r.Status != OK {
		items = append(items, item{status: r.Status, text: r.Summary})
	}
	for _, fd := range list {
		text := fd.String()
		if !slices.ContainsFunc(items, func(it item) bool { return it.text == text }) {
			items = append(items, item{status: fd.status, text: text, counted: fd.one != ""})
		}
	}
	slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(b.status, a.status) })
	if r.Status == OK {
		items = append(items, item{status: OK, text: r.Summary}) // what the listings read
	}
	var b strings.Builder
	for i, it := range items {
		switch {
		case i == 0:
		case it.counted && items[i-1].counted && it.status == items[i-1].status:
			b.WriteString(", ")
		default:
			b.WriteString("; ")
		}
		b.WriteString(it.text)
	}
	r.Status, r.Summary = max(r.Status, items[0].status), b.String()
}
