package device

import (
	"context"
	"encoding/base64"
	"encoding/json"
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
	_, err := r.dev.StartSignIn(context.Background(), apitype.SignInRequest{})
	if summary, hint := Explain(err); !strings.Contains(summary, "does not know this app") || !strings.Contains(hint, "Application (client) ID") {
		t.Fatalf("got %q / %q, want the Application (client) ID fix", summary, hint)
	}
}

func TestSignInNeedsClientID(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	r.configure(map[string]string{"client_id": ""})
	_, err := r.dev.StartSignIn(context.Background(), apitype.SignInRequest{})
	if _, hint := Explain(err); !strings.Contains(hint, "Application (client) ID") {
		t.Fatalf("err %v, want a hint to set the Application (client) ID", err)
	}
}

// TestSignInJoin: the panel and the web page started sign-in at once; both
// show the same code.
func TestSignInJoin(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	a, err := r.dev.StartSignIn(context.Background(), apitype.SignInRequest{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.dev.StartSignIn(context.Background(), apitype.SignInRequest{})
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

// TestReadIDToken: the UPN is preferred_username, else upn, never email;
// the id_token must name the app (aud), come from the sign-in service
// (iss) and be of the tenant configured (tid), and a refusal names the
// check that failed.
func TestReadIDToken(t *testing.T) {
	t.Parallel()
	const (
		tid      = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
		otherTID = "11111111-bbbb-4ccc-8ddd-eeeeeeeeeeee"
		tokenURL = "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
	)
	iss := func(tid string) string { return "https://login.microsoftonline.com/" + tid + "/v2.0" }
	tok := func(change map[string]any) string {
		claims := map[string]any{"aud": testClientID, "iss": iss(tid), "tid": tid, "preferred_username": "a@contoso.example"}
		for k, v := range change {
			if v == nil {
				delete(claims, k)
			} else {
				claims[k] = v
			}
		}
		b, _ := json.Marshal(claims)
		return "eyJhbGciOiJub25lIn0." + b64(string(b)) + ".sig"
	}
	tests := []struct {
		name     string
		token    string
		tenant   string // "" means organizations
		knownTID string
		want     string // the UPN, or part of the error
	}{
		{"preferred_username", tok(map[string]any{"upn": "b@contoso.example", "email": "c@contoso.example"}), "", "", "a@contoso.example"},
		{"upn", tok(map[string]any{"preferred_username": nil, "upn": "b@contoso.example", "email": "c@contoso.example"}), "", "", "b@contoso.example"},
		{"email only", tok(map[string]any{"preferred_username": nil, "email": "c@contoso.example"}), "", "", "names no account"},
		{"not an address", tok(map[string]any{"preferred_username": "Scanner Account"}), "", "", "not a plain e-mail address"},
		{"missing", "", "", "", "no id_token"},
		{"garbage", "abc", "", "", "not a JWT"},

		{"no aud", tok(map[string]any{"aud": nil}), "", "", "no aud claim"},
		{"other app", tok(map[string]any{"aud": "someone-else"}), "", "", "issued for another application"},
		{"several audiences", tok(map[string]any{"aud": []string{testClientID, "someone-else"}}), "", "", "not the app alone"},
		{"no tid", tok(map[string]any{"tid": nil}), "", "", "no tid claim"},
		{"no iss", tok(map[string]any{"iss": nil}), "", "", "issuer"},
		{"iss of another service", tok(map[string]any{"iss": "https://login.example.net/" + tid + "/v2.0"}), "", "", "issuer"},
		{"iss of another tenant", tok(map[string]any{"iss": iss(otherTID)}), "", "", "issuer"},

		{"tenant ID", tok(nil), strings.ToUpper(tid), "", "a@contoso.example"},
		{"tenant ID, another tenant", tok(nil), otherTID, "", "not in the configured tenant " + otherTID},
		{"consumers", tok(map[string]any{"tid": consumersTenantID, "iss": iss(consumersTenantID)}), "consumers", "", "a@contoso.example"},
		{"consumers, work account", tok(nil), "consumers", "", "work or school account"},
		{"organizations, personal account", tok(map[string]any{"tid": consumersTenantID, "iss": iss(consumersTenantID)}), "organizations", "", "personal Microsoft account"},
		{"common, personal account", tok(map[string]any{"tid": consumersTenantID, "iss": iss(consumersTenantID)}), "common", "", "a@contoso.example"},
		{"domain, first sign-in", tok(nil), "contoso.onmicrosoft.com", "", "a@contoso.example"},
		{"domain, same tenant", tok(nil), "contoso.onmicrosoft.com", tid, "a@contoso.example"},
		{"domain, another tenant", tok(nil), "contoso.onmicrosoft.com", otherTID, "at its first sign-in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tenant := tt.tenant
			if tenant == "" {
				tenant = "organizations"
			}
			who, err := readIDToken(tt.token, idTokenWant{clientID: testClientID, tokenURL: tokenURL, tenant: tenant, knownTID: tt.knownTID})
			if !strings.Contains(tt.want, "@") {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil || who.upn != tt.want {
				t.Fatalf("got %q, %v; want %q", who.upn, err, tt.want)
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
			st, err := r.dev.StartSignIn(context.Background(), apitype.SignInRequest{})
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

// TestSignInAnotherAccount: once the device has an address, a sign-in as
// another account ends failed, saying both, and changes nothing (the other
// account's tokens are dropped) unless the request says to replace the
// account.
func TestSignInAnotherAccount(t *testing.T) {
	t.Parallel()
	const other = "intruder@contoso.example"
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	before, _, _ := r.store.Account()

	r.idp.AutoApprove(other)
	st := r.signIn()
	if st.State != apitype.SignInFailed || !st.Replace || !strings.Contains(st.Error, other) || !strings.Contains(st.Error, testUPN) || !strings.Contains(st.Hint, "replaces") ||
		st.ErrorCode != apitype.CodeUPNMismatch {
		t.Fatalf("sign-in as another account: %+v, want failed naming both, offering to replace", st)
	}
	after, _, _ := r.store.Account()
	s, _ := r.store.Settings()
	if after.UPN != testUPN || after.Token.RefreshToken != before.Token.RefreshToken || s.DeviceAddress != testUPN {
		t.Fatalf("account %s, device address %s after a refused sign-in; want %s kept", after.UPN, s.DeviceAddress, testUPN)
	}
	if status, _ := r.dev.Status(); !status.Ready {
		t.Fatalf("not ready after a refused sign-in: %s", status.Problem)
	}

	// The same account, written otherwise, is no other account.
	r.idp.AutoApprove(strings.ToUpper(testUPN[:1]) + testUPN[1:])
	if st := r.signIn(); st.State != apitype.SignInDone {
		t.Fatalf("sign-in as the same account: %+v", st)
	}

	r.idp.AutoApprove(other)
	if _, err := r.dev.StartSignIn(context.Background(), apitype.SignInRequest{ReplaceAccount: true}); err != nil {
		t.Fatal(err)
	}
	if st := waitSignIn(t, r); st.State != apitype.SignInDone || st.UPN != other {
		t.Fatalf("sign-in replacing the account: %+v", st)
	}
	if s, _ := r.store.Settings(); s.DeviceAddress != other {
		t.Fatalf("device address %s, want %s", s.DeviceAddress, other)
	}
}

// TestSignInIDTokenChecked: a sign-in whose id_token is for another app,
// from another issuer or of another tenant than configured is not taken,
// and says which check failed. A domain tenant's tenant ID is learnt at its
// first sign-in and required from then on, also after a sign-out.
func TestSignInIDTokenChecked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		claims idptest.IDTokenClaims
		tenant string
		want   string
		hint   string
	}{
		{name: "no aud", claims: idptest.IDTokenClaims{Aud: "-"}, want: "no aud claim", hint: "Application (client) ID"},
		{name: "another app", claims: idptest.IDTokenClaims{Aud: "99999999-2222-3333-4444-555555555555"}, want: "another application", hint: "Application (client) ID"},
		{name: "another issuer", claims: idptest.IDTokenClaims{Iss: "https://login.example.net/x/v2.0"}, want: "issuer", hint: "tenant"},
		{name: "no tid", claims: idptest.IDTokenClaims{TID: "-"}, want: "no tid claim", hint: "tenant"},
		{name: "another tenant ID", tenant: "0b0b0b0b-1111-4222-8333-444444444444", want: "not in the configured tenant", hint: "tenant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
			if tt.tenant != "" {
				r.configure(map[string]string{"tenant": tt.tenant})
			}
			r.idp.SetIDTokenClaims(tt.claims)
			r.idp.AutoApprove(testUPN)
			st := r.signIn()
			if st.State != apitype.SignInFailed || !strings.Contains(st.Error, tt.want) || !strings.Contains(st.Hint, tt.hint) {
				t.Fatalf("got %+v, want failed with %q, hint %q", st, tt.want, tt.hint)
			}
			if _, ok, _ := r.store.Account(); ok {
				t.Error("an account was stored")
			}
		})
	}

	t.Run("domain tenant", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
		r.configure(map[string]string{"tenant": "contoso.onmicrosoft.com"})
		r.signedIn(testUPN)
		// idptest puts each mail domain in a tenant of its own.
		r.idp.AutoApprove("scanner@fabrikam.example")
		if _, err := r.dev.StartSignIn(context.Background(), apitype.SignInRequest{ReplaceAccount: true}); err != nil {
			t.Fatal(err)
		}
		if st := waitSignIn(t, r); st.State != apitype.SignInFailed || !strings.Contains(st.Error, "at its first sign-in") {
			t.Fatalf("sign-in in another tenant: %+v", st)
		}
		if err := r.dev.SignOut(); err != nil {
			t.Fatal(err)
		}
		if st := r.signIn(); st.State != apitype.SignInFailed || !strings.Contains(st.Error, "at its first sign-in") {
			t.Fatalf("sign-in in another tenant after a sign-out: %+v", st)
		}
		r.idp.AutoApprove(testUPN)
		if st := r.signIn(); st.State != apitype.SignInDone {
			t.Fatalf("sign-in in the first tenant: %+v", st)
		}
	})
}

// TestSignInAnswerShown: a code or an address that the device would show
// the admin is refused when it could rewrite a screen or send the admin to
// a page without TLS; nothing of it reaches the log as it came.
func TestSignInAnswerShown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer idptest.DeviceCodeAnswer
	}{
		{"code with an escape", idptest.DeviceCodeAnswer{UserCode: "AB\x1b[2JCD"}},
		{"code with a space", idptest.DeviceCodeAnswer{UserCode: "AB CD"}},
		{"code with bidi", idptest.DeviceCodeAnswer{UserCode: "AB\u202eCD"}},
		{"code too long", idptest.DeviceCodeAnswer{UserCode: strings.Repeat("A", 33)}},
		{"address plain http", idptest.DeviceCodeAnswer{VerificationURI: "http://devicelogin.example/"}},
		{"address javascript", idptest.DeviceCodeAnswer{VerificationURI: "javascript:alert(1)"}},
		{"address with a newline", idptest.DeviceCodeAnswer{VerificationURI: "https://login.example/\r\nsign in at evil.example"}},
		{"address too long", idptest.DeviceCodeAnswer{VerificationURI: "https://login.example/" + strings.Repeat("a", 600)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{})
			tt.answer.Interval, tt.answer.ExpiresIn = 5, 900
			r.idp.ScriptDeviceCode(tt.answer)
			_, err := r.dev.StartSignIn(context.Background(), apitype.SignInRequest{})
			if err == nil {
				t.Fatal("sign-in started")
			}
			if msg, hint := Explain(err); !strings.Contains(msg, "cannot be shown") || !strings.Contains(hint, "device authorization URL") {
				t.Errorf("words %q / %q", msg, hint)
			}
			if st, _ := r.dev.SignIn(); st.State != apitype.SignInFailed || st.UserCode != "" {
				t.Errorf("sign-in %+v, want failed without a code", st)
			}
			for _, bad := range []string{"\x1b", "\u202e", "\r\n"} {
				if strings.Contains(r.log.String(), bad) || strings.Contains(err.Error(), bad) {
					t.Errorf("%q reached the log or the error", bad)
				}
			}
		})
	}
}

// TestSignInAgainAfterCancel: "new code" is a cancel and a new start at
// once. The new start must get a new code, and the canceled sign-in's
// end, which comes later from its own goroutine, must not overwrite it
// (the panel showed the old code, then "Sign-in stopped").
func TestSignInAgainAfterCancel(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	a, err := r.dev.StartSignIn(context.Background(), apitype.SignInRequest{})
	if err != nil {
		t.Fatal(err)
	}
	r.dev.CancelSignIn()
	b, err := r.dev.StartSignIn(context.Background(), apitype.SignInRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if b.UserCode == "" || b.UserCode == a.UserCode {
		t.Fatalf("codes %q then %q, want a new one", a.UserCode, b.UserCode)
	}
	// The first sign-in's goroutine has ended once the device has no
	// goroutine polling for it; give it every chance to report.
	time.Sleep(200 * time.Millisecond)
	if st, _ := r.dev.SignIn(); st.State != apitype.SignInWaiting || st.UserCode != b.UserCode {
		t.Fatalf("sign-in %s with code %q, want waiting with %q", st.State, st.UserCode, b.UserCode)
	}
}
