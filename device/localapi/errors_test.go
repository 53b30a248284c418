package localapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/device"
	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/device/localclient"
	"scanmail/device/mstest"
	"scanmail/mailer/smtptest"
	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

const (
	testClientID = "11111111-2222-3333-4444-555555555555"
	testUPN      = "scanner@contoso.example"
)

// switchScanner is the device's scanner, which the test swaps between
// simulated engines.
type switchScanner struct {
	mu sync.Mutex
	s  device.Scanner
}

func (w *switchScanner) set(s device.Scanner) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.s = s
}

func (w *switchScanner) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	w.mu.Lock()
	s := w.s
	w.mu.Unlock()
	return s.Scan(ctx, opts)
}

// engineRefusal is an engine that answers every job with a STATUS
// condition, as the link delivers it: a cover open, an empty feeder.
type engineRefusal link.EngineCode

func (e engineRefusal) Scan(context.Context, scan.Options) (scan.Source, error) {
	return nil, &link.EngineError{Code: link.EngineCode(e), Text: "simulated"}
}

// errorRig is a device with a real identity provider, mail server and
// scanner simulator, served on a real local API socket.
type errorRig struct {
	idp     *idptest.Server
	mail    *smtptest.Server
	store   *device.Store
	dev     *device.Device
	scanner *switchScanner
	c       *localclient.Client
	sock    string
	idpURL  string
}

func newErrorRig(t *testing.T) *errorRig {
	t.Helper()
	r := &errorRig{
		scanner: &switchScanner{s: &scansim.Scanner{}},
	}
	ca, err := smtptest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	ms, err := mstest.Start(mstest.Options{
		IdP:  idptest.Options{Interval: 1, IgnoreInterval: true, ClientID: testClientID},
		SMTP: smtptest.Options{CA: ca},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ms.Close)
	r.idp, r.idpURL, r.mail = ms.IdP, ms.IdPURL, ms.SMTP

	dir := t.TempDir()
	r.store, err = device.OpenStore(filepath.Join(dir, "scanmail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.store.Close() })
	r.dev, err = device.New(device.Config{Store: r.store, Scanner: r.scanner, SpoolDir: filepath.Join(dir, "spool"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.dev.Close() })

	r.c = serveDevice(t, r.dev, dir)
	r.sock = r.c.Socket
	for _, kv := range ms.Settings() {
		r.set(t, map[string]string{kv[0]: kv[1]})
	}
	return r
}

func (r *errorRig) set(t *testing.T, kv map[string]string) {
	t.Helper()
	for k, v := range kv {
		if _, err := r.c.SetConfig(context.Background(), k, v); err != nil {
			t.Fatalf("config %s: %v", k, err)
		}
	}
}

// raw calls the socket as any HTTP client would, with what the local API
// refuses before it reaches the device.
func (r *errorRig) raw(t *testing.T, method, path string, header http.Header) error {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", r.sock)
	}}}
	req, err := http.NewRequest(method, "http://local-scanmaild.sock"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body apitype.Error
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("%s %s: %d, body: %v", method, path, res.StatusCode, err)
	}
	return &localclient.Error{Status: res.StatusCode, Message: body.Error, Hint: body.Hint, Code: body.Code, Key: body.Key}
}

// scanJob runs a scan to its end and gives why the job is not sent, as
// a front end sees it in the job.
func (r *errorRig) scanJob(t *testing.T, pages int) error {
	t.Helper()
	job, err := r.c.Scan(context.Background(), apitype.ScanRequest{To: []string{"alice@fabrikam.example"}, Pages: pages}, nil)
	if err != nil {
		return err
	}
	return localclient.JobError(job)
}

// TestErrorCodes provokes every error code through the real socket and
// checks its code, HTTP status (0: it ends a job, whose stream began with
// 200, and travels in the job), the localclient helper, the setting key,
// and that the words name no command and no setting key.
func TestErrorCodes(t *testing.T) {
	r := newErrorRig(t)
	ctx := context.Background()
	to := []string{"alice@fabrikam.example"}
	scanTo := func(to ...string) error {
		_, err := r.c.Scan(ctx, apitype.ScanRequest{To: to, Pages: 1}, nil)
		return err
	}
	var sentJob uint64
	var hungJob apitype.Job
	hung := make(chan error, 1)

	// In order: each step leaves the device as the next expects.
	steps := []struct {
		code   apitype.ErrorCode
		status int
		key    string
		run    func(t *testing.T) error
	}{
		{apitype.CodeInvalidRequest, http.StatusBadRequest, "", func(t *testing.T) error {
			_, err := r.c.Jobs(ctx, 0)
			return err
		}},
		{apitype.CodeUnknownCall, http.StatusNotFound, "", func(t *testing.T) error {
			return r.raw(t, http.MethodGet, apitype.PathPrefix+"nothing", nil)
		}},
		{apitype.CodeWrongMethod, http.StatusMethodNotAllowed, "", func(t *testing.T) error {
			return r.raw(t, http.MethodDelete, apitype.PathPrefix+"status", nil)
		}},
		{apitype.CodeForbidden, http.StatusForbidden, "", func(t *testing.T) error {
			return r.raw(t, http.MethodGet, apitype.PathPrefix+"status", http.Header{"Origin": {"http://evil.example"}})
		}},
		{apitype.CodeInvalidSetting, http.StatusUnprocessableEntity, "custom.smtp_port", func(t *testing.T) error {
			_, err := r.c.SetConfig(ctx, "custom.smtp_port", "465")
			return err
		}},
		{apitype.CodeSignInNeeded, http.StatusConflict, "", func(t *testing.T) error {
			return scanTo(to...)
		}},
		{apitype.CodeSetupNeeded, http.StatusConflict, "client_id", func(t *testing.T) error {
			r.set(t, map[string]string{"client_id": ""})
			defer r.set(t, map[string]string{"client_id": testClientID})
			_, err := r.c.SignIn(ctx, apitype.SignInRequest{}, nil)
			return err
		}},
		{apitype.CodeSignInFailed, http.StatusBadGateway, "", func(t *testing.T) error {
			r.set(t, map[string]string{"client_id": "99999999-2222-3333-4444-555555555555"})
			defer r.set(t, map[string]string{"client_id": testClientID})
			_, err := r.c.SignIn(ctx, apitype.SignInRequest{}, nil)
			return err
		}},
		{apitype.CodeProviderUnavailable, http.StatusServiceUnavailable, "", func(t *testing.T) error {
			// Nothing listens there.
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ln.Close()
			r.set(t, map[string]string{"custom.device_auth_url": "http://" + ln.Addr().String() + "/devicecode"})
			defer r.set(t, map[string]string{"custom.device_auth_url": r.idpURL + "/organizations/oauth2/v2.0/devicecode"})
			_, err = r.c.SignIn(ctx, apitype.SignInRequest{}, nil)
			return err
		}},
		{apitype.CodeInvalidAddress, http.StatusBadRequest, "", func(t *testing.T) error {
			r.idp.AutoApprove(testUPN)
			if st, err := r.c.SignIn(ctx, apitype.SignInRequest{}, nil); err != nil || st.State != apitype.SignInDone {
				t.Fatalf("sign-in: %+v %v", st, err)
			}
			return scanTo("not an address")
		}},
		{apitype.CodeNoJob, http.StatusNotFound, "", func(t *testing.T) error {
			_, err := r.c.CancelJob(ctx, 999)
			return err
		}},
		{apitype.CodeNoEntry, http.StatusNotFound, "", func(t *testing.T) error {
			_, err := r.c.DeleteBookEntry(ctx, "999")
			return err
		}},
		{apitype.CodeBookConflict, http.StatusConflict, "", func(t *testing.T) error {
			e := apitype.BookEntry{Name: "Reception", Address: "reception@contoso.example"}
			if _, err := r.c.PutBookEntry(ctx, e); err != nil {
				t.Fatal(err)
			}
			e.Name = "Front desk"
			_, err := r.c.PutBookEntry(ctx, e)
			return err
		}},
		{apitype.CodeBookFull, http.StatusConflict, "", func(t *testing.T) error {
			// The book holds one entry (above); fill it to its 10,000.
			var csv bytes.Buffer
			csv.WriteString("name,address\n")
			for i := range 9999 {
				fmt.Fprintf(&csv, "Person %d,p%d@contoso.example\n", i, i)
			}
			if rep, err := r.c.ImportBook(ctx, csv.Bytes(), false); err != nil || rep.Added != 9999 {
				t.Fatalf("import: %+v, %v", rep, err)
			}
			_, err := r.c.PutBookEntry(ctx, apitype.BookEntry{Name: "One more", Address: "more@contoso.example"})
			return err
		}},
		{apitype.CodeUPNMismatch, http.StatusConflict, "", func(t *testing.T) error {
			r.set(t, map[string]string{"device_address": "frontdesk@contoso.example"})
			defer r.set(t, map[string]string{"device_address": testUPN})
			return scanTo(to...)
		}},
		{apitype.CodeJobState, http.StatusConflict, "", func(t *testing.T) error {
			job, err := r.c.Scan(ctx, apitype.ScanRequest{To: to, Pages: 1}, nil)
			if err != nil || job.State != apitype.JobSent {
				t.Fatalf("scan: %+v %v", job, err)
			}
			sentJob = job.ID
			_, err = r.c.CancelJob(ctx, sentJob)
			return err
		}},
		{apitype.CodeDocumentGone, http.StatusGone, "", func(t *testing.T) error {
			_, err := r.c.ResendJob(ctx, sentJob)
			return err
		}},
		{apitype.CodeProviderRefused, 0, "", func(t *testing.T) error {
			r.mail.FailNext("mail", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 60}, Message: "SMTP; Client does not have permissions to send as this sender"})
			return r.scanJob(t, 1)
		}},
		{apitype.CodeProviderUnavailable, 0, "", func(t *testing.T) error {
			// The job waits for a retry, its document in the spool.
			r.mail.FailNext("mail", &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service not available"})
			return r.scanJob(t, 2)
		}},
		{apitype.CodeSpoolFull, http.StatusInsufficientStorage, "", func(t *testing.T) error {
			r.set(t, map[string]string{"spool.max_mb": "1"})
			defer r.set(t, map[string]string{"spool.max_mb": "0"})
			return scanTo(to...)
		}},
		{apitype.CodeTooLarge, 0, "", func(t *testing.T) error {
			r.set(t, map[string]string{"limits.max_message_mb": "1", "limits.oversize": "refuse"})
			defer r.set(t, map[string]string{"limits.max_message_mb": "0", "limits.oversize": "split"})
			return r.scanJob(t, 3)
		}},
		{apitype.CodeScannerJam, 0, "", func(t *testing.T) error {
			r.scanner.set(&scansim.Simulator{JamAtPage: 1})
			return r.scanJob(t, 1)
		}},
		{apitype.CodeScannerCoverOpen, 0, "", func(t *testing.T) error {
			r.scanner.set(engineRefusal(link.CodeCoverOpen))
			return r.scanJob(t, 1)
		}},
		{apitype.CodeScannerFeederEmpty, 0, "", func(t *testing.T) error {
			r.scanner.set(engineRefusal(link.CodeFeederEmpty))
			return r.scanJob(t, 1)
		}},
		{apitype.CodeScannerFailed, 0, "", func(t *testing.T) error {
			r.scanner.set(engineRefusal(link.CodeEngineFault))
			return r.scanJob(t, 1)
		}},
		{apitype.CodeBusy, http.StatusConflict, "", func(t *testing.T) error {
			// A scan that hangs holds the scanner until it is canceled.
			r.scanner.set(&scansim.Simulator{HangAtPage: 1})
			started := make(chan uint64, 1)
			go func() {
				var once sync.Once
				job, err := r.c.Scan(ctx, apitype.ScanRequest{To: to, Pages: 1}, func(ev apitype.JobEvent) {
					if ev.Job.State == apitype.JobScanning {
						once.Do(func() { started <- ev.Job.ID })
					}
				})
				hungJob = job
				hung <- err
			}()
			id := <-started
			err := scanTo(to...)
			if _, cerr := r.c.CancelJob(ctx, id); cerr != nil {
				t.Fatalf("cancel the hung scan: %v", cerr)
			}
			return err
		}},
		{apitype.CodeCanceled, 0, "", func(t *testing.T) error {
			if err := <-hung; err != nil {
				t.Fatal(err)
			}
			return localclient.JobError(hungJob)
		}},
		{apitype.CodePINNotSet, http.StatusConflict, "", func(t *testing.T) error {
			_, err := r.c.CheckPIN(ctx, "1234")
			return err
		}},
		{apitype.CodePINWrong, http.StatusForbidden, "", func(t *testing.T) error {
			if _, err := r.c.SetPIN(ctx, "", "1234"); err != nil {
				t.Fatal(err)
			}
			_, err := r.c.CheckPIN(ctx, "4321")
			return err
		}},
		{apitype.CodePINLocked, http.StatusTooManyRequests, "", func(t *testing.T) error {
			for range 2 {
				if _, err := r.c.CheckPIN(ctx, "4321"); localclient.ErrorCode(err) != apitype.CodePINWrong {
					t.Fatalf("a wrong PIN: %v", err)
				}
			}
			_, err := r.c.CheckPIN(ctx, "1234")
			if le, ok := errors.AsType[*localclient.Error](err); !ok || !le.RetryAt.After(time.Now()) {
				t.Errorf("locked: %#v, want the time of the next try", err)
			}
			return err
		}},
		{apitype.CodeNoQuickSet, http.StatusNotFound, "", func(t *testing.T) error {
			_, err := r.c.DeleteQuickSet(ctx, "999")
			return err
		}},
		{apitype.CodeExternalRecipient, http.StatusUnprocessableEntity, "", func(t *testing.T) error {
			r.set(t, map[string]string{"road": apitype.RoadDirect})
			defer r.set(t, map[string]string{"road": apitype.RoadOAuth})
			return scanTo(to...)
		}},
		{apitype.CodeRelayCertInvalid, http.StatusUnprocessableEntity, "", func(t *testing.T) error {
			_, err := r.c.InstallRelayCert(ctx, apitype.RelayCertInstall{Cert: "not a certificate", Key: "nor a key"})
			return err
		}},
		{apitype.CodeShuttingDown, http.StatusServiceUnavailable, "", func(t *testing.T) error {
			r.dev.Close()
			return scanTo(to...)
		}},
		{apitype.CodeInternal, http.StatusInternalServerError, "", func(t *testing.T) error {
			r.store.Close() // the state file gone from under the daemon
			_, err := r.c.Status(ctx)
			return err
		}},
	}

	// The helpers say yes to their code only.
	helpers := map[apitype.ErrorCode]func(error) bool{
		apitype.CodeBusy:         localclient.IsBusy,
		apitype.CodeNoJob:        localclient.IsNoJob,
		apitype.CodeSignInNeeded: localclient.IsSignInNeeded,
		apitype.CodeShuttingDown: localclient.IsShuttingDown,
	}
	// Words for any front end: no command, no setting key.
	keys := []string{}
	cfg, err := r.c.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range cfg.Settings {
		if strings.ContainsAny(s.Key, "._") { // "provider" and "tenant" are words too
			keys = append(keys, s.Key)
		}
	}
	command := regexp.MustCompile("scanmaild [a-z]|`")

	seen := map[apitype.ErrorCode]bool{}
	for _, st := range steps {
		seen[st.code] = true
		err := st.run(t)
		le, ok := errors.AsType[*localclient.Error](err)
		if !ok {
			t.Errorf("%s: got %v (%T), want a *localclient.Error", st.code, err, err)
			continue
		}
		if got := localclient.ErrorCode(err); got != st.code || le.Status != st.status || le.Key != st.key {
			t.Errorf("%s: got code %q status %d key %q (%q), want code %q status %d key %q", st.code, got, le.Status, le.Key, le.Message, st.code, st.status, st.key)
		}
		for code, is := range helpers {
			if is(err) != (code == st.code) {
				t.Errorf("%s: the helper for %s says %v", st.code, code, is(err))
			}
		}
		if le.Message == "" {
			t.Errorf("%s: no words", st.code)
		}
		words := le.Message + " / " + le.Hint
		if command.MatchString(words) {
			t.Errorf("%s: the words name a command: %s", st.code, words)
		}
		for _, k := range keys {
			if strings.Contains(words, k) {
				t.Errorf("%s: the words name the setting key %s: %s", st.code, k, words)
			}
		}
	}
	if len(seen) != 34 {
		t.Errorf("%d codes provoked, want all 34", len(seen))
	}
}
