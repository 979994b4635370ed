package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// pages serves a fixed sequence of pages by index; an index beyond them
// answers an empty page, and an index in fail answers that error.
type pages struct {
	data  [][]string
	fail  map[int]error
	calls []int
}

func (p *pages) fetch(_ context.Context, index, size int) ([]Flow, error) {
	p.calls = append(p.calls, index)
	if err := p.fail[index]; err != nil {
		return nil, err
	}
	if index > len(p.data) {
		return nil, nil
	}
	var out []Flow
	for _, id := range p.data[index-1] {
		out = append(out, Flow{FlowID: id})
	}
	if len(out) > size {
		panic(fmt.Sprintf("test page %d holds %d flows, more than the size %d", index, len(out), size))
	}
	return out, nil
}

// endless answers every page full of new flow ids.
func endless(_ context.Context, index, size int) ([]Flow, error) {
	out := make([]Flow, size)
	for i := range out {
		out[i] = Flow{FlowID: fmt.Sprintf("e%d", (index-1)*size+i)}
	}
	return out, nil
}

func ids(flows []Flow) string {
	var s []string
	for _, f := range flows {
		s = append(s, f.FlowID)
	}
	return strings.Join(s, ",")
}

// drain calls Next until the listing ends and returns the pages it took.
func drain(p *Pager) (int, error) {
	for n := 1; ; n++ {
		done, err := p.Next(context.Background())
		if err != nil || done {
			return n, err
		}
	}
}

func TestPager(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		data      [][]string
		fail      map[int]error
		size, max int
		wantFlows string
		wantCalls int
		wantCode  string // "" for success
	}{
		{"one short page", [][]string{{"a"}}, nil, 2, 10, "a", 1, ""},
		{"empty space", nil, nil, 2, 10, "", 1, ""},
		{"full pages then an empty one", [][]string{{"a", "b"}, {"c", "d"}}, nil, 2, 10, "a,b,c,d", 3, ""},
		{"a flow shifted to the next page counts once", [][]string{{"a", "b"}, {"b", "c"}, {"d"}}, nil, 2, 10, "a,b,c,d", 3, ""},
		{"a page repeating only known flows is a server ignoring Page", [][]string{{"a", "b"}, {"a", "b"}}, nil, 2, 10, "", 2, CodeInvalidResponse},
		{"a short page at the limit completes", [][]string{{"a", "b"}, {"c"}}, nil, 2, 2, "a,b,c", 2, ""},
		{"a full page at the limit is TooManyPages", [][]string{{"a", "b"}, {"c", "d"}, {"e"}}, nil, 2, 2, "", 2, CodeTooManyPages},
		{"a failing page fails the listing", [][]string{{"a", "b"}, {"c"}}, map[int]error{2: boom}, 2, 10, "", 2, CodeNetworkError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &pages{data: tt.data, fail: tt.fail}
			p := NewPager(src.fetch, tt.size, tt.max)
			_, err := drain(p)
			switch {
			case tt.wantCode == "" && err != nil:
				t.Fatalf("error %v, want the listing to complete", err)
			case tt.wantCode != "" && CodeOf(err) != tt.wantCode:
				t.Fatalf("error %v (code %s), want code %s", err, CodeOf(err), tt.wantCode)
			case tt.wantCode == "" && ids(p.Flows()) != tt.wantFlows:
				t.Errorf("flows %s, want %s", ids(p.Flows()), tt.wantFlows)
			}
			if len(src.calls) != tt.wantCalls || p.Pages() != len(src.calls)-len(tt.fail) {
				t.Errorf("%d calls %v, %d pages counted; want %d calls", len(src.calls), src.calls, p.Pages(), tt.wantCalls)
			}
		})
	}
}

func TestPagerEndlessListingStopsAtItsLimit(t *testing.T) {
	for _, max := range []int{1, 5, 500} {
		calls := 0
		p := NewPager(func(ctx context.Context, index, size int) ([]Flow, error) { calls++; return endless(ctx, index, size) }, 20, max)
		_, err := drain(p)
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeTooManyPages || e.Class != ClassPermanent || calls != max {
			t.Errorf("max %d: %d calls, error %v; want %d calls and a permanent TooManyPages", max, calls, err, max)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("within %d pages of 20 flows", max)) {
			t.Errorf("max %d: message %q does not say the limit", max, err)
		}
	}
}

// The hard cap holds whatever the caller asks, and 0 means it.
func TestPagerHardCap(t *testing.T) {
	for _, asked := range []int{0, -1, MaxPagesLimit + 1} {
		calls := 0
		p := NewPager(func(ctx context.Context, index, size int) ([]Flow, error) { calls++; return endless(ctx, index, size) }, 1, asked)
		if _, err := drain(p); CodeOf(err) != CodeTooManyPages || calls != MaxPagesLimit {
			t.Errorf("max pages %d: %d calls (%v), want %d and TooManyPages", asked, calls, err, MaxPagesLimit)
		}
	}
}

func TestPagerDefaultPageSize(t *testing.T) {
	var sizes []int
	p := NewPager(func(_ context.Context, _, size int) ([]Flow, error) { sizes = append(sizes, size); return nil, nil }, 0, 10)
	if done, err := p.Next(context.Background()); !done || err != nil || len(sizes) != 1 || sizes[0] != DefaultPageSize {
		t.Errorf("done %v err %v sizes %v, want one page of %d", done, err, sizes, DefaultPageSize)
	}
	if done, err := p.Next(context.Background()); !done || err != nil || len(sizes) != 1 {
		t.Errorf("Next after done: %v %v and %d calls, want done without a call", done, err, len(sizes))
	}
}
