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
// calls.
type writeBuffers struct {
	free chan *bufio.Writer // nil: no bound, from writerPool
}

var writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, writeBufferSize) }}

// newWriteBuffers returns buffers lent to at most n responses at once; no
// bound when n is 0 or less.
func newWriteBuffers(n int) writeBuffers {
	if n <= 0 {
		return writeBuffers{}
	}
	free := make(chan *bufio.Writer, n)
	for range n {
		free <- nil // allocated when first lent
	}
	return writeBuffers{free: free}
}

// get returns a buffer writing to w, or nil when none is free.
func (b writeBuffers) get(w io.Writer) *bufio.Writer {
	var bw *bufio.Writer
	if b.free == nil {
		bw = writerPool.Get().(*bufio.Writer)
	} else {
		select {
		case bw = <-b.free:
		default:
			return nil
		}
		if bw == nil {
			bw = bufio.NewWriterSize(nil, writeBufferSize)
		}
	}
	bw.Reset(w)
	return bw
}

// put gives back a buffer get returned.
func (b writeBuffers) put(bw *bufio.Writer) {
	bw.Reset(nil)
	if b.free == nil {
		writerPool.Put(bw)
		return
	}
	b.free <- bw
}
