package mailer

import (
	"bytes"
	"io"
)

// dotWriter writes a message as SMTP's DATA carries it (RFC 5321 4.5.2):
// a line that begins with a dot gets another in front, every line ends in
// CRLF (a bare LF gets its CR), and Close ends the message with a line of
// a single dot. These are the bytes net/textproto's DotWriter writes, which
// go-smtp's Client.Data uses, but found a stretch at a time with
// bytes.IndexByte rather than a byte at a time: on a scan of tens of
// megabytes that loop was half of Send's CPU.
//
// It differs from DotWriter only on an LF after two CRs or more ("\r\r\n"),
// where DotWriter adds yet another CR and dotWriter adds none, as the size
// announced with MAIL FROM counts it (see wireCounter).
type dotWriter struct {
	w     io.Writer
	begun bool // something was written
	last  byte // the last byte written
}

func newDotWriter(w io.Writer) *dotWriter {
	return &dotWriter{w: w}
}

func (d *dotWriter) Write(p []byte) (int, error) {
	var n int
	for len(p) > 0 {
		if k := d.clean(p); k > 0 {
			m, err := d.w.Write(p[:k])
			n += m
			if err != nil {
				return n, err
			}
			d.begun, d.last = true, p[k-1]
			p = p[k:]
			continue
		}
		// p[0] needs a byte in front of it.
		fix := []byte{'\r', p[0]}
		if p[0] == '.' {
			fix[0] = '.'
		}
		if _, err := d.w.Write(fix); err != nil {
			return n, err
		}
		n++
		d.begun, d.last = true, p[0]
		p = p[1:]
	}
	return n, nil
}

// clean is the length of the start of p that goes out as it is: up to a
// dot that begins a line, or an LF without a CR before it.
func (d *dotWriter) clean(p []byte) int {
	lineStart := !d.begun || d.last == '\n'
	if p[0] == '.' && lineStart || p[0] == '\n' && d.last != '\r' {
		return 0
	}
	for i := 0; ; {
		j := bytes.IndexByte(p[i:], '\n')
		if j < 0 {
			return len(p)
		}
		j += i
		if j > 0 && p[j-1] != '\r' {
			return j
		}
		if j+1 < len(p) && p[j+1] == '.' {
			return j + 1
		}
		i = j + 1
	}
}

// Close ends the message's last line if it has no end, and writes the
// final dot. It does not close the writer below.
func (d *dotWriter) Close() error {
	end := "\r\n.\r\n"
	switch {
	case d.begun && d.last == '\n':
		end = ".\r\n"
	case d.begun && d.last == '\r':
		end = "\n.\r\n"
	}
	_, err := io.WriteString(d.w, end)
	return err
}
