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
			case <-time.After(5 * time.Second):
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

// TestReadStableNeverTakesAHalfWrittenFile rewrites a file in place, in
// chunks, over and over while it is read: every read that succeeds returns
// one whole version, and once the writer stops the last version is read.
func TestReadStableNeverTakesAHalfWrittenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spaces")
	version := func(v int) []byte {
		var b bytes.Buffer
		for i := range 20000 {
			fmt.Fprintf(&b, "cams-%d-%05d\n", v, i)
		}
		return b.Bytes()
	}
	os.WriteFile(path, version(0), 0o644)
	time.Sleep(400 * time.Millisecond)
	stop := testfiles.RewriteInPlace(t, path, version, 16<<10)
	defer stop()
	// Settle must outlast the writer's pauses, which on a loaded machine
	// can reach tens of milliseconds between two writes.
	s := Stability{Settle: 300 * time.Millisecond, Within: time.Second}
	gaveUp, whole := 0, 0
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		data, err := ReadStable(context.Background(), path, 1<<20, s)
		if err != nil {
			if !strings.Contains(err.Error(), "kept changing") {
				t.Fatal(err)
			}
			gaveUp++
			continue
		}
		if lines := bytes.Count(data, []byte("\n")); lines != 20000 {
			t.Fatalf("a read returned %d of 20000 lines", lines)
		}
		whole++
	}
	last := stop()
	data, err := ReadStable(context.Background(), path, 1<<20, s)
	if err != nil || !bytes.Equal(data, version(last)) {
		t.Fatalf("after the writer stopped: %d bytes, %v; want version %d", len(data), err, last)
	}
	t.Logf("while the file was rewritten: %d reads gave up, %d returned a whole version", gaveUp, whole)
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
