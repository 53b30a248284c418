package device

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/idptest"
	"scanmail/mailer/smtptest"
)

// TestSignInTiedToEndpoints: once a setting that decides where the tokens
// go changes, the device holds its tokens back and says "sign-in needed",
// naming what changed; no token reaches the identity provider or a mail
// server. The SMTP port, and a CA bundle entered again unchanged, do not
// count.
func TestSignInTiedToEndpoints(t *testing.T) {
	t.Parallel()
	otherCA, err := smtptest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key, value string
		change     string // "" when the sign-in stays usable
	}{
		{"custom.token_url", "https://login.example.net/organizations/oauth2/v2.0/token", "the token endpoint"},
		{"custom.device_auth_url", "https://login.example.net/organizations/oauth2/v2.0/devicecode", "the device authorization endpoint"},
		{"custom.smtp_host", "smtp.example.net", "the SMTP server"},
		{"custom.ca_bundle", string(otherCA.PEM()), "the CA bundle"},
		{"custom.scopes", idptest.DefaultScope + " offline_access openid profile", "the scopes"},
		{"custom.smtp_port", "2525", ""},
		{"custom.ca_bundle", "\n\n" + "%CA%" + "\n", ""}, // the same certificate
	}
	for _, tt := range tests {
		t.Run(tt.key+" "+strconv.Quote(tt.change), func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
			r.signedIn(testUPN)
			r.configure(map[string]string{tt.key: strings.ReplaceAll(tt.value, "%CA%", string(r.ca.PEM()))})
			st, err := r.dev.Status()
			if err != nil {
				t.Fatal(err)
			}
			_, _, tokErr := r.dev.accessToken(context.Background(), true)
			if tt.change == "" {
				if !st.Ready || tokErr != nil {
					t.Fatalf("ready %v (%s), refresh %v; want the sign-in kept", st.Ready, st.Problem, tokErr)
				}
				return
			}
			if st.Ready || !strings.Contains(st.Problem, "sign-in settings changed") || !strings.Contains(st.Problem, tt.change) || !strings.Contains(st.Hint, "Sign in again") {
				t.Errorf("status ready %v, problem %q, hint %q; want sign-in needed naming %s", st.Ready, st.Problem, st.Hint, tt.change)
			}
			if !errors.Is(tokErr, ErrSignInNeeded) {
				t.Errorf("refresh: %v, want sign-in needed", tokErr)
			}
			if n := r.idp.Refreshes(); n != 0 {
				t.Errorf("the refresh token was sent %d time(s)", n)
			}
		})
	}
}

// TestLegacySignInBound: an account stored before sign-ins were tied to
// their endpoints keeps working after the upgrade, tied to the settings in
// force when the upgraded daemon first opened the state file; a change
// after that needs a sign-in.
func TestLegacySignInBound(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	// As an older daemon stored it.
	err := r.store.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		acct, _, err := getAccount(b)
		if err != nil {
			return err
		}
		acct.Endpoints = nil
		return putAccount(b, acct)
	})
	if err != nil {
		t.Fatal(err)
	}
	r.reopen()
	if st, _ := r.dev.Status(); !st.Ready {
		t.Fatalf("after the upgrade: %s", st.Problem)
	}
	if acct, _, _ := r.store.Account(); acct.Endpoints == nil {
		t.Fatal("the endpoints were not recorded")
	}
	if _, err := r.dev.TokenSource(context.Background()).Token(); err != nil {
		t.Fatal(err)
	}
	r.configure(map[string]string{"custom.smtp_host": "smtp.example.net"})
	if st, _ := r.dev.Status(); st.Ready || !strings.Contains(st.Problem, "the SMTP server") {
		t.Fatalf("after a change: ready %v, %q", st.Ready, st.Problem)
	}
}
