package refresh

import (
	"encoding/binary"
	"unique"
)

// maxSharedLists bounds the distinct category lists a refresher shares
// between kept flows; beyond it, a list is kept with its space's flows.
// Real accounts use a few dozen; the simulator's random data, 1,464.
const maxSharedLists = 4096

// catLists shares the category lists of kept flows (flow info): most flows
// carry one of a few lists (["SIGN_UP"], ["SURVEY", "OTHER"], ...), and a
// list shared by every flow that carries it costs nothing a flow, where a
// list a flow costs 16 bytes a category (10 MiB at 10,000 spaces × 50
// flows). Lists are never changed once shared. The zero value is ready; the
// refresher's mutex guards it.
type catLists struct {
	lists map[string][]string // by listKey
	key   []byte              // scratch
}

// share returns a list equal to cats, shared if it can be, or nil when
// maxSharedLists are shared and cats is none of them.
func (cl *catLists) share(cats []string) []string {
	cl.key = listKey(cl.key[:0], cats)
	if l, ok := cl.lists[string(cl.key)]; ok {
		return l
	}
	if len(cl.lists) >= maxSharedLists {
		return nil
	}
	if cl.lists == nil {
		cl.lists = map[string][]string{}
	}
	l := make([]string, len(cats))
	for i, c := range cats {
		l[i] = unique.Make(c).Value()
	}
	cl.lists[string(cl.key)] = l
	return l
}

// listKey appends a key that tells lists apart: each value prefixed with its
// length.
func listKey(b []byte, cats []string) []byte {
	for _, c := range cats {
		b = binary.AppendUvarint(b, uint64(len(c)))
		b = append(b, c...)
	}
	return b
}
