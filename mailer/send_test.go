package mailer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"scanmail/mailer"
	"scanmail/mailer/smtptest"
)

const (
	user  = "scanner@contoso.com"
	token = "eyJ0eXAiOiJKV1Qi.secret-access-token"
)

func startServer(t *testing.T, opts smtptest.Options) *smtptest.Server {
	t.Helper()
	srv, err := smtptest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// checkToken is an Authenticate that wants the right user and token.
func checkToken(u, tok string) error {
	if u != user || tok != token {
		return errors.New("wrong user or token")
	}
	return nil
}

func senderFor(srv *smtptest.Server) *mailer.Sender {
	return &mailer.Sender{Config: mailer.Config{
		Host:    srv.Host(),
		Port:    srv.Port(),
		RootCAs: srv.RootCAs(),
		Timeout: 20 * time.Second,
	}}
}

func testMessage(atts ...mailer.Attachment) *mailer.Message {
	return &mailer.Message{
		From:        "Scanner <" + user + ">",
		To:          []string{"Alice <alice@example.com>", "bob@example.com"},
		Subject:     "Scan – 3 pages",
		Body:        "Your scan is attached.\n",
		Date:        time.Date(2026, 3, 12, 10, 15, 2, 0, time.UTC),
		MessageID:   mailer.NewMessageID("contoso.com"),
		Attachments: atts,
	}
}

// asError returns err as a *mailer.Error or fails the test.
func asError(t *testing.T, err error) *mailer.Error {
	t.Helper()
	if err == nil {
		t.Fatal("Send succeeded, want an error")
	}
	var e *mailer.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not a *mailer.Error", err, err)
	}
	return e
}

func TestSend(t *testing.T) {
	path, pdf := writeRandomFile(t, 300<<10)
	dir := t.TempDir()
	tests := []struct {
		name string
		dir  string // the server's Options.Dir
	}{
		{name: "in memory"},
		{name: "saved as eml", dir: dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, smtptest.Options{Authenticate: checkToken, Dir: tt.dir})
			var logs bytes.Buffer
			s := senderFor(srv)
			s.Config.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			msg := testMessage(fileAttachment("scan.pdf", path))

			if err := s.Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, msg); err != nil {
				t.Fatalf("Send: %v", err)
			}

			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			r := got[0]
			if r.From != user || r.User != user || !r.TLS {
				t.Errorf("received From %q User %q TLS %v, want %q, %q, true", r.From, r.User, r.TLS, user, user)
			}
			if want := []string{"alice@example.com", "bob@example.com"}; !slices.Equal(r.To, want) {
				t.Errorf("received To %q, want %q", r.To, want)
			}
			data := r.Data
			if tt.dir != "" {
				if r.Data != nil || filepath.Dir(r.Path) != tt.dir || !strings.HasSuffix(r.Path, ".eml") {
					t.Errorf("received Data %d bytes, Path %q; want no data and a .eml in %s", len(r.Data), r.Path, tt.dir)
				}
				var err error
				if data, err = os.ReadFile(r.Path); err != nil {
					t.Fatal(err)
				}
			}

			p := parseMessage(t, bytes.NewReader(data))
			if s, _ := p.header.Subject(); s != msg.Subject {
				t.Errorf("Subject = %q, want %q", s, msg.Subject)
			}
			if d, _ := p.header.Date(); !d.Equal(msg.Date) {
				t.Errorf("Date = %v, want %v", d, msg.Date)
			}
			if id, _ := p.header.MessageID(); id != msg.MessageID {
				t.Errorf("Message-ID = %q, want %q", id, msg.MessageID)
			}
			if from, _ := p.header.AddressList("From"); len(from) != 1 || from[0].Address != user {
				t.Errorf("From = %v", from)
			}
			if text := strings.ReplaceAll(p.text, "\r\n", "\n"); text != msg.Body {
				t.Errorf("text = %q, want %q", text, msg.Body)
			}
			if !bytes.Equal(p.attachments["scan.pdf"], pdf) || p.types["scan.pdf"] != "application/pdf" {
				t.Errorf("attachment scan.pdf: %d bytes of %q, want the file's %d bytes of application/pdf",
					len(p.attachments["scan.pdf"]), p.types["scan.pdf"], len(pdf))
			}

			ir := base64.StdEncoding.EncodeToString([]byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01"))
			if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), ir) {
				t.Errorf("the log contains the token:\n%s", logs.String())
			}
			if !strings.Contains(logs.String(), "message accepted") {
				t.Errorf("the log does not tell the steps:\n%s", logs.String())
			}
		})
	}
}

func TestSendDirKeepsNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, smtptest.Options{Dir: dir})
	for range 3 {
		if err := senderFor(srv).Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, testMessage()); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if !strings.HasSuffix(e.Name(), ".eml") || strings.HasPrefix(e.Name(), ".") {
			t.Errorf("unexpected file %q in Dir", e.Name())
		}
	}
	if len(names) != 3 {
		t.Errorf("Dir holds %q, want 3 messages", names)
	}
}

// TestSendStreams sends a 64 MiB attachment and checks that the heap stays
// far smaller: the attachment is never held in memory, neither by the
// client nor by the server, which saves to a file.
func TestSendStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 64 MiB")
	}
	const size = 64 << 20
	seed := [32]byte{1, 2, 3}
	var sampled *heapSampler
	generated := mailer.Attachment{
		Filename:    "big.pdf",
		ContentType: "application/pdf",
		Open: func() (io.ReadCloser, error) {
			sampled = &heapSampler{r: io.LimitReader(rand.NewChaCha8(seed), size)}
			return io.NopCloser(sampled), nil
		},
	}
	srv := startServer(t, smtptest.Options{Dir: t.TempDir(), MaxMessageBytes: 2 * size})
	s := senderFor(srv)
	s.Config.Timeout = 2 * time.Minute // -race makes this slow

	base := liveHeap()
	if err := s.Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, testMessage(generated)); err != nil {
		t.Fatal(err)
	}
	if sampled == nil || sampled.samples < size/heapSampleEvery {
		t.Fatalf("the attachment was not read through")
	}
	if growth := int64(sampled.peak) - int64(base); growth > 16<<20 {
		t.Errorf("live heap grew by %d MiB while sending 64 MiB, want under 16 MiB", growth>>20)
	}

	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	f, err := os.Open(got[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mr, err := mail.CreateReader(f)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.New()
	io.Copy(want, io.LimitReader(rand.NewChaCha8(seed), size))
	for {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no attachment in the received message: %v", err)
		}
		if _, ok := part.Header.(*mail.AttachmentHeader); !ok {
			continue
		}
		h := sha256.New()
		n, err := io.Copy(h, part.Body)
		if err != nil {
			t.Fatal(err)
		}
		if n != size || !bytes.Equal(h.Sum(nil), want.Sum(nil)) {
			t.Errorf("received attachment of %d bytes differs from the %d sent", n, size)
		}
		break
	}
}

func TestSendRequiresStartTLS(t *testing.T) {
	// The server offers AUTH in the clear, as a downgraded one would.
	srv := startServer(t, smtptest.Options{NoStartTLS: true})
	err := senderFor(srv).Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, testMessage())
	e := asError(t, err)
	if !errors.Is(err, mailer.ErrNoStartTLS) {
		t.Errorf("error %v is not ErrNoStartTLS", err)
	}
	if e.Step != "starttls" || e.Temporary() || !strings.Contains(e.Hint, "587") {
		t.Errorf("Step %q Temporary %v Hint %q; want starttls, false, a hint naming port 587", e.Step, e.Temporary(), e.Hint)
	}
	if n := srv.AuthAttempts(); n != 0 {
		t.Errorf("%d AUTH commands reached the server without TLS", n)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
}

func TestSendUntrustedCertificate(t *testing.T) {
	other := startServer(t, smtptest.Options{})
	tests := []struct {
		name  string
		roots *x509.CertPool
	}{
		{"system roots", nil},
		{"empty pool", x509.NewCertPool()},
		{"another server's certificate", other.RootCAs()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, smtptest.Options{})
			s := senderFor(srv)
			s.Config.RootCAs = tt.roots
			err := s.Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, testMessage())
			e := asError(t, err)
			var ve *tls.CertificateVerificationError
			if !errors.As(err, &ve) {
				t.Errorf("error %v is not a certificate verification error", err)
			}
			if e.Step != "starttls" || !e.Temporary() || !strings.Contains(e.Summary, "certificate") {
				t.Errorf("Step %q Temporary %v Summary %q; want starttls, true, about the certificate", e.Step, e.Temporary(), e.Summary)
			}
			if n := srv.AuthAttempts(); n != 0 {
				t.Errorf("%d AUTH commands reached the server", n)
			}
		})
	}
}

// TestSendTLSRefused: a server whose TLS the device cannot accept gets no
// credential; the failure is tried again later (the cause may pass), with
// what to check.
func TestSendTLSRefused(t *testing.T) {
	tests := []struct {
		name    string
		opts    smtptest.Options
		summary string
	}{
		{"TLS 1.1 only", smtptest.Options{MaxTLSVersion: tls.VersionTLS11}, "Could not set up encryption"},
		{"expired certificate", smtptest.Options{ExpiredCertificate: true}, "not valid at the device's current time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, tt.opts)
			e := asError(t, senderFor(srv).Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, testMessage()))
			if e.Step != "starttls" || !e.Temporary() || !strings.Contains(e.Summary, tt.summary) {
				t.Errorf("Step %q Temporary %v Summary %q; want starttls, true, %q", e.Step, e.Temporary(), e.Summary, tt.summary)
			}
			if n := srv.AuthAttempts(); n != 0 {
				t.Errorf("%d AUTH commands reached the server", n)
			}
		})
	}
}

func TestSendServerAnswers(t *testing.T) {
	tests := []struct {
		name      string
		step      string            // for FailNext
		fail      []*smtp.SMTPError // queued for step
		wantCode  int
		wantEnh   smtp.EnhancedCode
		wantStep  string
		wantRcpt  string
		temporary bool
		words     []string // in Summary or Hint
	}{
		{
			name: "token rejected", step: "auth",
			fail:     []*smtp.SMTPError{{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3}, Message: "Authentication unsuccessful [SN4PR0601CA0002.namprd06.prod.outlook.com]"}},
			wantCode: 535, wantEnh: smtp.EnhancedCode{5, 7, 3}, wantStep: "auth",
			words: []string{"Sign-in rejected", "licensed", "SMTP.Send", "admin consent"},
		},
		{
			name: "smtp auth disabled", step: "auth",
			fail:     []*smtp.SMTPError{{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 139}, Message: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."}},
			wantCode: 535, wantEnh: smtp.EnhancedCode{5, 7, 139}, wantStep: "auth",
			words: []string{"Set-CASMailbox", "-SmtpClientAuthenticationDisabled $false", "Manage email apps", "Set-TransportConfig"},
		},
		{
			name: "basic auth retired", step: "auth",
			fail:     []*smtp.SMTPError{{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 30}, Message: "Basic authentication is not supported for Client Submission"}},
			wantCode: 550, wantEnh: smtp.EnhancedCode{5, 7, 30}, wantStep: "auth",
			words: []string{"OAuth"},
		},
		{
			name: "send as", step: "mail",
			fail:     []*smtp.SMTPError{{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 60}, Message: "SMTP; Client does not have permissions to send as this sender"}},
			wantCode: 550, wantEnh: smtp.EnhancedCode{5, 7, 60}, wantStep: "mail",
			words: []string{"UPN", "Send As"},
		},
		{
			name: "not authenticated", step: "mail",
			fail:     []*smtp.SMTPError{{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 57}, Message: "Client not authenticated to send mail"}},
			wantCode: 530, wantEnh: smtp.EnhancedCode{5, 7, 57}, wantStep: "mail",
			words: []string{"not signed in", "Sign the device in"},
		},
		{
			name: "tls too old", step: "mail",
			fail:     []*smtp.SMTPError{{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 66}, Message: "TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2."}},
			wantCode: 421, wantEnh: smtp.EnhancedCode{4, 7, 66}, wantStep: "mail", temporary: true,
			words: []string{"TLS 1.2"},
		},
		{
			name: "transient", step: "mail",
			fail:     []*smtp.SMTPError{{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Connection dropped due to SocketError"}},
			wantCode: 421, wantEnh: smtp.EnhancedCode{4, 4, 2}, wantStep: "mail", temporary: true,
			words: []string{"scan again"},
		},
		{
			name: "every recipient unknown", step: "rcpt",
			fail: []*smtp.SMTPError{
				{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "RESOLVER.ADR.RecipNotFound; not found"},
				{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "RESOLVER.ADR.RecipNotFound; not found"},
			},
			wantCode: 550, wantEnh: smtp.EnhancedCode{5, 1, 1}, wantStep: "rcpt", wantRcpt: "alice@example.com",
			words: []string{"Recipient", "spelling"},
		},
		{
			name: "second recipient busy", step: "rcpt",
			fail:     []*smtp.SMTPError{nil, {Code: 452, EnhancedCode: smtp.EnhancedCode{4, 5, 3}, Message: "Too many recipients"}},
			wantCode: 452, wantEnh: smtp.EnhancedCode{4, 5, 3}, wantStep: "rcpt", wantRcpt: "bob@example.com", temporary: true,
		},
		{
			name: "too large", step: "data",
			fail:     []*smtp.SMTPError{{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message size exceeds fixed maximum message size"}},
			wantCode: 552, wantEnh: smtp.EnhancedCode{5, 3, 4}, wantStep: "data",
			words: []string{"too large", "35 MB", "MaxSendSize"},
		},
		{
			name: "daily limit", step: "data",
			fail:     []*smtp.SMTPError{{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 2, 0}, Message: "STOREDRV.Submission.Exception:SubmissionQuotaExceededException"}},
			wantCode: 554, wantEnh: smtp.EnhancedCode{5, 2, 0}, wantStep: "data",
			words: []string{"10,000"},
		},
		{
			name: "unknown permanent", step: "data",
			fail:     []*smtp.SMTPError{{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Content rejected"}},
			wantCode: 554, wantEnh: smtp.EnhancedCode{5, 6, 0}, wantStep: "data",
			words: []string{"refused the message"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, smtptest.Options{Authenticate: checkToken})
			for _, f := range tt.fail {
				srv.FailNext(tt.step, f)
			}
			err := senderFor(srv).Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, testMessage())
			e := asError(t, err)

			var se *smtp.SMTPError
			if !errors.As(err, &se) {
				t.Fatalf("error %v does not carry the server's answer", err)
			}
			if se.Code != tt.wantCode || se.EnhancedCode != tt.wantEnh {
				t.Errorf("answer %d %v, want %d %v", se.Code, se.EnhancedCode, tt.wantCode, tt.wantEnh)
			}
			if e.Step != tt.wantStep || e.Rcpt != tt.wantRcpt || e.Temporary() != tt.temporary {
				t.Errorf("Step %q Rcpt %q Temporary %v, want %q %q %v", e.Step, e.Rcpt, e.Temporary(), tt.wantStep, tt.wantRcpt, tt.temporary)
			}
			for _, w := range tt.words {
				if !strings.Contains(e.Summary+" "+e.Hint, w) {
					t.Errorf("neither Summary %q nor Hint %q says %q", e.Summary, e.Hint, w)
				}
			}
			if want := fmt.Sprintf("%d %d.%d.%d", tt.wantCode, tt.wantEnh[0], tt.wantEnh[1], tt.wantEnh[2]); !strings.Contains(err.Error(), want) {
				t.Errorf("Error() = %q, want it to show the answer %s", err.Error(), want)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server received %d messages", n)
			}
		})
	}
}

// TestSendRealRefusals has the server refuse for real reasons rather than
// scripted ones.
func TestSendRealRefusals(t *testing.T) {
	tests := []struct {
		name     string
		opts     smtptest.Options
		auth     bool   // sign in with XOAUTH2
		token    string // the token sent
		from     string
		wantEnh  smtp.EnhancedCode
		wantStep string
	}{
		{"bad token", smtptest.Options{Authenticate: checkToken}, true, "expired", user, smtp.EnhancedCode{5, 7, 3}, "auth"},
		{"from is not the user", smtptest.Options{}, true, token, "someone.else@contoso.com", smtp.EnhancedCode{5, 7, 60}, "mail"},
		{"no sign-in", smtptest.Options{}, false, "", user, smtp.EnhancedCode{5, 7, 57}, "mail"},
		{"too large", smtptest.Options{MaxMessageBytes: 256 << 10}, true, token, user, smtp.EnhancedCode{5, 3, 4}, "data"},
	}
	path, _ := writeRandomFile(t, 512<<10)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, tt.opts)
			var auth sasl.Client
			if tt.auth {
				auth = mailer.NewXOAuth2Client(user, tt.token)
			}
			err := senderFor(srv).Send(context.Background(), auth, tt.from, testMessage(fileAttachment("scan.pdf", path)))
			e := asError(t, err)
			var se *smtp.SMTPError
			if !errors.As(err, &se) || se.EnhancedCode != tt.wantEnh {
				t.Errorf("error %v, want the server's %v", err, tt.wantEnh)
			}
			if e.Step != tt.wantStep || e.Temporary() {
				t.Errorf("Step %q Temporary %v, want %q false", e.Step, e.Temporary(), tt.wantStep)
			}
			if e.Summary == "" || e.Hint == "" {
				t.Errorf("no advice: Summary %q Hint %q", e.Summary, e.Hint)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server received %d messages", n)
			}
		})
	}
}

func TestSendXOAuth2Challenge(t *testing.T) {
	srv := startServer(t, smtptest.Options{Authenticate: checkToken, Challenge: true})
	err := senderFor(srv).Send(context.Background(), mailer.NewXOAuth2Client(user, "expired"), user, testMessage())
	e := asError(t, err)
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 535 || se.EnhancedCode != (smtp.EnhancedCode{5, 7, 3}) {
		t.Fatalf("error %v, want the server's 535 5.7.3 after the challenge", err)
	}
	var xe *mailer.XOAuth2Error
	if !errors.As(err, &xe) || xe.Status != "401" || xe.Scope != "https://mail.google.com/" {
		t.Errorf("error %v does not carry the challenge's status and scope", err)
	}
	if e.Step != "auth" || !strings.Contains(err.Error(), "status 401") {
		t.Errorf("Step %q, Error() %q; want auth and the challenge's status", e.Step, err.Error())
	}
	if n := srv.AuthAttempts(); n != 1 {
		t.Errorf("AuthAttempts = %d, want 1", n)
	}
}

func TestSendUnreadableAttachment(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "gone.pdf")
	failing := mailer.Attachment{
		Filename: "scan.pdf",
		Open: func() (io.ReadCloser, error) {
			// Half the scan, then the storage fails.
			r := io.MultiReader(io.LimitReader(rand.NewChaCha8([32]byte{}), 200<<10), errReader{fs.ErrInvalid})
			return io.NopCloser(r), nil
		},
	}
	tests := []struct {
		name string
		att  mailer.Attachment
		is   error
	}{
		{"missing file", fileAttachment("scan.pdf", missing), fs.ErrNotExist},
		{"read fails half way", failing, fs.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, smtptest.Options{})
			err := senderFor(srv).Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, testMessage(tt.att))
			e := asError(t, err)
			if !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if e.Step != "data" || e.Temporary() || !strings.Contains(e.Summary, "scanned document") {
				t.Errorf("Step %q Temporary %v Summary %q; want data, false, about the document", e.Step, e.Temporary(), e.Summary)
			}
			// Close waits for the server's side of the connection, so no
			// message can arrive after this.
			srv.Close()
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server received %d messages, want none: a truncated message was delivered", n)
			}
		})
	}
}

const heapSampleEvery = 8 << 20

// heapSampler measures the live heap every few MiB read through it. Being
// driven by the data rather than by a clock, it catches any copy of the
// attachment that grows while the attachment is read.
type heapSampler struct {
	r       io.Reader
	n, next int64
	samples int
	peak    uint64
}

func (s *heapSampler) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += int64(n)
	if s.n >= s.next {
		s.next += heapSampleEvery
		s.samples++
		s.peak = max(s.peak, liveHeap())
	}
	return n, err
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// silentServer accepts connections and never says a word, like a server
// that hangs or a port that expects implicit TLS.
func silentServer(t *testing.T) (addr *net.TCPAddr, accepted <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().(*net.TCPAddr), ch
}

func TestSendStalledServer(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration                                  // Config.Timeout
		ctx     func(accepted <-chan struct{}) context.Context // bounds Send
		is      error
	}{
		{
			name:    "ctx deadline",
			timeout: time.Minute,
			ctx: func(<-chan struct{}) context.Context {
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				t.Cleanup(cancel)
				return ctx
			},
			is: context.DeadlineExceeded,
		},
		{
			name:    "ctx cancelled",
			timeout: time.Minute,
			ctx: func(accepted <-chan struct{}) context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				t.Cleanup(cancel)
				go func() {
					<-accepted
					cancel()
				}()
				return ctx
			},
			is: context.Canceled,
		},
		{
			name:    "command timeout",
			timeout: 200 * time.Millisecond,
			ctx:     func(<-chan struct{}) context.Context { return context.Background() },
			is:      os.ErrDeadlineExceeded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, accepted := silentServer(t)
			s := &mailer.Sender{Config: mailer.Config{Host: addr.IP.String(), Port: addr.Port, Timeout: tt.timeout}}
			err := s.Send(tt.ctx(accepted), mailer.NewXOAuth2Client(user, token), user, testMessage())
			e := asError(t, err)
			if !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if e.Step != "connect" || !e.Temporary() {
				t.Errorf("Step %q Temporary %v, want connect, true", e.Step, e.Temporary())
			}
		})
	}
}

func TestSendConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close() // nothing listens on the port now

	s := &mailer.Sender{Config: mailer.Config{Host: addr.IP.String(), Port: addr.Port}}
	err = s.Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, testMessage())
	e := asError(t, err)
	if !errors.Is(err, syscall.ECONNREFUSED) || e.Step != "connect" || !e.Temporary() || !strings.Contains(e.Summary, "refused") {
		t.Errorf("error %v: Step %q Temporary %v Summary %q; want connection refused at connect, temporary", err, e.Step, e.Temporary(), e.Summary)
	}
}

func TestSendInvalidMessage(t *testing.T) {
	addr, accepted := silentServer(t)
	s := &mailer.Sender{Config: mailer.Config{Host: addr.IP.String(), Port: addr.Port}}
	tests := []struct {
		name string
		from string
		msg  *mailer.Message
	}{
		{"bad envelope sender", "not an address", testMessage()},
		{"no recipients", user, &mailer.Message{From: user}},
		{"quoted envelope sender", `"scan ner"@example.com`, testMessage()},
		{"quoted recipient", user, &mailer.Message{From: user, To: []string{`"a b"@example.com`}}},
		{"recipient with a command after it", user, &mailer.Message{From: user, To: []string{"a@example.com\r\nRCPT TO:<evil@example.net>"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := asError(t, s.Send(context.Background(), mailer.NewXOAuth2Client(user, token), tt.from, tt.msg))
			if e.Step != "message" || e.Temporary() {
				t.Errorf("Step %q Temporary %v, want message, false", e.Step, e.Temporary())
			}
		})
	}
	select {
	case <-accepted:
		t.Error("Send connected to the server for an invalid message")
	default:
	}
}

// TestSendSomeRecipientsRefused: a recipient refused for good does not stop
// the others; the message goes, and the error names who did not get it.
func TestSendSomeRecipientsRefused(t *testing.T) {
	srv := startServer(t, smtptest.Options{Authenticate: checkToken})
	srv.FailNext("rcpt", nil)
	srv.FailNext("rcpt", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "User unknown"})
	err := senderFor(srv).Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, testMessage())
	var re *mailer.RefusedError
	if !errors.As(err, &re) || len(re.Refused) != 1 || re.Refused[0].Rcpt != "bob@example.com" {
		t.Fatalf("err %v, want bob@example.com refused", err)
	}
	if !strings.Contains(re.Error(), "5.1.1") || !strings.Contains(re.Refused[0].Summary+re.Refused[0].Hint, "Recipient") {
		t.Errorf("error %q, summary %q", re.Error(), re.Refused[0].Summary)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || strings.Join(msgs[0].To, ",") != "alice@example.com" {
		t.Fatalf("received %+v, want the message for alice only", msgs)
	}
}
