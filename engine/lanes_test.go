package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cams-exporter/cams_exporter/client"
)

// pageSource answers pages for the lanes tests: a space in endless is never
// done, a space with n pages is done at its n-th.
type pageSource struct {
	endless map[string]bool
	pages   map[string]int // default 1
}

func (s pageSource) listing(space string) *client.Pager {
	n := s.pages[space]
	if n == 0 {
		n = 1
	}
	fetch := func(_ context.Context, index, size int) ([]client.Flow, error) {
		if !s.endless[space] && index >= n {
			return nil, nil // short: the end
		}
		out := make([]client.Flow, size)
		for i := range out {
			out[i] = client.Flow{FlowID: fmt.Sprintf("%s-%d-%d", space, index, i)}
		}
		return out, nil
	}
	return client.NewPager(fetch, 2, 500)
}

// drive runs the lanes with one page in flight at a time and returns the
// order in which pages were fetched, as "space#page", until every space in
// until has finished or max pages were fetched.
func drive(q *lanes[*client.Pager], src pageSource, until []string, max int) []string {
	left := map[string]bool{}
	for _, s := range until {
		left[s] = true
	}
	var order []string
	for len(order) < max && len(left) > 0 {
		l := q.next(src.listing)
		if l == nil {
			break
		}
		done, err := l.listing.Next(context.Background())
		order = append(order, fmt.Sprintf("%s#%d", l.space, l.listing.Pages()))
		if done || err != nil {
			q.finished(l)
			delete(left, l.space)
		} else {
			q.requeue(l)
		}
	}
	return order
}

func spaceNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return out
}

// Two endless spaces first in line and 20 healthy ones: a new listing
// starts at least every third call (every other one while the endless
// listings share one lane), so the healthy ones are all listed within about
// 2 × 22 calls, and the endless ones keep going in between.
func TestLanesEndlessSpacesCannotStarveTheOthers(t *testing.T) {
	healthy := spaceNames("h", 20)
	src := pageSource{endless: map[string]bool{"e0": true, "e1": true}}
	q := &lanes[*client.Pager]{maxYoung: 8}
	q.starts.PushAll(append([]string{"e0", "e1"}, healthy...))
	order := drive(q, src, healthy, 1000)
	since := 0
	for i, o := range order {
		if strings.HasSuffix(o, "#1") {
			since = 0
		} else if since++; since > 2 {
			t.Fatalf("call %d: three calls in a row without a new listing: %v", i, order[:i+1])
		}
	}
	if len(order) > 2*22+4 {
		t.Errorf("%d calls before the last healthy space was listed, want at most 48: %v", len(order), order)
	}
	endlessCalls := 0
	for _, o := range order {
		if strings.HasPrefix(o, "e") {
			endlessCalls++
		}
	}
	if endlessCalls < 15 {
		t.Errorf("the endless spaces got %d of %d calls: they must still progress", endlessCalls, len(order))
	}
}

// However many listings are long, new ones get at least a third of the
// calls, and young ones too.
func TestLanesShares(t *testing.T) {
	src := pageSource{endless: map[string]bool{}, pages: map[string]int{}}
	q := &lanes[*client.Pager]{maxYoung: 8}
	var starts []string
	for i := range 30 {
		id := fmt.Sprintf("e%02d", i)
		src.endless[id] = true
		starts = append(starts, id)
	}
	// 30 endless spaces are started and become long.
	q.starts.PushAll(starts)
	for q.starts.Len() > 0 || q.young.Len() > 0 {
		l := q.next(src.listing)
		l.listing.Next(context.Background())
		q.requeue(l)
	}
	if q.long.Len() != 30 || q.youngLive != 0 {
		t.Fatalf("%d long listings, %d young live; want 30 and 0", q.long.Len(), q.youngLive)
	}
	// Now 10 spaces of 5 pages and 10 of one page come due.
	var big, small []string
	for i := range 10 {
		b, s := fmt.Sprintf("b%02d", i), fmt.Sprintf("s%02d", i)
		src.pages[b] = 5
		big, small = append(big, b), append(small, s)
	}
	q.starts.PushAll(append(big, small...))
	order := drive(q, src, append(big, small...), 10000)
	// 20 listings of 60 pages in all, and the 30 long listings never get
	// two calls in a row while the new ones wait: at most 2 × 60 calls.
	if len(order) > 2*60 {
		t.Errorf("%d calls before the 20 new spaces were listed beside 30 endless ones, want at most %d", len(order), 2*60)
	}
	for i := 1; i < len(order); i++ {
		if strings.HasPrefix(order[i-1], "e") && strings.HasPrefix(order[i], "e") {
			t.Fatalf("calls %d and %d both went to long listings: %v", i-1, i, order[:i+1])
		}
	}
}

// At most maxYoung young listings run at once: then their lane and the long
// one take the calls, and the listings finish instead of all starting.
func TestLanesYoungCap(t *testing.T) {
	src := pageSource{pages: map[string]int{}}
	q := &lanes[*client.Pager]{maxYoung: 3}
	ids := spaceNames("b", 6)
	for _, id := range ids {
		src.pages[id] = 4
	}
	q.starts.PushAll(ids)
	var live []*listing[*client.Pager]
	for range 3 {
		live = append(live, q.next(src.listing))
	}
	if l := q.next(src.listing); l != nil || q.youngLive != 3 {
		t.Fatalf("a fourth listing started (%v) with 3 young live and a cap of 3", l)
	}
	live[0].listing.Next(context.Background())
	q.requeue(live[0])
	if l := q.next(src.listing); l != live[0] {
		t.Fatalf("next = %v, want the young listing that waited", l)
	}
	q.finished(live[1])
	if l := q.next(src.listing); l == nil || l.space != "b03" || q.youngLive != 3 {
		t.Fatalf("after a listing finished: next %v, %d young live; want b03 started", l, q.youngLive)
	}
}

// A listing turns long at longListingPages pages and frees its young slot.
func TestLanesListingTurnsLong(t *testing.T) {
	src := pageSource{endless: map[string]bool{"e": true}}
	q := &lanes[*client.Pager]{maxYoung: 1}
	q.starts.Push("e")
	l := q.next(src.listing)
	for page := 1; page <= longListingPages; page++ {
		l.listing.Next(context.Background())
		q.requeue(l)
		if wantYoung := page < longListingPages; l.young != wantYoung || q.young.Len()+q.long.Len() != 1 {
			t.Fatalf("after page %d: young %v (lanes %d young, %d long), want young %v", page, l.young, q.young.Len(), q.long.Len(), wantYoung)
		}
		if got := q.next(src.listing); got != l {
			t.Fatalf("after page %d: next %v, want the same listing", page, got)
		}
	}
	if q.youngLive != 0 {
		t.Errorf("young live %d once the only listing is long, want 0", q.youngLive)
	}
}
