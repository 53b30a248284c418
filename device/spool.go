package device

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
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
		// Dot files are the spool's own, such as the page index.
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
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
