package device

import (
	"context"
	"errors"
	"strings"
	"time"

	"golang.org/x/oauth2"
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
	check := d.readyToSend
	if force {
		check = d.signInUsable
	}
	p, err := check(s, acct, ok)
	if err != nil {
		return nil, acct, err
	}
	if t := acct.Token; !force && t.AccessToken != "" && (t.Expiry.IsZero() || t.Expiry.After(d.now().Add(refreshMargin))) {
		return t, acct, nil
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
