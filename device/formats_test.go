package device

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/scan/filecheck"
)

// TestScanFormats mails a job in each colour mode and file format the
// settings offer, and has independent tools read what arrived.
func TestScanFormats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode, format string
		contentType  string
		files        int
	}{
		{"bw1", "pdf", "application/pdf", 1},
		{"bw1", "tiff", "image/tiff", 1},
		{"gray8", "tiff", "image/tiff", 1},
		{"rgb24", "pdf", "application/pdf", 1},
		{"gray8", "pdf-compact", "application/pdf", 1},
		{"rgb24", "pdf-compact", "application/pdf", 1},
		{"bw1", "pdf-compact", "application/pdf", 1},
		{"rgb24", "jpeg", "image/jpeg", 2},
		{"jpeg", "pdf", "application/pdf", 1},
		{"jpeg", "tiff", "image/tiff", 1},
	}
	for _, tt := range tests {
		t.Run(tt.mode+"/"+tt.format, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
			r.signedIn(testUPN)
			r.configure(map[string]string{"scan.mode": tt.mode, "scan.format": tt.format, "scan.dpi": "150"})
			job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 2}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if job.Format != tt.format || job.Pages != 2 {
				t.Fatalf("job %+v", job)
			}
			msgs := r.mail.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages", len(msgs))
			}
			parts := attachments(t, msgs[0].Data)
			if len(parts) != tt.files {
				t.Fatalf("%d attachments, want %d", len(parts), tt.files)
			}
			for _, p := range parts {
				if p.contentType != tt.contentType {
					t.Errorf("%s is %s, want %s", p.name, p.contentType, tt.contentType)
				}
				path := filepath.Join(t.TempDir(), p.name)
				if err := os.WriteFile(path, p.data, 0o600); err != nil {
					t.Fatal(err)
				}
				switch tt.format {
				case "pdf", "pdf-compact":
					filecheck.PDF(t, p.data, 2)
					if want := "scan-"; !strings.HasPrefix(p.name, want) || !strings.HasSuffix(p.name, ".pdf") {
						t.Errorf("attachment named %s, want %s….pdf", p.name, want)
					}
				case "tiff":
					filecheck.TIFF(t, path, 2)
				case "jpeg":
					filecheck.JPEG(t, path, 1240, 1754)
				}
			}
			// The spool is emptied once the mail is sent.
			if left, _ := os.ReadDir(filepath.Join(filepath.Dir(r.dbPath), "spool")); len(left) != 0 {
				t.Errorf("spool still holds %v", left)
			}
		})
	}
}

type attachment struct {
	name, contentType string
	data              []byte
}

func attachments(t *testing.T, msg []byte) []attachment {
	t.Helper()
	mr, err := mail.CreateReader(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	var out []attachment
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := p.Header.(*mail.AttachmentHeader); ok {
			ct, _, _ := h.ContentType()
			name, _ := h.Filename()
			data, _ := io.ReadAll(p.Body)
			out = append(out, attachment{name, ct, data})
		}
	}
}
