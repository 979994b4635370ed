package spaces

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-kit/log"
)

func TestLoadFile(t *testing.T) {
	tests := []struct {
		file    string
		want    []string
		wantErr string
	}{
		{file: "good.txt", want: []string{"cams-aaa111", "cams-bbb222", "cams-ccc333"}},
		{file: "empty.txt", want: nil},
		{file: "duplicate.txt", wantErr: "duplicate.txt:3: space \"cams-aaa111\" is listed twice (first on line 1)"},
		{file: "space-inside.txt", wantErr: "space-inside.txt:2: space id \"cams bad\" contains spaces"},
		{file: "missing.txt", wantErr: "cannot read spaces file"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := LoadFile(filepath.Join("testdata", tt.file))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	tests := []struct {
		flags, file []string
		want        string
		wantErr     string
	}{
		{want: ""}, // nothing: no space; NewSet decides on the own space
		{flags: []string{"a"}, file: []string{"b"}, want: "a,b"},
		{flags: []string{"a", "a"}, wantErr: "configured twice"},
		{flags: []string{"a"}, file: []string{"a"}, wantErr: "configured twice"},
		{flags: []string{""}, wantErr: "empty space id"},
	}
	for _, tt := range tests {
		got, err := Merge(tt.flags, tt.file)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Merge(%v, %v) = %v, %v; want error %q", tt.flags, tt.file, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != tt.want {
			t.Errorf("Merge(%v, %v) = %q, %v; want %q", tt.flags, tt.file, got, err, tt.want)
		}
	}
}

func TestReloadKeepsPreviousListOnBadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spaces")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("cams-1\ncams-2\n")
	set, err := NewSet([]string{"cams-flag"}, path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(set.List(), ","); got != "cams-flag,cams-1,cams-2" {
		t.Fatalf("List = %s", got)
	}
	if changed, err := set.Reload(); changed || err != nil {
		t.Errorf("Reload of an unchanged file = %v, %v", changed, err)
	}
	write("cams-1\ncams-1\n")
	if _, err := set.Reload(); err == nil {
		t.Error("Reload accepted a duplicate")
	}
	if got := strings.Join(set.List(), ","); got != "cams-flag,cams-1,cams-2" {
		t.Errorf("after a bad reload List = %s, want the previous list", got)
	}
	write("cams-3\n")
	if changed, err := set.Reload(); !changed || err != nil {
		t.Errorf("Reload = %v, %v", changed, err)
	}
	if got := strings.Join(set.List(), ","); got != "cams-flag,cams-3" {
		t.Errorf("List = %s", got)
	}
	os.Remove(path)
	if _, err := set.Reload(); err == nil || strings.Join(set.List(), ",") != "cams-flag,cams-3" {
		t.Errorf("Reload of a removed file: %v, list %v", err, set.List())
	}
}

func TestWatchReloadsOnSignalAndChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spaces")
	os.WriteFile(path, []byte("cams-1\n"), 0o644)
	set, err := NewSet(nil, path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reload := make(chan os.Signal, 1)
	var changes atomic.Int32
	done := make(chan struct{})
	go func() {
		set.Watch(ctx, reload, time.Hour, log.NewNopLogger(), func() { changes.Add(1) })
		close(done)
	}()
	os.WriteFile(path, []byte("cams-1\ncams-2\n"), 0o644)
	reload <- os.Interrupt // stands for SIGHUP
	deadline := time.Now().Add(5 * time.Second)
	for changes.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := strings.Join(set.List(), ","); got != "cams-1,cams-2" || changes.Load() != 1 {
		t.Errorf("after the signal List = %s, changes %d", got, changes.Load())
	}
	cancel()
	<-done
}

func TestNewSetErrors(t *testing.T) {
	if _, err := NewSet(nil, filepath.Join("testdata", "missing.txt")); err == nil {
		t.Error("NewSet accepted a missing file")
	}
	if _, err := NewSet([]string{"x"}, filepath.Join("testdata", "duplicate.txt")); err == nil {
		t.Error("NewSet accepted a file with a duplicate")
	}
	set, err := NewSet(nil, "")
	if err != nil || len(set.List()) != 1 || set.List()[0] != "" {
		t.Errorf("NewSet with nothing = %v, %v; want the own space", set.List(), err)
	}
	set, err = NewSet(nil, filepath.Join("testdata", "empty.txt"))
	if err != nil || len(set.List()) != 0 {
		t.Errorf("NewSet with an empty file = %q, %v; want no space, not the own one", set.List(), err)
	}
}
