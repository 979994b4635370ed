package main

import (
	"archive/tar"
	"archive/zip"
	"compress/flate"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// archiveFile is one file of an archive: its name in the archive's
// directory, where it comes from and its mode.
type archiveFile struct {
	name, path string
	mode       os.FileMode
}

// archiveFiles are the files of p's archive, as the Prometheus exporters
// ship them: the binary, LICENSE and README.md.
func archiveFiles(p platform, bin string) []archiveFile {
	return []archiveFile{
		{name: "LICENSE", path: "LICENSE", mode: 0o644},
		{name: "README.md", path: "README.md", mode: 0o644},
		{name: p.binaryName(), path: bin, mode: 0o755},
	}
}

// writeArchive writes p's archive into dist and returns its name.
func writeArchive(src source, p platform, bin, dist string) (string, error) {
	dir := p.dirName(src.version)
	name, write := dir+".tar.gz", writeTarGz
	if p.os == "windows" {
		name, write = dir+".zip", writeZip
	}
	if err := writeFileAtomically(filepath.Join(dist, name), func(w io.Writer) error {
		return write(w, dir, archiveFiles(p, bin), src.date)
	}); err != nil {
		return "", err
	}
	return name, nil
}

// writeTarGz writes a gzipped tar of dir/ and its files, the same bytes
// for the same files and time: entries in the given order, owned by 0:0,
// every time the given one, no name or time in the gzip header.
func writeTarGz(w io.Writer, dir string, files []archiveFile, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	hdr := &tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: mtime}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	for _, f := range files {
		info, err := os.Stat(f.path)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: dir + "/" + f.name, Mode: int64(f.mode), Size: info.Size(), ModTime: mtime}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if err := copyFile(tw, f.path); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// writeZip writes a zip of dir/ and its files, deterministic as
// writeTarGz, with Unix modes for unzip.
func writeZip(w io.Writer, dir string, files []archiveFile, mtime time.Time) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestCompression)
	})
	hdr := &zip.FileHeader{Name: dir + "/", Modified: mtime}
	hdr.SetMode(os.ModeDir | 0o755)
	if _, err := zw.CreateHeader(hdr); err != nil {
		return err
	}
	for _, f := range files {
		hdr := &zip.FileHeader{Name: dir + "/" + f.name, Method: zip.Deflate, Modified: mtime}
		hdr.SetMode(f.mode)
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if err := copyFile(fw, f.path); err != nil {
			return err
		}
	}
	return zw.Close()
}

func copyFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// writeFileAtomically writes path through a temporary file renamed into
// place once write succeeded, so that a failure leaves no partial file.
func writeFileAtomically(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
