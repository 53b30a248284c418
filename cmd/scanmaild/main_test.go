package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"scanmail/device/localclient"
	"scanmail/device/mstest"
)

// bin is scanmaild built for these tests: they run the real binary, as the
// board and a technician do.
var bin string

func TestMain(m *testing.M) {
	if os.Getenv(rootsChildEnv) != "" {
		os.Exit(m.Run()) // TestFallbackRoots's child needs no daemon binary
	}
	dir, err := os.MkdirTemp("", "scanmaild-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "scanmaild")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building scanmaild: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running scanmaild whose output is read line by line.
type process struct {
	t     testing.TB
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	seen  []string
	done  chan struct{}
}

// start runs scanmaild with args in dir.
func start(t testing.TB, dir string, args ...string) *process {
	t.Helper()
	if !slices.Contains(args, "-web") && !slices.Contains(args, "-demo") {
		// The board's default, :443 on every address, is not for tests
		// run side by side.
		args = append([]string{"-web", "off"}, args...)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A buffer no test fills, so that an unread log never blocks the
	// daemon's writes.
	p := &process{t: t, cmd: cmd, stdin: stdin, lines: make(chan string, 1<<16), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	go func() {
		cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// expect reads output until a line contains want, and returns that line.
func (p *process) expect(want string) string {
	p.t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("scanmaild ended without printing %q; it printed:\n%s", want, strings.Join(p.seen, "\n"))
			}
			p.seen = append(p.seen, line)
			if strings.Contains(line, want) {
				return line
			}
		case <-timeout:
			p.t.Fatalf("no %q after 60s; scanmaild printed:\n%s", want, strings.Join(p.seen, "\n"))
		}
	}
}

func (p *process) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		p.t.Fatal(err)
	}
}

// wait waits for the process to end and returns its exit status.
func (p *process) wait() int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.t.Fatal("scanmaild did not exit")
	}
	return p.cmd.ProcessState.ExitCode()
}

// output waits for the process to end and returns all it printed.
func (p *process) output() string {
	p.t.Helper()
	p.wait()
	for line := range p.lines {
		p.seen = append(p.seen, line)
	}
	return strings.Join(p.seen, "\n")
}

// stop sends SIGTERM, as the supervisor does at shutdown, and wants a clean
// exit.
func (p *process) stop() {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		p.t.Errorf("exit status %d after SIGTERM", code)
	}
}

// waitSocket waits until the daemon answers on its socket.
func waitSocket(t testing.TB, sock string) {
	t.Helper()
	c := &localclient.Client{Socket: sock}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := c.Status(context.Background())
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("daemon not answering on %s: %v", sock, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runCLI runs one subcommand to its end.
func runCLI(t testing.TB, sock string, args ...string) (out string, code int) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-socket", sock}, args...)...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return buf.String(), cmd.ProcessState.ExitCode()
}

// attachment returns the PDF attached to a saved message.
func attachment(t testing.TB, eml string) []byte {
	t.Helper()
	f, err := os.Open(eml)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mr, err := mail.CreateReader(f)
	if err != nil {
		t.Fatalf("%s does not parse: %v", eml, err)
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("%s: no PDF attachment (%v)", eml, err)
		}
		if h, ok := part.Header.(*mail.AttachmentHeader); ok {
			if ct, _, _ := h.ContentType(); ct == "application/pdf" {
				b, err := io.ReadAll(part.Body)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
		}
	}
}

// fakeMicrosoft starts the identity provider and the SMTP server a test's
// daemon talks to, the way Microsoft's behave; they stop after the test's
// daemon, which a later cleanup stops. The provider asks for polls every
// second and knows the app "app-1", unless opts say otherwise.
func fakeMicrosoft(t testing.TB, opts mstest.Options) *mstest.Microsoft {
	t.Helper()
	if opts.IdP.Interval == 0 {
		opts.IdP.Interval = 1
	}
	if opts.IdP.ClientID == "" {
		opts.IdP.ClientID = "app-1"
	}
	ms, err := mstest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ms.Close)
	return ms
}
