package device

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"scanmail/device/apitype"
)

// StartSignIn begins a device-code sign-in and returns once the code is
// there to show. The wait for the person to sign in runs in the background,
// and outlives ctx; SignIn reports its progress. A sign-in already waiting
// is returned as it is, so the panel and the web page show the same code.
//
// A sign-in as another account than the device address ends failed and
// changes nothing, unless req.ReplaceAccount says to replace the account;
// joining a waiting sign-in with it applies it to that sign-in.
func (d *Device) StartSignIn(ctx context.Context, req apitype.SignInRequest) (apitype.SignIn, error) {
	d.mu.Lock()
	if d.signIn.State == apitype.SignInWaiting {
		cur := d.signIn
		d.signInReplace = d.signInReplace || req.ReplaceAccount
		d.mu.Unlock()
		return cur, nil
	}
	d.mu.Unlock()

	s, err := d.store.Settings()
	if err != nil {
		return apitype.SignIn{}, err
	}
	p, err := s.ResolveProvider()
	if err != nil {
		return apitype.SignIn{}, &Error{Summary: "The mail provider is not set up", Hint: "Fix the mail provider settings.", Err: err, Code: apitype.CodeSetupNeeded}
	}
	if err := roadTaken(p, apitype.RoadOAuth); err != nil {
		return apitype.SignIn{}, err // Gmail: there is nothing to sign in to
	}
	if s.ClientID == "" {
		return apitype.SignIn{}, &Error{
			Summary: "No app registration is configured",
			Hint:    "Enter the Application (client) ID of the app registration in the mail provider settings.",
			Code:    apitype.CodeSetupNeeded,
			Key:     "client_id",
		}
	}
	client, err := httpClient(p)
	if err != nil {
		return apitype.SignIn{}, err
	}
	conf := oauthConfig(s, p)
	da, err := conf.DeviceAuth(context.WithValue(ctx, oauth2.HTTPClient, client))
	if err != nil {
		err = oauthError(err)
		d.setSignIn(failed(err))
		return apitype.SignIn{}, err
	}
	if err := checkDeviceAuth(da); err != nil {
		d.log.Warn("sign-in refused", "err", err)
		d.setSignIn(failed(err))
		return apitype.SignIn{}, err
	}
	boundDeviceAuth(da, time.Now())
	waiting := apitype.SignIn{
		State:                   apitype.SignInWaiting,
		VerificationURI:         da.VerificationURI,
		VerificationURIComplete: da.VerificationURIComplete,
		UserCode:                da.UserCode,
		ExpiresAt:               da.Expiry,
	}

	d.mu.Lock()
	if d.signIn.State == apitype.SignInWaiting {
		// Another caller started one meanwhile; show theirs.
		cur := d.signIn
		d.signInReplace = d.signInReplace || req.ReplaceAccount
		d.mu.Unlock()
		return cur, nil
	}
	if d.closed {
		d.mu.Unlock()
		return apitype.SignIn{}, ErrClosed
	}
	d.wg.Add(1)
	pollCtx, stop := context.WithCancel(d.ctx)
	d.signInStop = stop
	d.signInReplace = req.ReplaceAccount
	d.signInGen++
	gen := d.signInGen
	d.mu.Unlock()
	d.setSignIn(waiting)
	d.log.Info("sign-in started", "verification_uri", da.VerificationURI, "expires", da.Expiry)

	go func() {
		defer d.wg.Done()
		defer stop()
		defer func() {
			// Whatever a server answers, the daemon keeps running.
			if p := recover(); p != nil {
				d.log.Error("sign-in stopped by a panic", "panic", p, "stack", string(debug.Stack()))
				d.setSignInOf(gen, failed(&Error{
					Summary: "The sign-in stopped on an unexpected answer of the sign-in service",
					Hint:    "Start sign-in again. If it happens again, report it with the device's log.",
					Err:     fmt.Errorf("panic: %v", p),
					Code:    apitype.CodeSignInFailed,
				}))
			}
		}()
		pollCtx = context.WithValue(pollCtx, oauth2.HTTPClient, client)
		d.setSignInOf(gen, d.finishSignIn(pollCtx, s, p, conf, da))
	}()
	return waiting, nil
}

// Bounds of what the sign-in service says about its code (RFC 8628 §3.2).
// x/oauth2 hands the interval to time.NewTicker, which panics on zero or
// less, and an expires_in of years would keep a code, and the sign-in
// waiting on it, open for as long.
const (
	defaultPollInterval = 5 // seconds, when the service gives none (RFC 8628 §3.2)
	minPollInterval     = 1
	maxPollInterval     = 60
	defaultCodeLifetime = 15 * time.Minute // Microsoft's
	maxCodeLifetime     = 30 * time.Minute
)

// boundDeviceAuth keeps the polling interval and the code's lifetime of a
// devicecode answer within bounds. now is when the answer arrived, by the
// clock x/oauth2 computed its Expiry with.
func boundDeviceAuth(da *oauth2.DeviceAuthResponse, now time.Time) {
	switch {
	case da.Interval == 0:
		da.Interval = defaultPollInterval
	case da.Interval < minPollInterval:
		da.Interval = minPollInterval
	case da.Interval > maxPollInterval:
		da.Interval = maxPollInterval
	}
	switch life := da.Expiry.Sub(now); {
	case da.Expiry.IsZero() || life <= 0:
		// None, or already over: a broken answer. Poll for as long as
		// Microsoft's codes live; the service says when it is expired.
		da.Expiry = now.Add(defaultCodeLifetime)
	case life > maxCodeLifetime:
		da.Expiry = now.Add(maxCodeLifetime)
	}
}

// maxUserCode bounds the code a person types: Microsoft's are nine
// characters, RFC 8628 §6.1 wants them short.
const maxUserCode = 32

// checkDeviceAuth refuses a devicecode answer whose code or address the
// device would show the admin (panel, web page, log) while they are not
// what they claim: text with control characters or of any length can
// rewrite a terminal or a page, and a verification address that is not
// https could send the admin's password to anyone. A complete address
// that fails the same checks is dropped; the plain one still works.
func checkDeviceAuth(da *oauth2.DeviceAuthResponse) error {
	refused := func(format string, args ...any) error {
		return &Error{
			Summary: "The sign-in service's answer cannot be shown",
			Hint:    "Check the provider settings: the device authorization URL must be the provider's.",
			Err:     fmt.Errorf(format, args...),
			Code:    apitype.CodeSignInFailed,
		}
	}
	if da.UserCode == "" || len(da.UserCode) > maxUserCode || !plainASCII(da.UserCode) {
		return refused("user code %q is not a short code of printable characters", printable(da.UserCode, maxUserCode))
	}
	if err := checkVerificationURI(da.VerificationURI); err != nil {
		return refused("verification_uri: %w", err)
	}
	if checkVerificationURI(da.VerificationURIComplete) != nil {
		da.VerificationURIComplete = ""
	}
	return nil
}

func checkVerificationURI(raw string) error {
	if len(raw) > 512 || !plainASCII(raw) {
		return fmt.Errorf("%q is not a printable address", printable(raw, 80))
	}
	return checkEndpointURL(raw)
}

// plainASCII reports whether s is printable ASCII without spaces.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// CancelSignIn stops a waiting sign-in.
func (d *Device) CancelSignIn() {
	d.mu.Lock()
	stop := d.signInStop
	d.signInStop = nil
	waiting := d.signIn.State == apitype.SignInWaiting
	if waiting {
		// Canceled now, not when its goroutine notices: a sign-in
		// started right after (a new code) must not join this one.
		d.signInGen++
		d.setSignInLocked(apitype.SignIn{State: apitype.SignInCanceled})
	}
	d.mu.Unlock()
	if stop != nil {
		stop() // its goroutine logs the cancel
	}
}

// SignIn is the current sign-in's progress and a channel closed at its next
// change.
func (d *Device) SignIn() (apitype.SignIn, <-chan struct{}) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.signIn, d.signInWatch
}

func (d *Device) setSignIn(s apitype.SignIn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.setSignInLocked(s)
}

// setSignInOf is setSignIn for the sign-in numbered gen: nothing once
// another has begun or it was canceled.
func (d *Device) setSignInOf(gen uint64, s apitype.SignIn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if gen == d.signInGen {
		d.setSignInLocked(s)
	}
}

// setSignInLocked is setSignIn with d.mu held.
func (d *Device) setSignInLocked(s apitype.SignIn) {
	d.signIn = s
	close(d.signInWatch)
	d.signInWatch = make(chan struct{})
	d.publish(apitype.Notify{Kind: apitype.NotifySignIn, SignIn: &s})
	d.statusChanged()
}

func failed(err error) apitype.SignIn {
	s := apitype.SignIn{State: apitype.SignInFailed}
	s.Error, s.Hint = Explain(err)
	s.ErrorCode = CodeOf(err)
	return s
}

// finishSignIn polls until the person signs in, then stores the account.
func (d *Device) finishSignIn(ctx context.Context, s Settings, p Provider, conf *oauth2.Config, da *oauth2.DeviceAuthResponse) apitype.SignIn {
	tok, err := d.pollToken(ctx, conf, da)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		err = &Error{Summary: "The sign-in code expired before anyone signed in", Hint: "Start sign-in again and enter the code before it expires.", Err: err, Code: apitype.CodeSignInFailed}
	case errors.Is(err, context.Canceled):
		d.log.Info("sign-in canceled")
		return apitype.SignIn{State: apitype.SignInCanceled}
	}
	if err != nil {
		d.log.Warn("sign-in failed", "err", err)
		return failed(err)
	}
	tenant, domain := p.Tenant(s.Tenant), ""
	if domainTenant(tenant) {
		domain = tenant
	}
	want := idTokenWant{clientID: s.ClientID, tokenURL: conf.Endpoint.TokenURL, tenant: tenant}
	if domain != "" {
		if want.knownTID, err = d.store.TenantID(domain); err != nil {
			return failed(err)
		}
	}
	idToken, _ := tok.Extra("id_token").(string)
	who, err := readIDToken(idToken, want)
	if err != nil {
		d.log.Warn("sign-in failed", "err", err)
		return failed(err)
	}
	upn := who.upn
	if refused := d.otherAccount(upn); refused != nil {
		return *refused
	}
	now := d.now()
	ep := endpointsOf(s, p)
	acct := Account{
		UPN:         upn,
		Provider:    s.Provider,
		Tenant:      s.Tenant,
		ClientID:    s.ClientID,
		TenantID:    who.tenantID,
		Endpoints:   &ep,
		Token:       tok,
		SignedInAt:  now,
		LastRefresh: now,
	}
	d.tokenMu.Lock()
	err = d.store.SaveSignIn(acct, domain)
	d.tokenMu.Unlock()
	if err != nil {
		d.log.Error("sign-in not stored", "err", err)
		return failed(err)
	}
	if s.DeviceAddress != "" && s.DeviceAddress != upn {
		d.log.Info("device address set to the signed-in account", "was", s.DeviceAddress, "upn", upn)
	}
	d.log.Info("signed in", "upn", upn, "provider", p.ID)
	d.signedIn()
	d.kick() // jobs paused for a sign-in go now
	return apitype.SignIn{State: apitype.SignInDone, UPN: upn}
}

// otherAccount refuses a sign-in as upn when the device sends as another
// address and the request did not say to replace it: whoever enters the
// code within its lifetime would otherwise become the device's account.
// The tokens are dropped; nothing changes.
func (d *Device) otherAccount(upn string) *apitype.SignIn {
	s, err := d.store.Settings()
	if err != nil {
		st := failed(err)
		return &st
	}
	d.mu.Lock()
	replace := d.signInReplace
	d.mu.Unlock()
	if s.DeviceAddress == "" || strings.EqualFold(s.DeviceAddress, upn) || replace {
		return nil
	}
	d.log.Warn("sign-in as another account refused", "upn", upn, "device_address", s.DeviceAddress)
	st := failed(&Error{
		Summary: fmt.Sprintf("Signed in as %s, but the device's account is %s; nothing was changed", upn, s.DeviceAddress),
		Hint: fmt.Sprintf("The device still sends as %s. To make %s the device's account instead, sign in again and confirm that it replaces %s.",
			s.DeviceAddress, upn, s.DeviceAddress),
		Code: apitype.CodeUPNMismatch,
	})
	st.Replace = true
	return &st
}

// pollToken waits for the tokens. x/oauth2 polls and honours slow_down, but
// gives up on the first network error; a brief outage while the admin is
// signing in on a phone should not cost them the code, so it resumes the
// same device code after a pause.
func (d *Device) pollToken(ctx context.Context, conf *oauth2.Config, da *oauth2.DeviceAuthResponse) (*oauth2.Token, error) {
	ctx, cancel := context.WithDeadline(ctx, da.Expiry)
	defer cancel()
	for {
		tok, err := conf.DeviceAccessToken(ctx, da)
		if err == nil {
			return tok, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		err = oauthError(err)
		var e *Error
		if !errors.As(err, &e) || !e.Temporary {
			return nil, err
		}
		d.log.Warn("sign-in poll failed, trying again", "err", err)
		pause := time.Duration(da.Interval) * time.Second
		if pause <= 0 {
			pause = 5 * time.Second
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
	}
}
