package safefile

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cams-exporter/cams_exporter/internal/testfiles"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	os.WriteFile(regular, []byte("cams-a\ncams-b\n"), 0o644)
	big := testfiles.Sparse(t, 101)
	fifo := testfiles.FIFO(t)
	link := filepath.Join(dir, "link")
	os.Symlink(regular, link)

	tests := []struct {
		path, want, wantErr string
	}{
		{path: regular, want: "cams-a\ncams-b\n"},
		{path: link, want: "cams-a\ncams-b\n"},
		{path: big, wantErr: "is 101 bytes, more than the 100 allowed"},
		{path: fifo, wantErr: "is not a regular file but a named pipe (FIFO)"},
		{path: "/dev/zero", wantErr: "is not a regular file but a character device"},
		{path: "/dev/full", wantErr: "is not a regular file but a character device"},
		{path: dir, wantErr: "is not a regular file but a directory"},
		{path: filepath.Join(dir, "missing"), wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			done := make(chan struct{})
			var data []byte
			var err error
			go func() { data, _, err = Read(tt.path, 100); close(done) }()
			select {
			case <-done:
			case <-time.After(time.Minute):
				t.Fatal("Read blocked")
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.path) {
					t.Fatalf("got %v, want an error naming the file and %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(data) != tt.want {
				t.Fatalf("got %q, %v", data, err)
			}
		})
	}
}

// readInBackground runs ReadStable on path in a goroutine of the bubble;
// the channel gets its result and when it came.
type readResult struct {
	data []byte
	err  error
	at   time.Time
}

func readInBackground(path string, s Stability) <-chan readResult {
	done := make(chan readResult, 1)
	go func() {
		data, err := ReadStable(context.Background(), path, 1<<20, s)
		done <- readResult{data, err, time.Now()}
	}()
	return done
}

// TestReadStableWaitsForTheWriter rewrites a file in place while ReadStable
// reads it, in a synctest bubble: the test's writer acts only while the
// reader waits, at the instants the test chooses, whatever the machine's
// speed. A file written in steps closer than Settle is never taken and is
// given up after Within; once the writer is done, the whole file is taken
// Settle after its last write; a writer that stalls longer than Settle
// mid-file is taken for done (what the spaces file's reload guards
// against: see spaces.DropConfirm).
func TestReadStableWaitsForTheWriter(t *testing.T) {
	var whole bytes.Buffer
	for i := range 20000 {
		fmt.Fprintf(&whole, "cams-%05d\n", i)
	}
	s := Stability{Settle: time.Second, Within: 10 * time.Second}
	const chunk = 16 << 10
	for _, tt := range []struct {
		name  string
		pause time.Duration // between two writes
		// stopAfter is how many chunks are written before the writer
		// stops for good; 0: it rewrites the file again and again.
		stopAfter int
		wantErr   string
		wantBytes int
	}{
		{"rewritten again and again", 300 * time.Millisecond, 0, "kept changing while it was read for 10s", 0},
		{"written in steps, then done", 300 * time.Millisecond, (whole.Len() + chunk - 1) / chunk, "", whole.Len()},
		{"the writer stalls mid-file", 300 * time.Millisecond, 3, "", 3 * chunk},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "spaces")
				os.WriteFile(path, []byte("old\n"), 0o644)
				w := testfiles.RewriteInPlace(t, path)
				start := time.Now()
				done := readInBackground(path, s)
				written, lastWrite := 0, start
				for step := 0; ; step++ {
					synctest.Wait() // the reader waits, or is done
					if len(done) > 0 || (tt.stopAfter > 0 && step == tt.stopAfter) {
						break
					}
					if written == whole.Len() {
						w = testfiles.RewriteInPlace(t, path)
						written = 0
					}
					n := min(chunk, whole.Len()-written)
					w.Write(whole.Bytes()[written : written+n])
					written += n
					lastWrite = time.Now()
					time.Sleep(tt.pause)
				}
				r := <-done
				if tt.wantErr != "" {
					if r.err == nil || !strings.Contains(r.err.Error(), tt.wantErr) {
						t.Fatalf("got %d bytes, %v; want %q", len(r.data), r.err, tt.wantErr)
					}
					if took := r.at.Sub(start); took < s.Within-s.Settle || took > s.Within {
						t.Errorf("gave up after %v, want within %v", took, s.Within)
					}
					return
				}
				if r.err != nil || !bytes.Equal(r.data, whole.Bytes()[:tt.wantBytes]) {
					t.Fatalf("got %d bytes, %v; want the first %d bytes written", len(r.data), r.err, tt.wantBytes)
				}
				if got := r.at.Sub(lastWrite); got != s.Settle {
					t.Errorf("taken %v after the last write, want %v", got, s.Settle)
				}
			})
		})
	}
}

func TestReadStableHonoursContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spaces")
	os.WriteFile(path, []byte("x\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Just written: not settled yet, so it waits, and the context ends it.
	if _, err := ReadStable(ctx, path, 100, Stability{Settle: time.Hour, Within: time.Hour}); err != context.Canceled {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	// A modification time in the future is no reason to wait.
	future := time.Now().Add(time.Hour)
	os.Chtimes(path, future, future)
	if data, err := ReadStable(context.Background(), path, 100, Stability{Settle: time.Hour, Within: time.Second}); err != nil || string(data) != "x\n" {
		t.Fatalf("got %q, %v", data, err)
	}
}

func TestCheckRegular(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "cache.json")
	os.WriteFile(regular, nil, 0o644)
	for path, ok := range map[string]bool{regular: true, filepath.Join(dir, "missing"): true, "/dev/full": false, "/dev/null": false, dir: false} {
		if err := CheckRegular(path); (err == nil) != ok {
			t.Errorf("CheckRegular(%s) = %v, want ok %v", path, err, ok)
		}
	}
}

// A file that grows past the limit after Open fails the read that passes
// the limit; one of exactly the limit reads whole.
func TestOpenStopsAtTheLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "growing")
	os.WriteFile(path, bytes.Repeat([]byte("a"), 100), 0o644)
	f, _, err := Open(path, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if data, err := io.ReadAll(f); err != nil || len(data) != 100 {
		t.Fatalf("a file of the limit: %d bytes, %v; want 100 and no error", len(data), err)
	}
	f.Close()

	f, _, err = Open(path, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	w.Write([]byte("bc"))
	w.Close()
	data, err := io.ReadAll(f)
	if err == nil || !strings.Contains(err.Error(), "grew past the 100 bytes allowed") || !strings.Contains(err.Error(), path) || len(data) > 100 {
		t.Fatalf("a file grown to 102 bytes: %d bytes read, %v; want at most 100 and an error naming the file", len(data), err)
	}
}
