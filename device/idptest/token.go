package idptest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"

// pollSlack is how much earlier than its interval a poll may arrive before
// it counts as too fast: a client's ticker and the network jitter.
const pollSlack = 500 * time.Millisecond

// grant is what a refresh token stands for.
type grant struct {
	user     string
	clientID string
	tenant   string // the path segment of the original request
	scope    string // everything the person consented to
	lastUsed time.Time
	revoked  bool
}

type accessToken struct {
	user    string
	scope   string
	expires time.Time
}

type tokenResponse struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
	ExpiresIn    int    `json:"expires_in,omitempty"`
	ExtExpiresIn int    `json:"ext_expires_in,omitempty"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	form, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	var (
		resp *tokenResponse
		e    *oauthError
	)
	switch gt := form.Get("grant_type"); gt {
	case deviceCodeGrant:
		resp, e = s.deviceGrant(r, form)
	case "refresh_token":
		resp, e = s.refreshGrant(r, form)
	case "":
		e = ptr(errMissing("grant_type"))
	default:
		e = &oauthError{code: "unsupported_grant_type", codes: []int{70003},
			desc: fmt.Sprintf("The app requested an unsupported grant type '%s'.", gt)}
	}
	if e != nil {
		s.writeError(w, r, *e)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// deviceGrant answers one poll of the device access token request
// (RFC 8628 §3.4, §3.5).
func (s *Server) deviceGrant(r *http.Request, form url.Values) (*tokenResponse, *oauthError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls++
	clientID, e := s.checkClient(r, form)
	if e != nil {
		return nil, e
	}
	code := form.Get("device_code")
	if code == "" {
		return nil, ptr(errMissing("device_code"))
	}
	d := s.devices[code]
	polled := time.Now()

	if len(s.pollScript) > 0 {
		next := s.pollScript[0]
		s.pollScript = s.pollScript[1:]
		if d != nil {
			if next.code == "slow_down" {
				d.interval += 5 * time.Second
			}
			d.lastPoll = polled
		}
		s.log.Info("idptest: scripted poll answer", "error", next.code, "codes", next.codes)
		return nil, &next
	}

	switch {
	case d == nil:
		return nil, ptr(pollError("bad_verification_code"))
	case d.clientID != clientID:
		return nil, &oauthError{code: "invalid_grant", codes: []int{70000},
			desc: "The provided value for the input parameter 'device_code' is not valid. It was issued to another application."}
	case d.state == redeemed:
		return nil, &oauthError{code: "invalid_grant", codes: []int{70000},
			desc: "The provided value for the input parameter 'device_code' is not valid. It was already redeemed."}
	case !s.now().Before(d.expires):
		return nil, ptr(pollError("expired_token"))
	}

	tooFast := !s.opts.IgnoreInterval && !d.lastPoll.IsZero() && polled.Sub(d.lastPoll) < d.interval-pollSlack
	d.lastPoll = polled
	if tooFast {
		// The client must add 5 s (RFC 8628 §3.5), and so does the server,
		// so a client that obeys is never told again.
		d.interval += 5 * time.Second
		return nil, ptr(pollError("slow_down"))
	}

	switch d.state {
	case declined:
		return nil, ptr(pollError("authorization_declined"))
	case pending:
		if s.autoUser == "" {
			return nil, ptr(pollError("authorization_pending"))
		}
		d.user = s.autoUser
		s.log.Info("idptest: sign-in approved automatically", "user_code", d.userCode, "user", d.user)
	}
	d.state = redeemed
	g := grant{user: d.user, clientID: clientID, tenant: d.tenant, scope: d.scope}
	return s.issue(r, g, d.scope, hasScope(d.scope, "offline_access")), nil
}

// refreshGrant answers a refresh token request (RFC 6749 §6), rotating the
// refresh token.
func (s *Server) refreshGrant(r *http.Request, form url.Values) (*tokenResponse, *oauthError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshes++
	s.lastRefreshScope = form.Get("scope")
	clientID, e := s.checkClient(r, form)
	if e != nil {
		return nil, e
	}
	rt := form.Get("refresh_token")
	if rt == "" {
		return nil, ptr(errMissing("refresh_token"))
	}

	if len(s.refreshScript) > 0 {
		a := s.refreshScript[0]
		s.refreshScript = s.refreshScript[1:]
		s.log.Info("idptest: scripted refresh answer", "status", a.Status, "error", a.Error, "codes", a.Codes)
		return nil, ptr(refreshError(a))
	}

	g := s.refresh[rt]
	now := s.now()
	switch {
	case g == nil:
		return nil, &oauthError{code: "invalid_grant", codes: []int{70000},
			desc: "The provided value for the input parameter 'refresh_token' is not valid. Refresh tokens are replaced on every use."}
	case g.revoked:
		delete(s.refresh, rt)
		return nil, &oauthError{code: "invalid_grant", codes: []int{50173}}
	case g.clientID != clientID:
		return nil, &oauthError{code: "invalid_grant", codes: []int{70000},
			desc: "The provided value for the input parameter 'refresh_token' is not valid. It was issued to another application."}
	case now.Sub(g.lastUsed) >= s.opts.RefreshTokenLifetime:
		delete(s.refresh, rt)
		return nil, &oauthError{code: "invalid_grant", codes: []int{700082},
			desc: fmt.Sprintf("The refresh token has expired due to inactivity. The token was issued on %s and was inactive for %s.",
				g.lastUsed.UTC().Format(time.RFC3339), s.opts.RefreshTokenLifetime)}
	}

	// Entra wants the scope on a refresh; without it the old scope is used
	// here, and LastRefreshScope lets a test notice.
	scope := normalizeScope(form.Get("scope"))
	if scope == "" {
		scope = g.scope
	}
	if missing := notGranted(scope, g.scope); missing != "" {
		return nil, &oauthError{code: "invalid_grant", codes: []int{65001},
			desc: fmt.Sprintf("The user or administrator has not consented to use the application with ID '%s' for the scope '%s'. Send an interactive authorization request for this user and resource.",
				clientID, missing)}
	}
	delete(s.refresh, rt)
	return s.issue(r, *g, scope, true), nil
}

// issue makes the tokens for g with an access token for scope. s.mu must be
// held.
func (s *Server) issue(r *http.Request, g grant, scope string, withRefresh bool) *tokenResponse {
	now := s.now()
	for t, a := range s.access {
		if now.After(a.expires) {
			delete(s.access, t)
		}
	}
	at := randomToken()
	s.access[at] = accessToken{user: g.user, scope: scope, expires: now.Add(s.opts.AccessTokenLifetime)}
	secs := int(s.opts.AccessTokenLifetime / time.Second)
	if s.opts.OmitExpiresIn {
		secs = 0
	}
	resp := &tokenResponse{
		TokenType:    "Bearer",
		Scope:        scope,
		ExpiresIn:    secs,
		ExtExpiresIn: secs,
		AccessToken:  at,
	}
	if withRefresh {
		rt := randomToken()
		g.lastUsed = now
		s.refresh[rt] = &g
		resp.RefreshToken = rt
	}
	if hasScope(scope, "openid") {
		resp.IDToken = s.idToken(baseURL(r), g, scope, now)
	}
	for _, c := range []Credential{{"access_token", resp.AccessToken}, {"refresh_token", resp.RefreshToken}, {"id_token", resp.IDToken}} {
		if c.Value != "" {
			s.issued = append(s.issued, c)
		}
	}
	s.log.Info("idptest: tokens issued", "user", g.user, "scope", scope, "refresh_token", withRefresh, "id_token", resp.IDToken != "")
	return resp
}

// checkClient authenticates a token request as Entra does for a public
// client, or for a confidential one with Options.RequireClientSecret.
func (s *Server) checkClient(r *http.Request, form url.Values) (string, *oauthError) {
	basicUser, _, basic := r.BasicAuth()
	presented := basic || form.Get("client_secret") != "" || form.Get("client_assertion") != ""
	if presented && !s.opts.RequireClientSecret {
		return "", &oauthError{status: http.StatusUnauthorized, code: "invalid_client", codes: []int{700025}}
	}
	clientID := form.Get("client_id")
	if clientID == "" && basic {
		clientID, _ = url.QueryUnescape(basicUser)
	}
	if clientID == "" {
		return "", ptr(errMissing("client_id"))
	}
	if e := s.checkClientID(clientID, r.PathValue("tenant")); e != nil {
		return "", e
	}
	if !presented && s.opts.RequireClientSecret {
		return "", &oauthError{status: http.StatusUnauthorized, code: "invalid_client", codes: []int{7000218}}
	}
	return clientID, nil
}

func (s *Server) checkClientID(clientID, tenant string) *oauthError {
	if s.opts.ClientID == "" || clientID == s.opts.ClientID {
		return nil
	}
	return &oauthError{code: "unauthorized_client", codes: []int{700016},
		desc: fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'.", clientID, tenant)}
}

// Validate checks an access token as a resource server does: it must be
// one this server issued, unexpired by the server's clock, and carry
// Options.Scope. It returns the account the token was issued to.
func (s *Server) Validate(accessToken string) (user string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.access[accessToken]
	switch {
	case !ok:
		return "", ErrUnknownToken
	case !s.now().Before(a.expires):
		return "", ErrTokenExpired
	case !hasScope(a.scope, s.opts.Scope):
		return "", ErrWrongScope
	}
	return a.user, nil
}

// Revoke ends every refresh token of username, as a password change or an
// admin's revocation does; their next use gets invalid_grant (AADSTS50173).
// Access tokens already issued stay valid until they expire, as in Entra.
func (s *Server) Revoke(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.refresh {
		if strings.EqualFold(g.user, username) {
			g.revoked = true
		}
	}
	s.log.Info("idptest: refresh tokens revoked", "user", username)
}

// parseForm reads the url-encoded body; the endpoints take no parameters
// from the query string, as Entra's don't.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, oauthError{code: "invalid_request", codes: []int{900144},
			desc: "The request body must be application/x-www-form-urlencoded."})
		return nil, false
	}
	return r.PostForm, true
}

func ptr[T any](v T) *T { return &v }
