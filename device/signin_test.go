package device

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
)

// TestSignInRefused runs each way a sign-in can be refused and checks the
// admin is told that one, in words they can act on.
func TestSignInRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		script []string
		want   string // in the error
		hint   string // in the hint
	}{
		{"expired", []string{"expired_token"}, "code expired", "Start sign-in again"},
		{"declined", []string{"access_denied"}, "declined", "approve"},
		{"declined microsoft", []string{"authorization_declined"}, "declined", "approve"},
		{"conditional access", []string{"authorization_pending", idptest.ConditionalAccessBlocked}, "Conditional Access", "Exclude"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
			r.idp.ScriptPolls(tt.script...)
			st := r.signIn()
			if st.State != apitype.SignInFailed {
				t.Fatalf("state %s, want failed", st.State)
			}
			if !strings.Contains(st.Error, tt.want) || !strings.Contains(st.Hint, tt.hint) {
				t.Errorf("error %q hint %q; want %q and %q", st.Error, st.Hint, tt.want, tt.hint)
			}
			if _, ok, _ := r.store.Account(); ok {
				t.Error("an account was stored")
			}
		})
	}
}

// TestSignInAppRegistration covers the app registration's mistakes, which
// the device flow reports at its first request.
func TestSignInAppRegistration(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{RequireClientSecret: true, IgnoreInterval: true}})
	r.idp.AutoApprove(testUPN)
	st := r.signIn()
	if st.State != apitype.SignInFailed || !strings.Contains(st.Hint, "Allow public client flows") {
		t.Fatalf("got %+v, want the public-client fix", st)
	}

	r = newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.configure(map[string]string{"client_id": "not-the-registered-app"})
	_, err := r.dev.StartSignIn(context.Background())
	if summary, hint := Explain(err); !strings.Contains(summary, "does not know this app") || !strings.Contains(hint, "client_id") {
		t.Fatalf("got %q / %q, want the client_id fix", summary, hint)
	}
}

func TestSignInNeedsClientID(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	r.configure(map[string]string{"client_id": ""})
	_, err := r.dev.StartSignIn(context.Background())
	if _, hint := Explain(err); !strings.Contains(hint, "client_id") {
		t.Fatalf("err %v, want a hint to set client_id", err)
	}
}

// TestSignInJoin: the panel and the web page started sign-in at once; both
// show the same code.
func TestSignInJoin(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	a, err := r.dev.StartSignIn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.dev.StartSignIn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if a.UserCode == "" || a.UserCode != b.UserCode {
		t.Fatalf("codes %q and %q, want one", a.UserCode, b.UserCode)
	}
	r.dev.CancelSignIn()
	deadline := time.After(10 * time.Second)
	for {
		st, changed := r.dev.SignIn()
		if st.Done() {
			if st.State != apitype.SignInCanceled {
				t.Fatalf("state %s, want canceled", st.State)
			}
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatal("cancel did not end the sign-in")
		}
	}
}

// TestUPNFromIDToken: the UPN is preferred_username, else upn, never email.
func TestUPNFromIDToken(t *testing.T) {
	t.Parallel()
	tok := func(claims string) string {
		return "eyJhbGciOiJub25lIn0." + b64(claims) + ".sig"
	}
	tests := []struct {
		name, token, want, err string
	}{
		{"preferred_username", tok(`{"preferred_username":"a@contoso.example","upn":"b@contoso.example","email":"c@contoso.example"}`), "a@contoso.example", ""},
		{"upn", tok(`{"upn":"b@contoso.example","email":"c@contoso.example"}`), "b@contoso.example", ""},
		{"email only", tok(`{"email":"c@contoso.example"}`), "", "names no account"},
		{"other app", tok(`{"preferred_username":"a@contoso.example","aud":"someone-else"}`), "", "another application"},
		{"missing", "", "", "no id_token"},
		{"garbage", "abc", "", "not a JWT"},
		{"not an address", tok(`{"preferred_username":"Scanner Account"}`), "", "not a plain e-mail address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := upnFromIDToken(tt.token, testClientID)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	if err := r.dev.SignOut(); err != nil {
		t.Fatal(err)
	}
	_, err := r.dev.TokenSource(context.Background()).Token()
	if !errors.Is(err, ErrSignInNeeded) {
		t.Fatalf("after sign-out: %v, want ErrSignInNeeded", err)
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestSignInOddTiming: whatever interval and expires_in the sign-in service
// sends, the daemon does not panic (x/oauth2 gives the interval to
// time.NewTicker), and the code's lifetime shown and waited for is at most
// 30 minutes.
func TestSignInOddTiming(t *testing.T) {
	t.Parallel()
	const huge = 1 << 62
	tests := []struct {
		name   string
		answer idptest.DeviceCodeAnswer
	}{
		{"interval 0", idptest.DeviceCodeAnswer{Interval: 0, ExpiresIn: 900}},
		{"interval negative", idptest.DeviceCodeAnswer{Interval: -5, ExpiresIn: 900}},
		{"interval huge", idptest.DeviceCodeAnswer{Interval: huge, ExpiresIn: 900}},
		{"expires_in 0", idptest.DeviceCodeAnswer{Interval: 5, ExpiresIn: 0}},
		{"expires_in negative", idptest.DeviceCodeAnswer{Interval: 5, ExpiresIn: -900}},
		{"expires_in huge", idptest.DeviceCodeAnswer{Interval: 5, ExpiresIn: huge}},
		{"expires_in a year", idptest.DeviceCodeAnswer{Interval: 5, ExpiresIn: 365 * 24 * 3600}},
		{"both negative", idptest.DeviceCodeAnswer{Interval: -1, ExpiresIn: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
			r.idp.ScriptDeviceCode(tt.answer)
			start := time.Now()
			st, err := r.dev.StartSignIn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if life := st.ExpiresAt.Sub(start); life <= 0 || life > maxCodeLifetime+time.Minute {
				t.Errorf("code expires in %v, want within (0, %v]", life, maxCodeLifetime)
			}
			// The poller has started with the interval; a panic would
			// have ended the test binary.
			r.dev.CancelSignIn()
			if st := waitSignIn(t, r); st.State != apitype.SignInCanceled {
				t.Fatalf("sign-in %s (%s), want canceled", st.State, st.Error)
			}
		})
	}
}

// TestBoundDeviceAuth: the interval is kept within 1 to 60 s (none means
// RFC 8628's 5) and the code's lifetime within 30 minutes (none, or one
// already over, means Microsoft's 15).
func TestBoundDeviceAuth(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		interval     int64
		expiry       time.Time
		wantInterval int64
		wantLife     time.Duration
	}{
		{5, now.Add(15 * time.Minute), 5, 15 * time.Minute},
		{0, now.Add(time.Minute), 5, time.Minute},
		{-3, now.Add(time.Minute), 1, time.Minute},
		{1 << 40, now.Add(time.Minute), 60, time.Minute},
		{60, time.Time{}, 60, 15 * time.Minute},
		{5, now.Add(-time.Hour), 5, 15 * time.Minute},
		{5, now.AddDate(200, 0, 0), 5, 30 * time.Minute},
	}
	for _, tt := range tests {
		da := &oauth2.DeviceAuthResponse{Interval: tt.interval, Expiry: tt.expiry}
		boundDeviceAuth(da, now)
		if da.Interval != tt.wantInterval || da.Expiry.Sub(now) != tt.wantLife {
			t.Errorf("interval %d, expiry %v: got %d s and %v, want %d s and %v",
				tt.interval, tt.expiry, da.Interval, da.Expiry.Sub(now), tt.wantInterval, tt.wantLife)
		}
	}
}

// waitSignIn waits for the running sign-in to end.
func waitSignIn(t *testing.T, r *rig) apitype.SignIn {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		st, changed := r.dev.SignIn()
		if st.Done() {
			return st
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("sign-in still %s", st.State)
		}
	}
}
