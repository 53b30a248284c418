package mailer

import (
	"encoding/base64"
	"errors"
	"io"
)

// Base64 as MIME wants it (RFC 2045): lines of 76 characters, each the
// encoding of 57 bytes, separated by CRLF. The last line has no CRLF of its
// own: the multipart boundary that follows begins with one.
const (
	base64LineIn  = 57
	base64LineOut = 76
	base64Lines   = 1024 // a chunk: 57 KiB read, 78 KiB written at once
)

// writeBase64 writes what r reads to w in base64, the same bytes as
// go-message's encoder but a chunk of lines at a time: go-message writes
// each line and each line end on its own, which costs more than the
// encoding when the writer below is SMTP's dot-stuffing and TLS.
func writeBase64(w io.Writer, r io.Reader) (int64, error) {
	in := make([]byte, base64LineIn*base64Lines)
	out := make([]byte, 0, (base64LineOut+2)*base64Lines)
	var n int64
	for {
		k, rerr := io.ReadFull(r, in)
		out = out[:0]
		for i := 0; i < k; i += base64LineIn {
			if n > 0 || i > 0 {
				out = append(out, '\r', '\n')
			}
			out = base64.StdEncoding.AppendEncode(out, in[i:min(i+base64LineIn, k)])
		}
		n += int64(k)
		if len(out) > 0 {
			if _, err := w.Write(out); err != nil {
				return n, err
			}
		}
		switch {
		case errors.Is(rerr, io.EOF), errors.Is(rerr, io.ErrUnexpectedEOF):
			return n, nil
		case rerr != nil:
			return n, rerr
		}
	}
}

// base64Size is the length writeBase64 writes for n bytes.
func base64Size(n int64) int64 {
	if n <= 0 {
		return 0
	}
	chars := (n + 2) / 3 * 4
	lines := (chars + base64LineOut - 1) / base64LineOut
	return chars + 2*(lines-1)
}
