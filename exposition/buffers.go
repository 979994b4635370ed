package exposition

import (
	"bufio"
	"io"
	"sync"
)

// writeBufferSize is the size of the buffers responses are written
// through: their parts, as small as a few hundred bytes compressed, are
// written to the connection in pieces of this size.
const writeBufferSize = 64 << 10

// writeBuffers lends the buffers responses are written through, at most as
// many at once as scrapes are prepared at once (MaxRequests): since a
// scrape is written after its slot is given back, clients that read slowly,
// or not at all, could otherwise each hold one. A response that finds none
// free is written through the server's own small buffers, with more system
// calls. The buffer given back last is lent first, so that it keeps as
// many as were ever lent at once, one for scrapes that come one at a time.
type writeBuffers struct {
	max  int // 0: no bound, from writerPool
	mu   sync.Mutex
	lent int
	idle []*bufio.Writer
}

var writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, writeBufferSize) }}

// newWriteBuffers returns buffers lent to at most n responses at once; no
// bound when n is 0 or less.
func newWriteBuffers(n int) *writeBuffers { return &writeBuffers{max: max(n, 0)} }

// get returns a buffer writing to w, or nil when none is free.
func (b *writeBuffers) get(w io.Writer) *bufio.Writer {
	var bw *bufio.Writer
	if b.max == 0 {
		bw = writerPool.Get().(*bufio.Writer)
	} else if bw = b.lend(); bw == nil {
		return nil
	}
	bw.Reset(w)
	return bw
}

// lend takes the buffer given back last, or a new one, or nil when max are
// lent.
func (b *writeBuffers) lend() *bufio.Writer {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lent >= b.max {
		return nil
	}
	b.lent++
	if n := len(b.idle); n > 0 {
		bw := b.idle[n-1]
		b.idle[n-1], b.idle = nil, b.idle[:n-1]
		return bw
	}
	return bufio.NewWriterSize(nil, writeBufferSize)
}

// put gives back a buffer get returned.
func (b *writeBuffers) put(bw *bufio.Writer) {
	bw.Reset(nil)
	if b.max == 0 {
		writerPool.Put(bw)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lent--
	b.idle = append(b.idle, bw)
}
