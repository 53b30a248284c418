package device

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/mailer/smtptest"
)

// TestTokenRefreshPersists: an expired access token is refreshed with the
// refresh token, and the rotated refresh token is what the state file holds
// after a restart.
func TestTokenRefreshPersists(t *testing.T) {
	t.Parallel()
	// Tokens that live less than the refresh margin are renewed at every use.
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true, AccessTokenLifetime: time.Minute}})
	r.signedIn(testUPN)
	before, _, _ := r.store.Account()

	r.reopen()
	tok, err := r.dev.TokenSource(context.Background()).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if tok.AccessToken == before.Token.AccessToken {
		t.Error("access token not renewed")
	}
	if got := r.idp.Refreshes(); got != 1 {
		t.Errorf("refreshes = %d, want 1", got)
	}
	if !strings.Contains(r.idp.LastRefreshScope(), idptest.DefaultScope) {
		t.Errorf("refresh scope %q, want the SMTP scope sent", r.idp.LastRefreshScope())
	}

	r.reopen()
	after, ok, err := r.store.Account()
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if after.Token.RefreshToken == before.Token.RefreshToken {
		t.Fatal("the rotated refresh token was not stored")
	}
	if after.Token.AccessToken != tok.AccessToken || after.LastRefresh.IsZero() {
		t.Error("the new access token or the refresh time was not stored")
	}
	// The stored refresh token is the live one: it refreshes again.
	if _, err := r.dev.TokenSource(context.Background()).Token(); err != nil {
		t.Fatalf("second refresh with the stored token: %v", err)
	}
	r.noSecrets()
}

func TestTokenStillValidNotRefreshed(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	if _, err := r.dev.TokenSource(context.Background()).Token(); err != nil {
		t.Fatal(err)
	}
	if n := r.idp.Refreshes(); n != 0 {
		t.Fatalf("refreshed %d times a token valid for an hour", n)
	}
}

// TestRefreshRefused: a refused refresh means sign-in needed, said so; a
// server in trouble is temporary and keeps the tokens.
func TestRefreshRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		answer       idptest.RefreshAnswer
		revoke       bool
		signInNeeded bool
		want         string
	}{
		{name: "revoked", revoke: true, signInNeeded: true, want: "no longer valid"},
		{name: "idle 90 days", signInNeeded: true, want: "90 days",
			answer: idptest.RefreshAnswer{Status: 400, Error: "invalid_grant", Description: "AADSTS700082: The refresh token has expired due to inactivity.", Codes: []int{700082}}},
		{name: "sign-in frequency", signInNeeded: true, want: "sign-in frequency",
			answer: idptest.RefreshAnswer{Status: 400, Error: "invalid_grant", Description: "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.", Codes: []int{70043}}},
		{name: "unavailable", want: "unavailable", answer: idptest.RefreshAnswer{Status: http.StatusServiceUnavailable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true, AccessTokenLifetime: time.Minute}})
			r.signedIn(testUPN)
			before, _, _ := r.store.Account()
			if tt.revoke {
				r.idp.Revoke(testUPN)
			} else {
				r.idp.ScriptRefresh(tt.answer)
			}
			_, err := r.dev.TokenSource(context.Background()).Token()
			if got := errors.Is(err, ErrSignInNeeded); got != tt.signInNeeded {
				t.Fatalf("err %v: sign-in needed %v, want %v", err, got, tt.signInNeeded)
			}
			var de *Error
			if !errors.As(err, &de) || !strings.Contains(de.Summary, tt.want) {
				t.Fatalf("err %v, want a summary with %q", err, tt.want)
			}
			if de.Temporary == tt.signInNeeded {
				t.Errorf("Temporary = %v", de.Temporary)
			}
			after, ok, _ := r.store.Account()
			if !ok || after.Token.RefreshToken != before.Token.RefreshToken {
				t.Error("the stored tokens changed after a failed refresh")
			}
			// The state says so until someone signs in again, even
			// after a restart, and without asking the provider again.
			r.reopen()
			st, _ := r.dev.Status()
			if tt.signInNeeded && (st.Ready || !strings.Contains(st.Problem, tt.want)) {
				t.Errorf("status ready %v problem %q, want %q", st.Ready, st.Problem, tt.want)
			}
			if !tt.signInNeeded && !st.Ready {
				t.Errorf("status not ready after a temporary failure: %s", st.Problem)
			}
		})
	}
}

// TestJobPausedUntilSignIn: a job whose sending finds the sign-in ended
// waits, spending no attempt, and goes by itself after the next sign-in.
func TestJobPausedUntilSignIn(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true, AccessTokenLifetime: time.Minute}})
	r.signedIn(testUPN)
	r.idp.Revoke(testUPN)
	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: []string{"a@fabrikam.example"}, Pages: 1}, nil)
	if !errors.Is(err, ErrSignInNeeded) {
		t.Fatalf("err %v, want sign-in needed", err)
	}
	if job.State != apitype.JobQueued || job.Attempts != 0 || !strings.Contains(job.Hint, "Sign in again") {
		t.Fatalf("job %+v, want queued, no attempt spent, told to sign in", job)
	}
	if n := len(r.mail.Messages()); n != 0 {
		t.Fatalf("%d messages sent", n)
	}
	r.signedIn(testUPN)
	sent := waitJob(t, r, job.ID, apitype.JobSent)
	msgs := r.mail.Messages()
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), "Message-Id: <"+sent.MessageID+">") || sent.MessageID != job.MessageID {
		t.Fatalf("after sign-in: %d messages, job %+v", len(msgs), sent)
	}
}

// waitJob waits for the outbox to bring job id to state.
func waitJob(t *testing.T, r *rig, id uint64, state string) apitype.Job {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		job, _, err := r.store.Job(id)
		if err != nil {
			t.Fatal(err)
		}
		if job.State == state {
			return job
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d still %s (%s), want %s", id, job.State, job.Error, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTokenRedirectRefused: a token endpoint answering with a redirect
// (307 and 308 re-post the form) does not get the refresh token sent on,
// not even to plain http; the device says what happened and keeps its
// sign-in.
func TestTokenRedirectRefused(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			var leaked atomic.Int32
			elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				leaked.Add(1)
				http.Error(w, "no", http.StatusBadRequest)
			}))
			t.Cleanup(elsewhere.Close)
			var redirect atomic.Bool
			front := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
					if redirect.Load() {
						http.Redirect(w, req, elsewhere.URL+"/token", status)
						return
					}
					next.ServeHTTP(w, req)
				})
			}
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, idpFront: front})
			r.signedIn(testUPN)
			before, _, _ := r.store.Account()
			redirect.Store(true)
			_, _, err := r.dev.accessToken(context.Background(), true)
			if summary, _ := Explain(err); !strings.Contains(summary, "redirect") || !errors.Is(err, ErrRedirect) {
				t.Fatalf("err %v, want the redirect refused", err)
			}
			if n := leaked.Load(); n != 0 {
				t.Fatalf("the redirect was followed: %d request(s) reached its target", n)
			}
			after, _, _ := r.store.Account()
			if after.Ended != nil || after.Token.RefreshToken != before.Token.RefreshToken {
				t.Error("a redirect changed the stored sign-in")
			}
		})
	}
}

// TestAccessTokenAge: a token whose provider gave no expires_in is used for
// an hour from when it was obtained, not for ever; a clock that reads
// earlier than the last refresh gets a new token.
func TestAccessTokenAge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		omitExpiresIn bool
		move          time.Duration // the device's clock, after signing in
		refreshes     int
	}{
		{"no expires_in, 50 minutes old", true, 50 * time.Minute, 0},
		{"no expires_in, 2 hours old", true, 2 * time.Hour, 1},
		{"expires_in, 50 minutes old", false, 50 * time.Minute, 0},
		{"clock behind the last refresh", false, -24 * time.Hour, 1},
		{"clock 1970", false, -time.Since(time.Unix(0, 0)), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := &fakeClock{t: time.Now()}
			r := newRig(t, rigOptions{now: clock.Now, idp: idptest.Options{IgnoreInterval: true, OmitExpiresIn: tt.omitExpiresIn}})
			r.signedIn(testUPN)
			if acct, _, _ := r.store.Account(); acct.Token.Expiry.IsZero() != tt.omitExpiresIn {
				t.Fatalf("token expiry %v; the provider omitted expires_in: %v", acct.Token.Expiry, tt.omitExpiresIn)
			}
			clock.Add(tt.move)
			if _, err := r.dev.TokenSource(context.Background()).Token(); err != nil {
				t.Fatal(err)
			}
			if n := r.idp.Refreshes(); n != tt.refreshes {
				t.Fatalf("%d refreshes, want %d", n, tt.refreshes)
			}
		})
	}
}

// TestRejectedTokenRenewed: a mail server that rejects the access token
// the device took for valid gets a new one, once an attempt: the message
// goes if the new token passes, the job fails with the server's answer if
// it is rejected too, and waits for a sign-in if the provider refuses the
// refresh.
func TestRejectedTokenRenewed(t *testing.T) {
	t.Parallel()
	rejected := &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3}, Message: "Authentication unsuccessful"}
	gmail := &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Username and Password not accepted"}
	tests := []struct {
		name      string
		smtp      smtptest.Options
		fault     func(r *rig, idpClock, devClock *fakeClock)
		state     string
		refreshes int
		err       string
	}{
		{name: "535 5.7.3 once", state: apitype.JobSent, refreshes: 1,
			fault: func(r *rig, _, _ *fakeClock) { r.mail.FailNext("auth", rejected) }},
		{name: "xoauth2 challenge 401 once", smtp: smtptest.Options{Challenge: true}, state: apitype.JobSent, refreshes: 1,
			fault: func(r *rig, _, _ *fakeClock) { r.mail.FailNext("auth", gmail) }},
		{name: "device clock behind the server's", state: apitype.JobSent, refreshes: 1,
			fault: func(r *rig, idpClock, devClock *fakeClock) {
				idpClock.Add(2 * time.Hour) // the token expired where it is checked
				devClock.Add(30 * time.Minute)
			}},
		{name: "rejected again after the refresh", state: apitype.JobFailed, refreshes: 1, err: "Sign-in rejected",
			fault: func(r *rig, _, _ *fakeClock) {
				r.mail.FailNext("auth", rejected)
				r.mail.FailNext("auth", rejected)
			}},
		{name: "revoked", state: apitype.JobQueued, refreshes: 1, err: "no longer valid",
			fault: func(r *rig, _, _ *fakeClock) {
				r.idp.Revoke(testUPN)
				r.mail.FailNext("auth", rejected)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			idpClock, devClock := &fakeClock{t: time.Now()}, &fakeClock{t: time.Now()}
			o := tt.smtp
			r := newRig(t, rigOptions{now: devClock.Now, idp: idptest.Options{IgnoreInterval: true, Now: idpClock.Now}, smtp: o})
			r.signedIn(testUPN)
			tt.fault(r, idpClock, devClock)
			job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: []string{"alice@fabrikam.example"}, Pages: 1}, nil)
			if job.State != tt.state || !strings.Contains(job.Error, tt.err) {
				t.Fatalf("job %s (%q, %v), want %s with %q", job.State, job.Error, err, tt.state, tt.err)
			}
			if n := r.idp.Refreshes(); n != tt.refreshes {
				t.Errorf("%d refreshes, want %d", n, tt.refreshes)
			}
			wantMsgs := 0
			if tt.state == apitype.JobSent {
				wantMsgs = 1
			}
			if n := len(r.mail.Messages()); n != wantMsgs {
				t.Errorf("%d messages received, want %d", n, wantMsgs)
			}
			r.noSecrets()
		})
	}
}
