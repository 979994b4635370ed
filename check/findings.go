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
// first (a status's findings together), then what the flows' judgement
// said. In a run without findings, read says what each source read.
func (r *Result) withFindings(f *findings, read []string) {
	list := f.sorted()
	if len(list) == 0 {
		if r.Status == OK && len(read) > 0 {
			r.Summary += ", " + strings.Join(read, ", ")
		}
		return
	}
	type group struct {
		status Status
		texts  []string
	}
	var groups []group
	add := func(s Status, text string) {
		for _, g := range groups {
			if slices.Contains(g.texts, text) {
				return
			}
		}
		if i := slices.IndexFunc(groups, func(g group) bool { return g.status == s }); i >= 0 {
			groups[i].texts = append(groups[i].texts, text)
			return
		}
		groups = append(groups, group{status: s, texts: []string{text}})
	}
	flowsOK := r.Status == OK
	if !flowsOK {
		add(r.Status, r.Summary)
	}
	for _, fd := range list {
		add(fd.status, fd.String())
		r.Status = max(r.Status, fd.status)
	}
	slices.SortStableFunc(groups, func(a, b group) int { return cmp.Compare(b.status, a.status) })
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = strings.Join(g.texts, ", ")
	}
	if flowsOK {
		parts = append(parts, r.Summary) // what the listings read
	}
	r.Summary = strings.Join(parts, "; ")
}
