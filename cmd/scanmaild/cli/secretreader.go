package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// secretReader reads secrets (the admin PIN, the admin password) from the
// terminal without echo, or else one a line from standard input, as a
// provisioning script pipes them in. A secret is never an argument, which
// ps would show.
type secretReader struct {
	c     *Context
	what  string // "PIN", "password"
	tty   bool
	fd    int
	lines *bufio.Reader
	// ended is the error, a format taking what is read, when standard
	// input ends before it.
	ended string
}

func newSecretReader(c *Context, what string) *secretReader {
	r := &secretReader{c: c, what: what,
		ended: "standard input ended before the %[1]s: give the current %[1]s (when one is set) and the new one, a line each"}
	if f, ok := c.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		r.tty, r.fd = true, int(f.Fd())
		return r
	}
	stdin := c.Stdin
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	r.lines = bufio.NewReader(stdin)
	return r
}

func (r *secretReader) read(prompt string) (string, error) {
	return r.readFor(prompt, r.what)
}

// readFor reads one secret, what it is for the error if none comes.
func (r *secretReader) readFor(prompt, what string) (string, error) {
	if r.tty {
		fmt.Fprint(r.c.Stderr, prompt)
		b, err := term.ReadPassword(r.fd)
		fmt.Fprintln(r.c.Stderr)
		return string(b), err
	}
	line, err := r.lines.ReadString('\n')
	if err == io.EOF && line != "" {
		err = nil
	}
	if err == io.EOF {
		return "", fmt.Errorf(r.ended, what)
	}
	return strings.TrimRight(line, "\r\n"), err
}

// errSecretsDiffer is a new secret typed twice, differently.
func errSecretsDiffer(what string) error {
	return errors.New("the two new " + what + "s differ; nothing changed")
}
