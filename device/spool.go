package device

import (
	"fmt"
	"os"
	"path/filepath"
)

func prepareSpool(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("spool directory: %w", err)
	}
	return nil
}

// spoolFile is a document being written to the spool. It appears under its
// final name only once complete and on disk, so a power cut leaves either a
// whole document or a .part file, never a half document under a good name.
type spoolFile struct {
	*os.File
	path string
}

func createSpool(path string) (*spoolFile, error) {
	f, err := os.OpenFile(path+".part", os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return &spoolFile{File: f, path: path}, nil
}

// commit makes the document durable under its final name.
func (f *spoolFile) commit() error {
	if err := f.Sync(); err != nil {
		f.abort()
		return fmt.Errorf("spool: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("spool: %w", err)
	}
	if err := os.Rename(f.Name(), f.path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("spool: %w", err)
	}
	return syncDir(filepath.Dir(f.path))
}

// abort throws an unfinished document away.
func (f *spoolFile) abort() {
	f.Close()
	os.Remove(f.Name())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}
