package main

import (
	"io"
	"strings"
	"sync"
)

type pipeWriter struct{ w *io.PipeWriter }

func (p pipeWriter) write(s string) { _, _ = io.WriteString(p.w, s) }
func (p pipeWriter) close()         { _ = p.w.Close() }

func ioPipe() (*io.PipeReader, pipeWriter) {
	r, w := io.Pipe()
	return r, pipeWriter{w}
}

// syncBuilder is a strings.Builder safe for the heartbeat's goroutine.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
