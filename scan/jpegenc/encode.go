package jpegenc

import (
	"errors"
	"fmt"
	"io"
)

// Encode reads exactly Height raster rows from r and writes them to w as a
// JPEG image. Data after the last row is left unread.
func Encode(w io.Writer, r io.Reader, o Options) error {
	e, err := NewWriter(w, o)
	if err != nil {
		return err
	}
	size := int64(o.Width) * int64(o.Components) * int64(o.Height)
	if _, err := io.CopyN(e, r, size); err != nil {
		werr := e.err // from the output, if that failed
		e.Close()     // only to wait for the workers; the image is unusable
		if werr != nil {
			return werr
		}
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("jpegenc: reading raster: %w", err)
	}
	return e.Close()
}
