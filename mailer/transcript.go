package mailer

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Default bounds of a Transcript: a whole submission to Exchange Online,
// with both EHLO answers, takes about 40 lines.
const (
	DefaultTranscriptLines = 200
	DefaultTranscriptBytes = 16 << 10
)

const (
	minTranscriptLines = 8
	minTranscriptBytes = 4 << 10
	maxLineText        = 512              // longest text kept of one line; RFC 5321's limit for a reply line
	maxLine            = maxLineText + 96 // with the time, the mark and the notes on a cut or unfinished line
	timeLayout         = "2006-01-02T15:04:05.000Z07:00"
)

// Transcript is the SMTP log of one submission, for the administrator:
// every command and reply, each line timestamped and marked C: (client) or
// S: (server), without the message's content and without secrets. It is
// bounded: past its limits it keeps the first lines and the last ones,
// where the failure is, and says how many it left out in between.
//
// Set it as Config.Transcript: Send feeds it what crosses the connection,
// in the clear until STARTTLS and inside TLS after. A Transcript is an
// io.Writer of the raw protocol stream in both directions, as go-smtp's
// Client.DebugWriter writes it: without marks of direction, commands and
// replies in whatever pieces the connection carried. It tells them apart by SMTP's lock-step (replies begin with
// three digits, commands with a verb), and it follows the protocol to know
// when the client sends a SASL response (after a 334 answer to AUTH) or the
// message (after 354 to DATA).
//
// What is hidden: the AUTH command's initial response ("AUTH XOAUTH2
// [redacted]"), every SASL response after a 334 challenge, and, in any line
// whatever its direction, bearer tokens, JWTs and base64 that decodes to an
// XOAUTH2 or PLAIN credential. The message is replaced by one line,
// "[message body: N bytes]", N being the bytes sent before the final dot.
//
// Use a new Transcript for each submission. It is safe for concurrent use:
// Lines may be called while Send runs.
type Transcript struct {
	limitLines, limitBytes int
	now                    func() time.Time

	mu sync.Mutex

	// What the protocol says about the next client line.
	lastCmd   string // verb of the client's last command
	sasl      bool   // a SASL response is due: the server answered 334 to AUTH
	body      bool   // the message is being sent: the server answered 354 to DATA
	bodyBytes int64  // sent since the 354

	partial    []byte // the line being received; at most maxLineText bytes kept
	partialLen int    // its length on the wire so far

	head, tail []string // kept lines; tail loses its oldest lines past the limits
	headFull   bool
	headBytes  int
	tailBytes  int
	omitted    int  // lines dropped from the tail
	cut        bool // a line was longer than maxLineText
}

// NewTranscript returns an empty Transcript that keeps at most limitLines
// lines and limitBytes bytes of String (0 or less means the defaults; at
// least 8 lines and 4 KiB). now stamps the lines; nil means time.Now.
func NewTranscript(limitLines, limitBytes int, now func() time.Time) *Transcript {
	if limitLines <= 0 {
		limitLines = DefaultTranscriptLines
	}
	if limitBytes <= 0 {
		limitBytes = DefaultTranscriptBytes
	}
	if now == nil {
		now = time.Now
	}
	return &Transcript{
		limitLines: max(limitLines, minTranscriptLines),
		limitBytes: max(limitBytes, minTranscriptBytes),
		now:        now,
	}
}

// Write takes the next bytes of the session, in either direction. It
// never fails: an error would end the SMTP session it watches.
func (t *Transcript) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		if t.body && t.partialLen == 0 {
			if k := plainLines(p); k > 0 {
				t.bodyBytes += int64(k)
				p = p[k:]
				continue
			}
		}
		seg := p
		i := bytes.IndexByte(p, '\n')
		if i >= 0 {
			seg = p[:i+1]
		}
		p = p[len(seg):]

		keep := maxLineText
		if t.body {
			keep = len(".\r\n") // enough to see the final dot; content is never kept
			t.bodyBytes += int64(len(seg))
		}
		if room := keep - len(t.partial); room > 0 {
			t.partial = append(t.partial, seg[:min(room, len(seg))]...)
		}
		t.partialLen += len(seg)
		if i < 0 {
			break
		}
		t.endLine()
		t.partial, t.partialLen = t.partial[:0], 0
	}
	return n, nil
}

// plainLines is the length of the whole lines at the start of p up to the
// first that begins with a dot. In the message only the final line, a dot
// alone, matters: the lines before it are counted and skipped a stretch at
// a time, not a line at a time.
func plainLines(p []byte) int {
	if p[0] == '.' {
		return 0
	}
	end := bytes.LastIndexByte(p, '\n') + 1
	for i := 0; ; {
		j := bytes.IndexByte(p[i:end], '.')
		if j < 0 {
			return end
		}
		j += i
		if p[j-1] == '\n' {
			return j
		}
		i = j + 1
	}
}

// endLine takes the complete line in t.partial.
func (t *Transcript) endLine() {
	kept := len(t.partial)
	text := bytes.TrimSuffix(t.partial, []byte("\n"))
	text = bytes.TrimSuffix(text, []byte("\r"))
	whole := kept == t.partialLen

	switch {
	case t.body:
		if string(text) != "." || !whole {
			return
		}
		t.body = false
		t.bodyBytes -= int64(t.partialLen)
		t.add(fmt.Sprintf("C: [message body: %d bytes]", t.bodyBytes))
		t.add("C: .")
	case t.sasl:
		t.sasl = false
		t.add("C: " + saslResponse(text))
	case isReply(text):
		t.add("S: " + t.show(text, whole))
		if len(text) == 3 || text[3] == ' ' { // the last line of a reply
			switch code := string(text[:3]); {
			case code == "334" && t.lastCmd == "AUTH":
				t.sasl = true
			case code == "354" && t.lastCmd == "DATA":
				t.body, t.bodyBytes = true, 0
			}
		}
	default:
		verb, _, _ := bytes.Cut(text, []byte(" "))
		t.lastCmd = strings.ToUpper(string(verb))
		t.add("C: " + t.show(text, whole))
	}
}

// isReply tells a server's reply line from a client's command: "250 OK",
// "250-SIZE", "221". SASL responses and the message, which could look like
// one, are known from the protocol's state instead.
func isReply(line []byte) bool {
	if len(line) < 3 || len(line) > 3 && line[3] != ' ' && line[3] != '-' {
		return false
	}
	for _, c := range line[:3] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func saslResponse(text []byte) string {
	switch string(text) {
	case "":
		return "[empty response]"
	case "*":
		return "*" // the client gives up the exchange
	}
	return "[redacted]"
}

var (
	// authCommand matches AUTH with an initial response, which is the
	// credential itself (XOAUTH2, PLAIN) or part of it (LOGIN's user).
	authCommand = regexp.MustCompile(`(?i)^(AUTH\s+\S+)\s+\S.*$`)
	bearer      = regexp.MustCompile(`(?i)\bbearer\s+[^\s\x01]+`)
	jwt         = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_.-]*)?`)
	base64Word  = regexp.MustCompile(`[A-Za-z0-9+/]{16,}={0,2}`)
)

// redact hides credentials wherever they are in a line.
func redact(s string) string {
	s = authCommand.ReplaceAllString(s, "$1 [redacted]")
	s = bearer.ReplaceAllString(s, "Bearer [redacted]")
	s = jwt.ReplaceAllString(s, "[redacted]")
	return base64Word.ReplaceAllStringFunc(s, func(w string) string {
		if isBase64Credential(w) {
			return "[redacted]"
		}
		return w
	})
}

// isBase64Credential reports base64 (perhaps cut short) of an XOAUTH2
// initial response ("user=U\x01auth=Bearer T\x01\x01") or a PLAIN one
// ("authzid\x00user\x00password"): printable text with those separators.
// Random words of a server's reply practically never decode to printable
// text.
func isBase64Credential(w string) bool {
	w = strings.TrimRight(w, "=")
	b, err := base64.RawStdEncoding.DecodeString(w[:len(w)/4*4])
	if err != nil {
		return false
	}
	for _, c := range b {
		if (c < ' ' || c > '~') && c != 0 && c != 1 {
			return false
		}
	}
	return bytes.Contains(bytes.ToLower(b), []byte("auth=bearer")) || bytes.Count(b, []byte{0}) == 2
}

// show is a line's text as kept: redacted, printable, at most maxLineText
// bytes, and marked if it was cut (whole is false).
func (t *Transcript) show(text []byte, whole bool) string {
	s := redact(string(text))
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		var out string
		switch {
		case r == utf8.RuneError && size == 1:
			out = fmt.Sprintf(`\x%02x`, s[0])
		case unicode.IsPrint(r) || r == '\t':
			out = s[:size]
		default:
			out = strings.Trim(strconv.QuoteRuneToASCII(r), "'")
		}
		if b.Len()+len(out) > maxLineText {
			whole = false
			break
		}
		b.WriteString(out)
		s = s[size:]
	}
	if !whole {
		t.cut = true
		b.WriteString(" [line cut]")
	}
	return b.String()
}

// add keeps a line, first in the head and then in the tail, which drops
// its oldest lines to stay within the limits. Room is left for the line
// that counts the dropped ones and for an unfinished line.
func (t *Transcript) add(line string) {
	line = t.now().UTC().Format(timeLayout) + " " + line
	size := len(line) + 1
	if !t.headFull {
		if len(t.head) < t.limitLines/2 && t.headBytes+size <= t.limitBytes/2 {
			t.head = append(t.head, line)
			t.headBytes += size
			return
		}
		t.headFull = true
	}
	t.tail = append(t.tail, line)
	t.tailBytes += size
	maxLines := t.limitLines - len(t.head) - 2
	maxBytes := t.limitBytes - t.headBytes - maxLine - len("[9999999999 lines omitted]\n")
	for len(t.tail) > 0 && (len(t.tail) > maxLines || t.tailBytes > maxBytes) {
		t.tailBytes -= len(t.tail[0]) + 1
		t.tail[0] = ""
		t.tail = t.tail[1:]
		t.omitted++
	}
}

// Lines returns the transcript so far. A line still under way comes last:
// the message's bytes so far, or a line without its end.
func (t *Transcript) Lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := make([]string, 0, len(t.head)+len(t.tail)+2)
	lines = append(lines, t.head...)
	if t.omitted > 0 {
		lines = append(lines, fmt.Sprintf("[%d lines omitted]", t.omitted))
	}
	lines = append(lines, t.tail...)
	if p := t.pending(); p != "" {
		lines = append(lines, p)
	}
	return lines
}

func (t *Transcript) pending() string {
	stamp := t.now().UTC().Format(timeLayout) + " "
	text := t.partial
	switch {
	case t.body:
		return stamp + fmt.Sprintf("C: [message body: %d bytes so far, not ended]", t.bodyBytes)
	case t.partialLen == 0:
		return ""
	case t.sasl:
		return stamp + "C: [redacted] [line not ended]"
	case isReply(text):
		return stamp + "S: " + t.show(text, len(text) == t.partialLen) + " [line not ended]"
	}
	return stamp + "C: " + t.show(text, len(text) == t.partialLen) + " [line not ended]"
}

// String is the transcript as text, a line each.
func (t *Transcript) String() string {
	lines := t.Lines()
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// Truncated reports whether lines were left out or cut short.
func (t *Transcript) Truncated() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.omitted > 0 || t.cut
}

// tap returns conn feeding t with what crosses it. Send taps the
// connection in the clear until STARTTLS, and the one inside TLS after.
func (t *Transcript) tap(conn net.Conn) net.Conn {
	return &transcriptConn{Conn: conn, t: t}
}

type transcriptConn struct {
	net.Conn
	t *Transcript
}

func (c *transcriptConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.t.Write(p[:n])
	}
	return n, err
}

func (c *transcriptConn) Write(p []byte) (int, error) {
	c.t.Write(p)
	return c.Conn.Write(p)
}
