package scan

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrTooLarge is wrapped by the error of a document that would pass
// DocumentOptions.MaxBytes. Nothing past the limit reaches the disk.
var ErrTooLarge = errors.New("scan: the document would pass its size limit")

// budget is the bytes a document's files may still take: every byte that
// grows one of them is taken from it before it is written, so a document
// stops at the moment it would pass its limit, not after the page.
type budget struct {
	max  int64 // 0: no limit
	used int64
}

func (b *budget) take(n int64) error {
	if b.max > 0 && b.used+n > b.max {
		return fmt.Errorf("%w of %d bytes", ErrTooLarge, b.max)
	}
	b.used += n
	return nil
}

// budgetFile is a document's file whose growth is taken from its budget.
// Writes over bytes already written (the TIFF writer patches offsets) take
// nothing. It does not embed the *os.File: its ReadFrom and WriteString
// would let io.Copy and others write around the budget.
type budgetFile struct {
	f         *os.File
	b         *budget
	pos, size int64
}

func (f *budgetFile) Write(p []byte) (int, error) {
	if grow := f.pos + int64(len(p)) - f.size; grow > 0 {
		if err := f.b.take(grow); err != nil {
			return 0, err
		}
	}
	n, err := f.f.Write(p)
	f.pos += int64(n)
	f.size = max(f.size, f.pos)
	return n, err
}

func (f *budgetFile) Seek(offset int64, whence int) (int64, error) {
	pos, err := f.f.Seek(offset, whence)
	if err == nil {
		f.pos = pos
	}
	return pos, err
}

var _ io.WriteSeeker = (*budgetFile)(nil)
