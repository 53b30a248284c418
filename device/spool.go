package device

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

func prepareSpool(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("spool directory: %w", err)
	}
	return nil
}

// spoolDir is a job's document being written to the spool: a directory
// holding its files. It appears under its final name only once every file
// is complete and on disk, so a power cut leaves a whole document or a
// .part directory, never half a document under a good name.
type spoolDir struct {
	tmp, path string
}

func createSpool(path string) (*spoolDir, error) {
	tmp := path + ".part"
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return &spoolDir{tmp: tmp, path: path}, nil
}

// commit makes the document durable under its final name. Its files are
// already synced (scan.Document.Close does it).
func (s *spoolDir) commit() error {
	if err := syncDir(s.tmp); err != nil {
		s.abort()
		return err
	}
	if err := os.Rename(s.tmp, s.path); err != nil {
		s.abort()
		return fmt.Errorf("spool: %w", err)
	}
	return syncDir(filepath.Dir(s.path))
}

// abort throws an unfinished document away.
func (s *spoolDir) abort() {
	os.RemoveAll(s.tmp)
}

// spoolFiles lists a spooled document's files in page order.
func spoolFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no files", dir)
	}
	return files, nil
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

// checkSize refuses, before connecting, a document whose message would be
// larger than max bytes: base64 makes attachments a third larger, and the
// server would refuse it only after the whole upload.
func checkSize(files []string, max int64) error {
	if max <= 0 {
		return nil
	}
	var size int64
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		size += fi.Size()
	}
	sent := size*4/3 + 64<<10 // base64, headers and the text part
	if sent <= max {
		return nil
	}
	return &Error{
		Summary: fmt.Sprintf("The scan is too large to mail: about %d MB as sent, the mail server takes %d MB", sent>>20, max>>20),
		Hint:    "Scan fewer pages, at a lower resolution, or in black and white (scan.mode bw1); or raise the mailbox's MaxSendSize and limits.max_message_mb.",
	}
}
