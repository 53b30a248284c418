package main

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"

	"scanmail/scan/filecheck"
)

// TestScanOptionsCLI: `scan` takes the job's options and, with --flatbed,
// asks after each page whether another follows; the mail is as asked.
func TestScanOptionsCLI(t *testing.T) {
	const upn = "scanner@contoso.example"
	ms, dir, sock := signedInDaemon(t, upn)

	out, code := runCLI(t, sock, "scan", "--to", "alice@fabrikam.example", "--dpi", "123")
	if code != 1 || !strings.Contains(out, "The scan option dpi was refused") || !strings.Contains(out, "123 dpi is not offered") {
		t.Errorf("--dpi 123: exit %d\n%s", code, out)
	}

	scan := start(t, dir, "-socket", sock, "scan", "--to", "alice@fabrikam.example", "--flatbed",
		"--mode", "bw1", "--dpi", "100", "--format", "pdf", "--per-page", "--subject", "Hello {pages}")
	scan.expect("scanned page 1")
	scan.send("y")
	scan.expect("scanned page 2")
	scan.send("n")
	if code := scan.wait(); code != 0 {
		t.Fatalf("scan --flatbed: exit %d\n%s", code, scan.output())
	}
	if out := scan.output(); !strings.Contains(out, "job 1: 2 page(s) scanned. Another page? [y/N] ") || !strings.Contains(out, "job 1: sent") {
		t.Errorf("scan --flatbed printed:\n%s", out)
	}
	msgs := ms.SMTP.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	mr, err := mail.CreateReader(bytes.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if subj, _ := mr.Header.Subject(); subj != "Hello 2" {
		t.Errorf("subject %q", subj)
	}
	var names []string
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := p.Header.(*mail.AttachmentHeader); ok {
			name, _ := h.Filename()
			names = append(names, name)
			data, _ := io.ReadAll(p.Body)
			filecheck.PDF(t, data, 1)
		}
	}
	if len(names) != 2 || !strings.HasSuffix(names[0], "-p001.pdf") || !strings.HasSuffix(names[1], "-p002.pdf") {
		t.Errorf("attachments %v, want a PDF a page", names)
	}
}
