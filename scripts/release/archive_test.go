package main

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/internal/tooltest"
)

// The archives' names and the binary's, per platform, as the Prometheus
// exporters name theirs.
func TestPlatformNames(t *testing.T) {
	want := map[string][3]string{ // dirName, binaryName, nfpmArch
		"linux/amd64":   {"cams_exporter-1.2.3.linux-amd64", "cams_exporter", "amd64"},
		"linux/arm64":   {"cams_exporter-1.2.3.linux-arm64", "cams_exporter", "arm64"},
		"linux/arm/v7":  {"cams_exporter-1.2.3.linux-armv7", "cams_exporter", "arm7"},
		"darwin/amd64":  {"cams_exporter-1.2.3.darwin-amd64", "cams_exporter", "amd64"},
		"darwin/arm64":  {"cams_exporter-1.2.3.darwin-arm64", "cams_exporter", "arm64"},
		"windows/amd64": {"cams_exporter-1.2.3.windows-amd64", "cams_exporter.exe", "amd64"},
	}
	ps, err := parsePlatforms(strings.Join(platformNames(allPlatforms), ","))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != len(want) {
		t.Fatalf("a release has %d platforms, want %d", len(ps), len(want))
	}
	for _, p := range ps {
		w, ok := want[p.String()]
		if !ok {
			t.Errorf("unexpected platform %s", p)
			continue
		}
		if got := [3]string{p.dirName("1.2.3"), p.binaryName(), p.nfpmArch()}; got != w {
			t.Errorf("%s: %q, want %q", p, got, w)
		}
	}
}

// archiveFixture writes the files of an archive and returns them.
func archiveFixture(t *testing.T) []archiveFile {
	t.Helper()
	dir := t.TempDir()
	files := []archiveFile{
		{name: "LICENSE", path: filepath.Join(dir, "LICENSE"), mode: 0o644},
		{name: "README.md", path: filepath.Join(dir, "README.md"), mode: 0o644},
		{name: "cams_exporter.exe", path: filepath.Join(dir, "bin"), mode: 0o755},
	}
	for i, f := range files {
		// Modes and times on disk that the archive must not take.
		if err := os.WriteFile(f.path, bytes.Repeat([]byte{byte('a' + i)}, 1000*(i+1)), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(f.path, time.Now(), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

var archiveTime = time.Date(2026, 12, 6, 12, 34, 56, 0, time.UTC)

// writeTwice writes an archive twice and fails unless both are the same
// bytes; it returns the path of one.
func writeTwice(t *testing.T, ext string, write func(io.Writer, string, []archiveFile, time.Time) error, files []archiveFile) string {
	t.Helper()
	var paths []string
	for i := range 2 {
		path := filepath.Join(t.TempDir(), "a"+ext)
		if err := writeFileAtomically(path, func(w io.Writer) error { return write(w, "top", files, archiveTime) }); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
		if i == 0 {
			// The files' times on disk move on; the archive's must not.
			for _, f := range files {
				os.Chtimes(f.path, time.Now().Add(time.Hour), time.Now().Add(time.Hour))
			}
		}
	}
	if !bytes.Equal(readFile(t, paths[0]), readFile(t, paths[1])) {
		t.Errorf("two %s archives of the same files differ", ext)
	}
	return paths[0]
}

// A tar.gz holds top/ and each file under it with the given mode, owned by
// 0:0, at the given time, and is the same bytes each time; GNU tar lists it
// so.
func TestWriteTarGz(t *testing.T) {
	files := archiveFixture(t)
	path := writeTwice(t, ".tar.gz", writeTarGz, files)
	var got []string
	for _, e := range readTarGz(t, path) {
		got = append(got, e.hdr.Name+" "+os.FileMode(e.hdr.Mode).String())
		if !e.hdr.ModTime.Equal(archiveTime) || e.hdr.Uid != 0 || e.hdr.Gid != 0 {
			t.Errorf("%s: time %s owner %d:%d", e.hdr.Name, e.hdr.ModTime, e.hdr.Uid, e.hdr.Gid)
		}
		if e.hdr.Typeflag == '0' {
			i := slices.IndexFunc(files, func(f archiveFile) bool { return "top/"+f.name == e.hdr.Name })
			if i < 0 || !bytes.Equal(e.data, readFile(t, files[i].path)) {
				t.Errorf("%s: not the content of its file", e.hdr.Name)
			}
		}
	}
	want := []string{"top/ -rwxr-xr-x", "top/LICENSE -rw-r--r--", "top/README.md -rw-r--r--", "top/cams_exporter.exe -rwxr-xr-x"}
	if !slices.Equal(got, want) {
		t.Errorf("tar.gz holds %v, want %v", got, want)
	}
	tar := exec.Command("tar", "--list", "--verbose", "--numeric-owner", "--file", path)
	tar.Env = append(os.Environ(), "TZ=UTC")
	out, err := tar.CombinedOutput()
	if err != nil || !regexp.MustCompile(`(?m)^-rwxr-xr-x 0/0 +3000 2026-12-06 12:34 top/cams_exporter.exe$`).Match(out) {
		t.Errorf("tar lists (%v)\n%s", err, out)
	}
}

// A zip holds the same, with Unix modes, and unzip finds it sound.
func TestWriteZip(t *testing.T) {
	files := archiveFixture(t)
	path := writeTwice(t, ".zip", writeZip, files)
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var got []string
	for _, f := range zr.File {
		got = append(got, f.Name+" "+f.Mode().String())
		if !f.Modified.Equal(archiveTime) {
			t.Errorf("%s: time %s, want %s", f.Name, f.Modified, archiveTime)
		}
	}
	want := []string{"top/ drwxr-xr-x", "top/LICENSE -rw-r--r--", "top/README.md -rw-r--r--", "top/cams_exporter.exe -rwxr-xr-x"}
	if !slices.Equal(got, want) {
		t.Errorf("zip holds %v, want %v", got, want)
	}
	unzip := tooltest.Debian(t, "unzip", "unzip")
	out := command(t, "", unzip, "-t", path)
	if !strings.Contains(out, "No errors detected") {
		t.Errorf("unzip -t:\n%s", out)
	}
	extracted := t.TempDir()
	command(t, "", unzip, "-q", path, "-d", extracted)
	info, err := os.Stat(filepath.Join(extracted, "top", "cams_exporter.exe"))
	if err != nil || info.Mode().Perm() != 0o755 || !bytes.Equal(readFile(t, filepath.Join(extracted, "top", "cams_exporter.exe")), readFile(t, files[2].path)) {
		t.Errorf("unzip made the binary %v (%v), want it executable and whole", info, err)
	}
}

// A write that fails leaves neither the file nor a temporary one.
func TestWriteFileAtomicallyLeavesNothingOnFailure(t *testing.T) {
	dir := t.TempDir()
	err := writeFileAtomically(filepath.Join(dir, "a.tar.gz"), func(w io.Writer) error {
		w.Write([]byte("half"))
		return errors.New("disk full")
	})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err %v, want the write's", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed write left %v", entries)
	}
}
