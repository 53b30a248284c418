package idptest

import (
	"fmt"
	"strconv"
	"strings"
)

// ConditionalAccessBlocked is the ScriptPolls answer of a tenant whose
// Conditional Access policy blocks the device code flow.
const ConditionalAccessBlocked = "invalid_grant:53003"

// pollErrors are the device-code poll answers by OAuth error code. Where no
// AADSTS number is known for Entra's answer, none is made up.
var pollErrors = map[string]oauthError{
	"authorization_pending":  {codes: []int{70016}},
	"slow_down":              {desc: "The client is polling too frequently. Wait longer between requests."},
	"expired_token":          {codes: []int{70020}},
	"access_denied":          {desc: "The user denied the authorization request."},
	"authorization_declined": {desc: "The user declined the authorization request."},
	"bad_verification_code":  {codes: []int{70000}, desc: "The provided value for the input parameter 'device_code' is not valid."},
}

func pollError(code string) oauthError {
	e := pollErrors[code]
	e.code = code
	if e.desc == "" && len(e.codes) == 0 {
		e.desc = "The request was refused."
	}
	return e
}

// ScriptPolls makes the next device-code polls, of any device code, give
// these answers in order before the server behaves normally again. Each
// answer is an OAuth error code, optionally followed by a colon and
// comma-separated AADSTS numbers for error_codes and the description:
// "authorization_pending", "slow_down", "expired_token", "access_denied",
// "authorization_declined", "bad_verification_code",
// ConditionalAccessBlocked ("invalid_grant:53003"), "invalid_grant:70043".
// A scripted slow_down lengthens that code's interval as a real one does.
// It panics on a malformed answer.
func (s *Server) ScriptPolls(answers ...string) {
	parsed := make([]oauthError, 0, len(answers))
	for _, a := range answers {
		code, nums, hasNums := strings.Cut(a, ":")
		if code == "" {
			panic(fmt.Sprintf("idptest: ScriptPolls(%q): no error code", a))
		}
		if !hasNums {
			parsed = append(parsed, pollError(code))
			continue
		}
		e := oauthError{code: code}
		for n := range strings.SplitSeq(nums, ",") {
			v, err := strconv.Atoi(n)
			if err != nil {
				panic(fmt.Sprintf("idptest: ScriptPolls(%q): %v", a, err))
			}
			e.codes = append(e.codes, v)
		}
		if aadsts[e.codes[0]] == "" {
			e.desc = "The request was refused."
		}
		parsed = append(parsed, e)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pollScript = append(s.pollScript, parsed...)
}

// RefreshAnswer is one scripted answer to a refresh-token request.
type RefreshAnswer struct {
	// Status is the HTTP status; 0 means 400.
	Status int
	// Error is the OAuth error code. "" means invalid_grant, except with a
	// 5xx Status, which then comes as a plain-text page like a proxy's.
	Error string
	// Description is error_description; "" means the text of Codes[0].
	Description string
	// Codes are the AADSTS numbers, e.g. 700082 (inactivity), 70043
	// (sign-in frequency), 50173 (password changed).
	Codes []int
}

// ScriptRefresh makes the next refresh-token requests give these answers
// in order before the server behaves normally again. A scripted answer
// leaves the refresh token as it was.
func (s *Server) ScriptRefresh(answers ...RefreshAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshScript = append(s.refreshScript, answers...)
}

func refreshError(a RefreshAnswer) oauthError {
	if a.Status >= 500 && a.Error == "" {
		return oauthError{status: a.Status, plain: true}
	}
	e := oauthError{status: a.Status, code: a.Error, codes: a.Codes, desc: a.Description}
	if e.code == "" {
		e.code = "invalid_grant"
	}
	if e.desc == "" && (len(e.codes) == 0 || aadsts[e.codes[0]] == "") {
		e.desc = "The request was refused."
	}
	return e
}

// DeviceCodeAnswer is the timing a scripted devicecode answer carries, as
// it is: zero, negative and absurd values included, as a broken or hostile
// server might send.
type DeviceCodeAnswer struct {
	Interval  int64 // "interval", seconds between polls
	ExpiresIn int64 // "expires_in", seconds the code lives
	// UserCode and VerificationURI, when set, are sent in place of the
	// server's own: what a broken or hostile service could show.
	UserCode        string
	VerificationURI string
}

// ScriptDeviceCode makes the next devicecode answers carry these values
// instead of the server's own, in order. The codes themselves keep the
// server's lifetime and polling rate.
func (s *Server) ScriptDeviceCode(answers ...DeviceCodeAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codeScript = append(s.codeScript, answers...)
}
