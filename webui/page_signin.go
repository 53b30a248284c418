package webui

import (
	"context"
	"net/http"
	"net/url"

	"scanmail/device/apitype"
)

// signInPage starts and follows the device-code sign-in.
type signInPage struct {
	SignIn  apitype.SignIn
	Account *apitype.Account
	// DeviceAddress is the account the device sends as.
	DeviceAddress string
	// Domain is the sign-in page's host, for the admin to check in the
	// browser's address bar.
	Domain string
	// ConsentURL is the link an organisation's admin opens once to
	// consent to the app, where the provider needs it.
	ConsentURL string
	Problem    *problem
}

func (s *server) serveSignIn(w http.ResponseWriter, r *http.Request) {
	s.signInPage(w, r, http.StatusOK, nil)
}

func (s *server) signInPage(w http.ResponseWriter, r *http.Request, code int, p *problem) {
	d := signInPage{Problem: p}
	st, err := s.api.Status(r.Context())
	if err != nil && p == nil {
		pr := problemOf(err)
		d.Problem = &pr
	}
	d.SignIn, d.Account, d.DeviceAddress = st.SignIn, st.Account, st.DeviceAddress
	if u, err := url.Parse(st.SignIn.VerificationURI); err == nil {
		d.Domain = u.Hostname()
	}
	if cfg, err := s.api.Config(r.Context()); err == nil {
		d.ConsentURL = consentURL(cfg)
	}
	s.render(w, code, "signin", page{Title: "Sign in", Nav: "signin", Live: "snapshot signin status", LoggedIn: true, Data: d})
}

// postSignIn starts a sign-in (replace=1: one that may make another
// account the device's) and shows its page: the device goes on with it
// after this request, and the page follows it by the event stream.
func (s *server) postSignIn(w http.ResponseWriter, r *http.Request) {
	req := apitype.SignInRequest{ReplaceAccount: r.PostFormValue("replace") == "1"}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	// The call streams the sign-in until it ends; the first step (the
	// code) is all this request waits for.
	_, err := s.api.SignIn(ctx, req, func(apitype.SignIn) { cancel() })
	if err != nil && ctx.Err() == nil {
		p := problemOf(err)
		s.signInPage(w, r, http.StatusConflict, &p)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

func (s *server) postSignInCancel(w http.ResponseWriter, r *http.Request) {
	if _, err := s.api.CancelSignIn(r.Context()); err != nil {
		p := problemOf(err)
		s.signInPage(w, r, http.StatusConflict, &p)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// consentLogins are the sign-in hosts of the providers whose
// organisations' admins consent to the app once.
var consentLogins = map[string]string{
	"exchange-online": "https://login.microsoftonline.com",
	"21vianet":        "https://login.partner.microsoftonline.cn",
	"gcc-high":        "https://login.microsoftonline.us",
}

// consentURL is the admin-consent link for the configured provider,
// tenant and app, or "" where none applies.
func consentURL(cfg apitype.Config) string {
	var provider, tenant, clientID string
	for _, st := range cfg.Settings {
		switch st.Key {
		case "provider":
			provider = st.Value
		case "tenant":
			tenant = st.Value
		case "client_id":
			clientID = st.Value
		}
	}
	login, ok := consentLogins[provider]
	if !ok || clientID == "" {
		return ""
	}
	if tenant == "" || tenant == "organizations" {
		tenant = "common"
	}
	return login + "/" + url.PathEscape(tenant) + "/adminconsent?client_id=" + url.QueryEscape(clientID)
}
