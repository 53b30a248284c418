package device

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"scanmail/device/apitype"
)

// oauthAnswer is what the device says about one answer of the sign-in
// service. Codes are Microsoft's AADSTS numbers or OAuth error codes; the
// first entry that matches wins, so the specific numbers come first.
type oauthAnswer struct {
	codes        []string
	summary      string
	hint         string
	signInNeeded bool
}

var oauthAnswers = []oauthAnswer{
	{codes: []string{"53003"},
		summary: "A Conditional Access policy blocked the sign-in",
		hint: "The tenant's Conditional Access blocks the device code flow for this account or app. " +
			"Exclude the device's account or app registration from that policy, or use direct send or a connector instead."},
	{codes: []string{"700082"}, signInNeeded: true,
		summary: "The sign-in expired after 90 days without use",
		hint:    "Sign in again."},
	{codes: []string{"70043"}, signInNeeded: true,
		summary: "A sign-in frequency policy requires signing in again",
		hint:    "Sign in again; to avoid this, exclude the device's account from the sign-in frequency policy."},
	{codes: []string{"7000218"},
		summary: "The app registration is not set up as a public client",
		hint:    "In the Entra admin center, App registrations › this app › Authentication: set \"Allow public client flows\" to Yes."},
	{codes: []string{"700025"},
		summary: "The sign-in service refused a client secret for a public client",
		hint:    "The device sends no secret; check that the Application (client) ID names a public-client app registration."},
	{codes: []string{"700016", "invalid_client", "unauthorized_client"},
		summary: "The sign-in service does not know this app registration",
		hint:    "Check the Application (client) ID and the tenant, and that \"Allow public client flows\" is on."},
	{codes: []string{"90002", "900023"},
		summary: "The sign-in service does not know this tenant",
		hint:    "Check the tenant setting: a tenant ID or a verified domain of the organisation."},
	{codes: []string{"65001", "consent_required", "invalid_scope"},
		summary: "Permission to send mail was not granted",
		hint:    "Grant admin consent for the app's delegated SMTP.Send permission (the admin consent link is in the README), then sign in again."},
	{codes: []string{"expired_token"},
		summary: "The sign-in code expired before anyone signed in",
		hint:    "Start sign-in again and enter the code before it expires."},
	{codes: []string{"access_denied", "authorization_declined"},
		summary: "The sign-in was declined",
		hint:    "Start again and approve on the sign-in page. If nobody declined, an admin policy may block this app."},
	{codes: []string{"bad_verification_code"},
		summary: "The sign-in service did not recognise the device code",
		hint:    "Start sign-in again."},
	{codes: []string{"invalid_grant", "interaction_required"}, signInNeeded: true,
		summary: "The sign-in is no longer valid",
		hint:    "A password change, an admin revoking sessions or a policy ended it. Sign in again."},
}

var aadstsCode = regexp.MustCompile(`AADSTS(\d+)`)

// oauthError turns an error from the sign-in service into a device Error.
// A network failure or a 5xx is temporary and never taken for a refusal:
// treating it as invalid_grant would throw away a good sign-in.
func oauthError(err error) error {
	if errors.Is(err, ErrRedirect) {
		return &Error{
			Summary:   "The sign-in service answered with a redirect, which the device does not follow",
			Hint:      "Check the sign-in endpoints: enter the token and device authorization URLs themselves, with https. A proxy that redirects them must let them through.",
			Temporary: true,
			Err:       err,
			Code:      apitype.CodeProviderUnavailable,
		}
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return &Error{
			Summary:   "Cannot reach the sign-in service",
			Hint:      "Check the network connection and DNS, then try again.",
			Temporary: true,
			Err:       err,
			Code:      apitype.CodeProviderUnavailable,
		}
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	if status >= 500 || status == http.StatusTooManyRequests {
		return &Error{
			Summary:   fmt.Sprintf("The sign-in service is unavailable (HTTP %d)", status),
			Hint:      "This is usually brief; try again in a few minutes.",
			Temporary: true,
			Err:       errors.New(printable(re.ErrorCode+" "+re.ErrorDescription, maxDescription)),
			Code:      apitype.CodeProviderUnavailable,
		}
	}
	codes := answerCodes(re)
	for _, a := range oauthAnswers {
		for _, c := range a.codes {
			if codes[c] {
				return answerError(a, re)
			}
		}
	}
	return &Error{
		Summary: "The sign-in service refused the request",
		Hint:    "See the error details; check the Application (client) ID, the tenant and the app registration.",
		Err:     describe(re),
		Code:    apitype.CodeSignInFailed,
	}
}

func answerError(a oauthAnswer, re *oauth2.RetrieveError) error {
	err := describe(re)
	if a.signInNeeded {
		err = fmt.Errorf("%w: %w", ErrSignInNeeded, err)
	}
	return &Error{Summary: a.summary, Hint: a.hint, Err: err, Code: apitype.CodeSignInFailed}
}

// describe keeps the provider's code and description, which name the
// AADSTS number an admin can look up; they hold no secret.
func describe(re *oauth2.RetrieveError) error {
	code := printable(re.ErrorCode, maxDescription)
	if re.ErrorDescription == "" {
		return errors.New(code)
	}
	return fmt.Errorf("%s: %s", code, printable(firstLine(re.ErrorDescription), maxDescription))
}

// maxDescription bounds the provider's words as shown; Entra's longest
// descriptions, with their trace lines, take about 600 bytes.
const maxDescription = 1024

// printable is the provider's text made safe to log and to show on a
// terminal, the panel or a page: line breaks and other spaces become a
// space, and control and format characters go (C0 and C1 controls, DEL,
// bidi overrides and isolates, zero-width characters), cut to at most
// limit bytes. A custom provider's endpoint, or anyone who can answer in
// its name, chooses this text.
func printable(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case !unicode.IsPrint(r):
			return -1
		}
		return r
	}, s)
	if len(s) <= limit {
		return s
	}
	cut := limit - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\r' || r == '\n' {
			return s[:i]
		}
	}
	return s
}

// answerCodes collects the OAuth error code and every AADSTS number of an
// answer, from error_codes and from the description.
func answerCodes(re *oauth2.RetrieveError) map[string]bool {
	codes := map[string]bool{re.ErrorCode: true}
	for _, m := range aadstsCode.FindAllStringSubmatch(re.ErrorDescription, -1) {
		codes[m[1]] = true
	}
	var body struct {
		ErrorCodes []int `json:"error_codes"`
	}
	if json.Unmarshal(re.Body, &body) == nil {
		for _, c := range body.ErrorCodes {
			codes[strconv.Itoa(c)] = true
		}
	}
	return codes
}
