// Package device is the appliance: its settings and state file, the
// device-code sign-in and its tokens, and scan-to-email jobs. The front
// panel, the web pages and the local API all drive a *Device.
package device

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"scanmail/device/apitype"
	"scanmail/mailer"
	"scanmail/scan"
)

// Scanner starts scan jobs: the simulator, or the scanner engine over its
// serial link or bus.
type Scanner interface {
	Scan(ctx context.Context, opts scan.Options) (scan.Source, error)
}

// Config is what a Device is built from.
type Config struct {
	Store    *Store
	Scanner  Scanner
	SpoolDir string // scanned documents wait here until sent
	Logger   *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits, for the sending limits; nil means a timer that ctx
	// cancels.
	Sleep func(ctx context.Context, d time.Duration) error
	// DefaultPages is how many pages a job asks the scanner for when the
	// request does not say: a simulator's feeder size. 0, for a real
	// scanner, means everything in the feeder.
	DefaultPages int
	// SMTPTimeout bounds each step of a submission (mailer.Config.Timeout);
	// 0 means the mailer's default of 60 s.
	SMTPTimeout time.Duration
	// ScannerTimeout is how long a scan waits for the scanner's next page
	// data before it fails the job; 0 means 2 minutes.
	ScannerTimeout time.Duration
	// Resolver looks up the MX endpoint for direct send and relay; nil
	// means net.DefaultResolver.
	Resolver mailer.Resolver
	// MorePagesTimeout is how long a flatbed job waits for the operator to
	// say whether another page follows before it ends the document with
	// the pages scanned and sends it; 0 means 2 minutes.
	MorePagesTimeout time.Duration
}

// Device is the scan-to-email appliance.
type Device struct {
	store    *Store
	scanner  Scanner
	spoolDir string
	log      *slog.Logger
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
	pages    int

	smtpTimeout      time.Duration
	resolver         mailer.Resolver
	scannerTimeout   time.Duration
	morePagesTimeout time.Duration

	throttle       *mailer.Throttle // under sendMu, as every send is
	throttleLimits mailer.Limits

	// ctx outlives requests: a sign-in or a job goes on when the
	// person who started it walks away. Close cancels it and waits for
	// the work counted in wg, which begin admits while open.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed bool // under mu

	tokenMu    sync.Mutex // one refresh at a time, so rotated tokens never race
	jobMu      sync.Mutex // one scanner, one job at a time
	sendMu     sync.Mutex // one SMTP connection at a time
	connTest   sync.Mutex // one connection test at a time; only TryLock
	outboxKick chan struct{}
	pruneKick  chan struct{}
	pings      loopPings // see Alive

	mu         sync.Mutex
	signIn     apitype.SignIn
	signInStop context.CancelFunc
	// signInGen numbers the sign-ins started: a sign-in's goroutine
	// reports its end only while it is still the current one, so that a
	// canceled sign-in's late end does not overwrite the next one's code.
	signInGen uint64
	// signInReplace is whether the waiting sign-in may replace the
	// device's account with another.
	signInReplace bool
	signInWatch   chan struct{} // closed and replaced on every change
	scan          *runningScan  // the scan in progress, if any

	claims diskClaims // room on the disk promised to writers under way
	hashes hashGuard  // one admin PIN or password check at a time

	watch watchers // Device.Watch
	// limitWait is when the message held for the sending limits may go;
	// nextKeepAlive is when the keep-alive refreshes the sign-in next.
	// Both under mu, for Status.
	limitWait     time.Time
	nextKeepAlive time.Time
	web           apitype.Web // SetWeb, under mu
	// keepAliveFails and sendFails count failures in a row, for the
	// alerts (alertcauses.go); under mu.
	keepAliveFails int
	sendFails      int
	// alertMails counts the alert mails under way (alertmail.go).
	alertMails sync.WaitGroup
}

// New makes a Device. Close it to stop its background work.
func New(cfg Config) (*Device, error) {
	if cfg.Store == nil || cfg.Scanner == nil || cfg.SpoolDir == "" {
		return nil, errors.New("device: Store, Scanner and SpoolDir are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.ScannerTimeout <= 0 {
		cfg.ScannerTimeout = defaultScannerTimeout
	}
	if cfg.MorePagesTimeout <= 0 {
		cfg.MorePagesTimeout = defaultMorePagesTimeout
	}
	if err := prepareSpool(cfg.SpoolDir); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Device{
		store:            cfg.Store,
		scanner:          cfg.Scanner,
		spoolDir:         cfg.SpoolDir,
		log:              cfg.Logger,
		now:              cfg.Now,
		sleep:            cfg.Sleep,
		pages:            cfg.DefaultPages,
		smtpTimeout:      cfg.SMTPTimeout,
		resolver:         cfg.Resolver,
		scannerTimeout:   cfg.ScannerTimeout,
		morePagesTimeout: cfg.MorePagesTimeout,
		ctx:              ctx,
		cancel:           cancel,
		signIn:           apitype.SignIn{State: apitype.SignInIdle},
		signInWatch:      make(chan struct{}),
		outboxKick:       make(chan struct{}, 1),
		pruneKick:        make(chan struct{}, 1),
		pings:            newLoopPings(),
		hashes:           newHashGuard(),
	}
	cfg.Store.corrupt.setLogger(cfg.Logger)
	jobStored := d.jobStored
	cfg.Store.jobStored.Store(&jobStored)
	if err := d.resume(); err != nil {
		cancel()
		return nil, fmt.Errorf("resuming jobs: %w", err)
	}
	if err := d.bindLegacySignIn(); err != nil {
		cancel()
		return nil, fmt.Errorf("recording the sign-in's endpoints: %w", err)
	}
	d.wg.Add(3)
	go func() {
		defer d.wg.Done()
		d.runPrune(d.ctx)
	}()
	go func() {
		defer d.wg.Done()
		d.runKeepAlive(d.ctx, d.pings.keepAlive.sleep)
	}()
	go func() {
		defer d.wg.Done()
		d.runOutbox(d.ctx)
	}()
	return d, nil
}

// ErrClosed means the device is shutting down.
var ErrClosed = errors.New("the device is shutting down")

// Close stops a running sign-in or job and waits for them to end, so that
// nothing touches the store after Close returns.
func (d *Device) Close() error {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
	return nil
}

// begin counts a piece of work that Close must wait for; call the returned
// func when it ends.
func (d *Device) begin() (end func(), err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	d.wg.Add(1)
	return d.wg.Done, nil
}

// Status is the device at a glance, for the panel, the web page and
// the status command.
func (d *Device) Status() (apitype.Status, error) {
	s, err := d.store.Settings()
	if err != nil {
		return apitype.Status{}, err
	}
	st := apitype.Status{
		Provider:      s.Provider,
		DeviceAddress: s.DeviceAddress,
		StateFile:     d.store.Path(),
	}
	d.mu.Lock()
	st.SignIn = d.signIn
	st.LimitWait = d.limitWait
	st.Web = d.web
	nextKeepAlive := d.nextKeepAlive
	d.mu.Unlock()
	st.Scanner, st.ScannerProblem = d.scannerPresence()
	if ls, ok := d.linkStats(); ok {
		st.ScannerLink = linkQuality(ls)
	}

	if p, err := s.providerFor(s.road()); err == nil {
		st.ProviderName = p.Name
	}
	ri := roadStatus(s)
	st.Road, st.RoadName, st.SMTPServer, st.RoadWarning = ri.road, ri.name, ri.server, ri.warning
	acct, ok, err := d.store.Account()
	if err != nil {
		return apitype.Status{}, err
	}
	if ok {
		st.Account = &apitype.Account{
			UPN:         acct.UPN,
			Provider:    acct.Provider,
			SignedInAt:  acct.SignedInAt,
			TokenExpiry: acct.Token.Expiry,
			LastRefresh: acct.LastRefresh,
		}
		if acct.Ended == nil {
			st.Account.NextKeepAlive = keepAliveDue(acct, nextKeepAlive, d.now())
		}
	}
	if _, err := d.readyToSend(s, acct, ok); err != nil {
		st.Problem, st.Hint = Explain(err)
		st.ProblemCode = CodeOf(err)
		if ok && errors.Is(err, ErrSignInNeeded) {
			st.Account.SignInNeeded = true
		}
	} else {
		st.Ready = true
	}
	if jobs, err := d.Jobs(1); err == nil && len(jobs) > 0 {
		st.LastJob = &jobs[0]
	}
	if jobs, err := d.store.Unfinished(); err == nil {
		for _, j := range jobs {
			if j.State != apitype.JobScanning {
				st.Waiting++
			}
		}
	}
	if st.Alerts, err = d.alerts(); err != nil {
		return apitype.Status{}, err
	}
	st.CorruptJobs = d.store.CorruptJobs()
	st.Spool.Bytes, st.Spool.Documents = spoolUsage(d.spoolDir)
	st.Spool.MaxBytes = s.Spool.spoolMax()
	return st, nil
}

// readyToSend checks, without touching the network, that the device can
// send by the road the settings choose (readyBy).
func (d *Device) readyToSend(s Settings, acct Account, signedIn bool) (Provider, error) {
	return d.readyBy(s, s.road(), acct, signedIn)
}

// oauthReady checks, without touching the network, that the device can
// send signed in: a valid provider that takes sign-in, a sign-in for it,
// and the UPN rule.
func (d *Device) oauthReady(s Settings, acct Account, signedIn bool) (Provider, error) {
	p, err := d.signInUsable(s, acct, signedIn)
	if err != nil {
		return p, err
	}
	return p, checkUPNRule(s.DeviceAddress, acct.UPN)
}

// signInUsable checks that the stored sign-in is for the provider
// configured and was not ended by the provider.
func (d *Device) signInUsable(s Settings, acct Account, signedIn bool) (Provider, error) {
	p, err := s.ResolveProvider()
	if err != nil {
		return p, &Error{Summary: "The mail provider is not set up", Hint: "Fix the mail provider settings.", Err: err, Code: apitype.CodeSetupNeeded}
	}
	if err := roadTaken(p, apitype.RoadOAuth); err != nil {
		return p, err
	}
	if !signedIn {
		return p, &Error{
			Summary: "Not signed in",
			Hint:    "An admin signs the device in once.",
			Err:     ErrSignInNeeded,
		}
	}
	if e := acct.Ended; e != nil {
		return p, &Error{Summary: e.Summary, Hint: e.Hint, Err: fmt.Errorf("%w: %s", ErrSignInNeeded, e.Detail)}
	}
	if acct.Provider != s.Provider || acct.ClientID != s.ClientID || acct.Tenant != s.Tenant {
		return p, &Error{
			Summary: "The provider settings changed since the last sign-in",
			Hint:    "Sign in again so the device holds tokens for the provider now configured.",
			Err:     ErrSignInNeeded,
		}
	}
	if acct.Endpoints == nil {
		// Stored by an older version while the provider settings did not
		// resolve (see bindLegacySignIn): where it was meant to go is not
		// known.
		return p, &Error{
			Summary: "The sign-in does not record which servers it was made for",
			Hint:    "Sign in again.",
			Err:     ErrSignInNeeded,
		}
	}
	if what := acct.Endpoints.changes(endpointsOf(s, p)); len(what) > 0 {
		return p, &Error{
			Summary: "The sign-in settings changed since the last sign-in: " + strings.Join(what, ", "),
			Hint:    "The device sends its tokens only to the servers they were signed in for. Sign in again to use the servers now configured.",
			Err:     ErrSignInNeeded,
		}
	}
	return p, nil
}

// bindLegacySignIn ties an account stored before sign-ins were tied to
// their endpoints to the settings in force when this daemon first opens
// the state file, so that an upgrade does not cost the sign-in and later
// changes are noticed. Settings changed before the upgrade cannot be told
// from the ones signed in with.
func (d *Device) bindLegacySignIn() error {
	s, err := d.store.Settings()
	if err != nil {
		return err
	}
	acct, ok, err := d.store.Account()
	if err != nil || !ok || acct.Endpoints != nil {
		return err
	}
	p, err := s.ResolveProvider()
	if err != nil {
		return nil // unusable anyway; a sign-in after the fix records them
	}
	d.log.Info("sign-in tied to the endpoints now configured", "upn", acct.UPN)
	return d.store.BindEndpoints(acct.UPN, endpointsOf(s, p))
}

// ErrAddressMismatch means the device address is not the signed-in UPN.
var ErrAddressMismatch = errors.New("device address differs from the signed-in account")

// checkUPNRule enforces that the device sends only as the account it signed
// in with: Exchange Online refuses anything else (5.7.60), after the scan
// has been made, so the device refuses first and says why.
func checkUPNRule(address, upn string) error {
	if strings.EqualFold(address, upn) {
		return nil
	}
	return &Error{
		Summary: fmt.Sprintf("The device address %q is not the signed-in account %q", address, upn),
		Hint:    fmt.Sprintf("The device sends as the account it signed in with. Set the device address to %s, or sign in as %s.", upn, address),
		Err:     ErrAddressMismatch,
	}
}

// Config lists every setting.
func (d *Device) Config() (apitype.Config, error) {
	s, err := d.store.Settings()
	if err != nil {
		return apitype.Config{}, err
	}
	return d.config(s)
}

// SetConfig changes one setting.
func (d *Device) SetConfig(key, value string) (apitype.Config, error) {
	return d.SetConfigs([]apitype.SettingValue{{Key: key, Value: value}})
}

// SetConfigs changes several settings in one transaction, in the order
// given: when one value is refused, none is changed, and the error's Key
// names the one refused.
func (d *Device) SetConfigs(kvs []apitype.SettingValue) (apitype.Config, error) {
	if len(kvs) == 0 {
		return apitype.Config{}, &Error{Summary: "No setting to change", Code: apitype.CodeInvalidRequest}
	}
	s, err := d.store.UpdateSettings(func(s *Settings) error { return s.setAll(kvs) })
	if err != nil {
		return apitype.Config{}, settingError(err)
	}
	for _, kv := range kvs {
		d.log.Info("setting changed", "key", kv.Key)
	}
	d.kick() // a fixed device address releases paused jobs
	d.publishSettings(s, kvs)
	return d.config(s)
}

// publishSettings tells the watchers of the settings changed, as config
// shows them (a secret one only as set).
func (d *Device) publishSettings(s Settings, kvs []apitype.SettingValue) {
	shown := map[string]string{}
	for _, kv := range s.Values() {
		shown[kv[0]] = kv[1]
	}
	help := SettingKeys()
	for _, kv := range kvs {
		d.publish(apitype.Notify{Kind: apitype.NotifySettings, Setting: &apitype.Setting{Key: kv.Key, Value: shown[kv.Key], Help: help[kv.Key]}})
	}
	d.statusChanged()
}

// settingError is a refused value in the device's words, the key apart.
func settingError(err error) error {
	var key string
	if ve, ok := errors.AsType[*valueError](err); ok {
		key, err = ve.key, ve.err
	}
	return &Error{Summary: "Setting not changed", Err: err, Code: apitype.CodeInvalidSetting, Key: key}
}

func (d *Device) config(s Settings) (apitype.Config, error) {
	help := SettingKeys()
	var c apitype.Config
	for _, kv := range s.Values() {
		c.Settings = append(c.Settings, apitype.Setting{Key: kv[0], Value: kv[1], Help: help[kv[0]]})
	}
	acct, ok, err := d.store.Account()
	if err != nil {
		return c, err
	}
	if ok {
		if err := checkUPNRule(s.DeviceAddress, acct.UPN); err != nil {
			c.Warning, _ = Explain(err)
		}
	}
	return c, nil
}

func spoolPath(dir string, id uint64) string {
	return filepath.Join(dir, fmt.Sprintf("job-%06d", id))
}

// SignOut forgets the signed-in account and its tokens.
func (d *Device) SignOut() error {
	d.CancelSignIn()
	d.tokenMu.Lock()
	defer d.tokenMu.Unlock()
	if err := d.store.DeleteAccount(); err != nil {
		return err
	}
	d.setSignIn(apitype.SignIn{State: apitype.SignInIdle})
	d.log.Info("signed out")
	return nil
}
