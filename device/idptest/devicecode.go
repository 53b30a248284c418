package idptest

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"
)

type deviceState int

const (
	pending deviceState = iota
	approved
	declined
	redeemed // the tokens went out; the code is spent
)

// device is one device authorization request (RFC 8628 §3.1).
type device struct {
	code, userCode string
	clientID       string
	tenant         string // the path segment it was asked under
	scope          string
	expires        time.Time     // by the server's clock
	interval       time.Duration // grows by 5 s with each slow_down
	lastPoll       time.Time     // by the real clock; zero before the first poll
	state          deviceState
	user           string
}

type deviceCodeResponse struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete,omitempty"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval"`
	Message                 string `json:"message"`
}

func (s *Server) serveDeviceCode(w http.ResponseWriter, r *http.Request) {
	form, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	clientID := form.Get("client_id")
	if clientID == "" {
		s.writeError(w, r, errMissing("client_id"))
		return
	}
	if e := s.checkClientID(clientID, r.PathValue("tenant")); e != nil {
		s.writeError(w, r, *e)
		return
	}
	scope := normalizeScope(form.Get("scope"))
	if scope == "" {
		s.writeError(w, r, errMissing("scope"))
		return
	}
	if e := checkResources(scope); e != nil {
		s.writeError(w, r, *e)
		return
	}

	s.mu.Lock()
	now := s.now()
	s.pruneDevices(now)
	d := &device{
		code:     randomToken(),
		userCode: s.newUserCode(),
		clientID: clientID,
		tenant:   r.PathValue("tenant"),
		scope:    scope,
		expires:  now.Add(s.opts.CodeLifetime),
		interval: time.Duration(s.opts.Interval) * time.Second,
	}
	s.devices[d.code] = d
	s.userCodes[d.userCode] = d
	s.issued = append(s.issued, Credential{"device_code", d.code})
	timing := DeviceCodeAnswer{Interval: int64(s.opts.Interval), ExpiresIn: int64(s.opts.CodeLifetime / time.Second)}
	if len(s.codeScript) > 0 {
		timing, s.codeScript = s.codeScript[0], s.codeScript[1:]
	}
	s.mu.Unlock()

	uri := s.opts.VerificationURI
	if uri == "" {
		uri = baseURL(r) + "/devicelogin"
	}
	if timing.VerificationURI != "" {
		uri = timing.VerificationURI
	}
	userCode := d.userCode
	if timing.UserCode != "" {
		userCode = timing.UserCode
	}
	resp := deviceCodeResponse{
		DeviceCode:      d.code,
		UserCode:        userCode,
		VerificationURI: uri,
		ExpiresIn:       timing.ExpiresIn,
		Interval:        timing.Interval,
		Message: fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.",
			uri, d.userCode),
	}
	if s.opts.CompleteURI {
		resp.VerificationURIComplete = uri + "?code=" + d.userCode
	}
	s.log.Info("idptest: device code issued", "user_code", d.userCode, "tenant", d.tenant, "client_id", clientID, "scope", scope)
	writeJSON(w, http.StatusOK, resp)
}

// newUserCode returns an unused user code of nine characters, like
// Microsoft's. s.mu must be held.
func (s *Server) newUserCode() string {
	for {
		// rand.Text's base32 alphabet has no 0 or 1, so normaliseUserCode
		// can read a typed zero or one as O or I.
		c := rand.Text()[:9]
		if s.userCodes[c] == nil {
			return c
		}
	}
}

// pruneDevices forgets codes long expired, so that a demo running for
// weeks keeps a small table. s.mu must be held.
func (s *Server) pruneDevices(now time.Time) {
	for code, d := range s.devices {
		if now.After(d.expires.Add(s.opts.CodeLifetime)) {
			delete(s.devices, code)
			delete(s.userCodes, d.userCode)
		}
	}
}

// normaliseUserCode reads a code as people type it: any case, with dashes
// or spaces.
func normaliseUserCode(c string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', '\t':
			return -1
		case '0':
			return 'O'
		case '1':
			return 'I'
		}
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, c)
}

// pendingCode finds the request waiting for a person's decision. s.mu must
// be held.
func (s *Server) pendingCode(userCode string) (*device, error) {
	d := s.userCodes[normaliseUserCode(userCode)]
	switch {
	case d == nil:
		return nil, ErrUnknownCode
	case !s.now().Before(d.expires):
		return nil, ErrCodeExpired
	case d.state != pending:
		return nil, ErrCodeUsed
	}
	return d, nil
}

// validUsername accepts a bare address, name@domain, as a UPN is.
func validUsername(u string) bool {
	a, err := mail.ParseAddress(u)
	return err == nil && a.Name == "" && a.Address == u
}

// Approve acts as if the person had typed userCode and signed in as
// username on the verification page: the next poll of that device code
// gets tokens for username.
func (s *Server) Approve(userCode, username string) error {
	if !validUsername(username) {
		return ErrBadUsername
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.pendingCode(userCode)
	if err != nil {
		return err
	}
	d.state, d.user = approved, username
	s.log.Info("idptest: sign-in approved", "user_code", d.userCode, "user", username)
	return nil
}

// Deny acts as if the person had declined on the verification page: polls
// of that device code then get authorization_declined, Entra's answer.
func (s *Server) Deny(userCode string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.pendingCode(userCode)
	if err != nil {
		return err
	}
	d.state = declined
	s.log.Info("idptest: sign-in declined", "user_code", d.userCode)
	return nil
}

// AutoApprove approves, as username, every device code still waiting when
// it is polled, from now on; "" turns that off. Scripted poll answers come
// first, so ScriptPolls("authorization_pending") followed by AutoApprove
// gives tokens at the second poll.
func (s *Server) AutoApprove(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.autoUser = username
}
