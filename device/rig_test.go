package device

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/device/mstest"
	"scanmail/mailer"
	"scanmail/mailer/smtptest"
	"scanmail/scan/scansim"
)

const (
	testClientID = "11111111-2222-3333-4444-555555555555"
	testUPN      = "scanner@contoso.example"
)

// rig is a device wired to a real identity provider and a real SMTP server
// on loopback, both of which behave like Microsoft's.
type rig struct {
	t           *testing.T
	idp         *idptest.Server
	idpURL      string
	idpDown     atomic.Bool  // the identity provider drops every connection, as an unreachable one
	ca          *smtptest.CA // issues the mail servers' certificates; the device trusts it
	mail        *smtptest.Server
	dbPath      string
	store       *Store
	dev         *Device
	log         *syncBuffer // everything the device logged
	now         func() time.Time
	sleep       func(context.Context, time.Duration) error
	smtpTimeout time.Duration
	scanner     Scanner
	scanTimeout time.Duration
	moreTimeout time.Duration
	resolver    mailer.Resolver
}

type rigOptions struct {
	idp  idptest.Options
	smtp smtptest.Options
	now  func() time.Time // the device's clock; nil = time.Now
	// sleep replaces the device's waits; nil = real ones.
	sleep func(context.Context, time.Duration) error
	// smtpTimeout bounds each SMTP step, for a stalling server; 0 = the
	// mailer's default (60 s).
	smtpTimeout time.Duration
	// idpFront, if set, stands in front of the identity provider, as a
	// proxy or a network would.
	idpFront func(http.Handler) http.Handler
	// scanner is the device's scanner; nil = the in-process simulator.
	scanner Scanner
	// scanTimeout is how long a scan waits for page data; 0 = the
	// device's default (2 minutes).
	scanTimeout time.Duration
	// moreTimeout is how long a flatbed job waits for another page; 0 =
	// the device's default (2 minutes).
	moreTimeout time.Duration
	// resolver answers the device's MX lookups; nil = the system's.
	resolver mailer.Resolver
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	if o.idp.Interval == 0 {
		o.idp.Interval = 1
	}
	o.idp.ClientID = testClientID
	if o.scanner == nil {
		o.scanner = &scansim.Scanner{}
	}
	r := &rig{t: t, log: &syncBuffer{}, now: o.now, sleep: o.sleep, smtpTimeout: o.smtpTimeout, scanner: o.scanner, scanTimeout: o.scanTimeout, moreTimeout: o.moreTimeout, resolver: o.resolver}
	ca, err := smtptest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	r.ca, o.smtp.CA = ca, ca
	ms, err := mstest.Start(mstest.Options{IdP: o.idp, SMTP: o.smtp, Front: func(idp http.Handler) http.Handler {
		if o.idpFront != nil {
			idp = o.idpFront(idp)
		}
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if r.idpDown.Load() {
				if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
					c.Close()
				}
				return
			}
			idp.ServeHTTP(w, req)
		})
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ms.Close)
	r.idp, r.idpURL, r.mail = ms.IdP, ms.IdPURL, ms.SMTP

	r.dbPath = filepath.Join(t.TempDir(), "scanmail.db")
	r.open()
	for _, kv := range ms.Settings() {
		if _, err := r.dev.SetConfig(kv[0], kv[1]); err != nil {
			t.Fatalf("config %s: %v", kv[0], err)
		}
	}
	return r
}

// open opens the state file and makes a device on it.
func (r *rig) open() {
	r.t.Helper()
	st, err := OpenStore(r.dbPath)
	if err != nil {
		r.t.Fatal(err)
	}
	dev, err := New(Config{
		Store:            st,
		Scanner:          r.scanner,
		SpoolDir:         filepath.Join(filepath.Dir(r.dbPath), "spool"),
		Now:              r.now,
		Sleep:            r.sleep,
		SMTPTimeout:      r.smtpTimeout,
		ScannerTimeout:   r.scanTimeout,
		MorePagesTimeout: r.moreTimeout,
		Resolver:         r.resolver,
		Logger:           slog.New(slog.NewTextHandler(io.MultiWriter(testWriter{r.t}, r.log), &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		r.t.Fatal(err)
	}
	r.store, r.dev = st, dev
	r.t.Cleanup(r.close)
}

func (r *rig) close() {
	if r.dev != nil {
		r.dev.Close()
		r.store.Close()
		r.dev, r.store = nil, nil
	}
}

// reopen closes and opens the state file, as a restart does.
func (r *rig) reopen() {
	r.close()
	r.open()
}

func (r *rig) configure(kv map[string]string) {
	r.t.Helper()
	for k, v := range kv {
		if _, err := r.dev.SetConfig(k, v); err != nil {
			r.t.Fatalf("config %s: %v", k, err)
		}
	}
}

// signIn runs a sign-in to its end and returns the final state.
func (r *rig) signIn() apitype.SignIn {
	r.t.Helper()
	if _, err := r.dev.StartSignIn(context.Background(), apitype.SignInRequest{}); err != nil {
		r.t.Fatalf("StartSignIn: %v", err)
	}
	deadline := time.After(60 * time.Second)
	for {
		st, changed := r.dev.SignIn()
		if st.Done() {
			return st
		}
		select {
		case <-changed:
		case <-deadline:
			r.t.Fatalf("sign-in still %s after 60s", st.State)
		}
	}
}

// signedIn signs in as upn, approved at once.
func (r *rig) signedIn(upn string) {
	r.t.Helper()
	r.idp.AutoApprove(upn)
	if st := r.signIn(); st.State != apitype.SignInDone {
		r.t.Fatalf("sign-in: %+v", st)
	}
}

// noSecrets fails the test if the device logged any of its tokens.
func (r *rig) noSecrets() {
	r.t.Helper()
	acct, ok, err := r.store.Account()
	if err != nil || !ok {
		r.t.Fatalf("no account to check (%v)", err)
	}
	logged := r.log.String()
	for name, secret := range map[string]string{"access token": acct.Token.AccessToken, "refresh token": acct.Token.RefreshToken} {
		if secret == "" || strings.Contains(logged, secret) {
			r.t.Errorf("the %s is empty or in the log", name)
		}
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testWriter sends the device's log to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}
