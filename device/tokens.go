package device

import (
	"context"
	"errors"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"scanmail/mailer"
)

// refreshMargin is how long before its expiry an access token is renewed, so
// that it does not run out between AUTH and the end of a long DATA.
const refreshMargin = 5 * time.Minute

// TokenSource gives a valid access token for the signed-in account,
// refreshing it when needed and writing every new token to the state file.
// ctx bounds each refresh.
func (d *Device) TokenSource(ctx context.Context) oauth2.TokenSource {
	return tokenSource{ctx: ctx, d: d}
}

type tokenSource struct {
	ctx context.Context
	d   *Device
}

func (ts tokenSource) Token() (*oauth2.Token, error) {
	tok, _, err := ts.d.token(ts.ctx)
	return tok, err
}

// token returns a valid access token for sending and the account it
// belongs to.
func (d *Device) token(ctx context.Context) (*oauth2.Token, Account, error) {
	return d.accessToken(ctx, false)
}

// accessToken returns a valid access token, refreshing it when it is about
// to expire or, with force, in any case. Sending also wants the UPN rule;
// a forced refresh (the keep-alive) does not.
func (d *Device) accessToken(ctx context.Context, force bool) (*oauth2.Token, Account, error) {
	d.tokenMu.Lock()
	defer d.tokenMu.Unlock()

	s, err := d.store.Settings()
	if err != nil {
		return nil, Account{}, err
	}
	acct, ok, err := d.store.Account()
	if err != nil {
		return nil, Account{}, err
	}
	check := d.oauthReady
	if force {
		check = d.signInUsable
	}
	p, err := check(s, acct, ok)
	if err != nil {
		return nil, acct, err
	}
	if !force && d.fresh(acct) {
		return acct.Token, acct, nil
	}
	if acct.Token.RefreshToken == "" {
		return nil, acct, &Error{Summary: "The access token expired and there is no refresh token",
			Hint: "Sign in again; make sure offline_access is among the scopes.", Err: ErrSignInNeeded}
	}
	client, err := httpClient(p)
	if err != nil {
		return nil, acct, err
	}
	conf := oauthConfig(s, p)
	// A fresh refresher per refresh: it takes this call's ctx, and the
	// only refresh token it knows is the one just read from the store.
	ctx = context.WithValue(ctx, oauth2.HTTPClient, client)
	tok, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: acct.Token.RefreshToken}).Token()
	if err != nil {
		err = oauthError(err)
		d.log.Warn("token refresh failed", "upn", acct.UPN, "err", err)
		if errors.Is(err, ErrSignInNeeded) {
			d.endSignIn(acct.UPN, err)
		}
		return nil, acct, err
	}
	if err := d.store.SaveToken(acct.UPN, tok, d.now()); err != nil {
		return nil, acct, err
	}
	rotated := tok.RefreshToken != acct.Token.RefreshToken
	d.log.Info("access token refreshed", "upn", acct.UPN, "expiry", tok.Expiry, "refresh_token_rotated", rotated)
	acct.Token = tok
	return tok, acct, nil
}

// unknownExpiry is how long a token whose provider gave no expires_in is
// taken to be valid from when it was obtained: Entra's last 60 to 90
// minutes. x/oauth2 would take it as valid for ever.
const unknownExpiry = time.Hour

// fresh reports whether the stored access token can be used as it is. A
// clock that reads earlier than the last refresh (a board without a
// battery-backed clock, before NTP has set it after a power cut) cannot
// tell how old the token is, so it is refreshed.
func (d *Device) fresh(acct Account) bool {
	t := acct.Token
	if t.AccessToken == "" {
		return false
	}
	now := d.now()
	obtained := acct.LastRefresh
	if obtained.IsZero() {
		obtained = acct.SignedInAt
	}
	if now.Before(obtained) {
		return false
	}
	expiry := t.Expiry
	if expiry.IsZero() {
		expiry = obtained.Add(unknownExpiry)
	}
	return expiry.After(now.Add(refreshMargin))
}

// resendWithNewToken is mail's answer to a server that rejected the access
// token although the device took it for valid (its clock behind the
// server's, a provider without expires_in, a revoked token): it refreshes
// the token and sends msg once more. m remembers it, so that it happens
// once an attempt.
func (d *Device) resendWithNewToken(ctx context.Context, m *mailing, msg mailer.Message, rejected error) error {
	m.refreshed = true
	d.log.Warn("the mail server rejected the access token; refreshing it and trying once more", "err", rejected)
	tok, acct, err := d.accessToken(ctx, true)
	if err != nil {
		return err
	}
	if !strings.EqualFold(acct.UPN, msg.From) {
		return rejected // another account signed in meanwhile; its jobs wait for the UPN rule
	}
	m.auth = mailer.NewXOAuth2Client(acct.UPN, tok.AccessToken)
	return m.sender.Send(ctx, m.auth, msg.From, &msg)
}

// endSignIn remembers a refused refresh, so that the device says "sign-in
// needed" from then on instead of asking the provider again at every job.
func (d *Device) endSignIn(upn string, err error) {
	e := Ended{At: d.now(), Summary: err.Error()}
	if de, ok := errors.AsType[*Error](err); ok {
		e.Summary, e.Hint = de.Summary, de.Hint
		e.Detail = strings.TrimPrefix(de.Err.Error(), ErrSignInNeeded.Error()+": ")
	}
	if serr := d.store.EndSignIn(upn, e); serr != nil {
		d.log.Error("sign-in end not stored", "err", serr)
	}
}

func oauthConfig(s Settings, p Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: s.ClientID,
		Endpoint: p.Endpoint(s.Tenant),
		Scopes:   p.Scopes,
	}
}
