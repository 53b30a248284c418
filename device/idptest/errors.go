package idptest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Errors of Approve, Deny and Validate.
var (
	ErrUnknownCode  = errors.New("idptest: no such user code")
	ErrCodeExpired  = errors.New("idptest: the user code has expired")
	ErrCodeUsed     = errors.New("idptest: the user code was already approved or declined")
	ErrBadUsername  = errors.New("idptest: the account name must look like name@domain")
	ErrUnknownToken = errors.New("idptest: unknown access token")
	ErrTokenExpired = errors.New("idptest: the access token has expired")
	ErrWrongScope   = errors.New("idptest: the access token lacks the required scope")
)

// aadsts are the texts of the AADSTS numbers this server answers with,
// modelled on Entra's.
var aadsts = map[int]string{
	50173:   "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
	53003:   "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
	65001:   "The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.",
	70000:   "The provided value for the input parameter is not valid.",
	70011:   "The provided value for the input parameter 'scope' is not valid.",
	70016:   "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
	70020:   "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
	70043:   "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.",
	700016:  "Application was not found in the directory.",
	700025:  "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
	700082:  "The refresh token has expired due to inactivity. The token was inactive for 90.00:00:00.",
	7000218: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
	900144:  "The request body must contain a required parameter.",
}

// oauthError is one error answer of the token or devicecode endpoint.
type oauthError struct {
	status int    // 0 means 400
	code   string // the OAuth error code
	codes  []int  // AADSTS numbers
	desc   string // "" means the text of codes[0]
	plain  bool   // a bare status with a text body, as a proxy in trouble sends
}

func errMissing(param string) oauthError {
	return oauthError{code: "invalid_request", codes: []int{900144},
		desc: fmt.Sprintf("The request body must contain the following parameter: '%s'.", param)}
}

type errorBody struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	Codes         []int  `json:"error_codes,omitempty"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
}

// writeError answers as Entra does: the description carries the AADSTS
// number first and the trace lines last, and the same numbers appear in
// error_codes.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e oauthError) {
	if e.plain {
		s.log.Info("idptest: error answer", "path", r.URL.Path, "status", e.status)
		http.Error(w, http.StatusText(e.status), e.status)
		return
	}
	desc := e.desc
	if desc == "" && len(e.codes) > 0 {
		desc = aadsts[e.codes[0]]
	}
	if len(e.codes) > 0 && !strings.HasPrefix(desc, "AADSTS") {
		desc = fmt.Sprintf("AADSTS%d: %s", e.codes[0], desc)
	}
	body := errorBody{
		Error:         e.code,
		Codes:         e.codes,
		Timestamp:     s.now().UTC().Format("2006-01-02 15:04:05Z"),
		TraceID:       newUUID(),
		CorrelationID: r.Header.Get("client-request-id"),
	}
	if body.CorrelationID == "" {
		body.CorrelationID = newUUID()
	}
	body.Description = fmt.Sprintf("%s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
		desc, body.TraceID, body.CorrelationID, body.Timestamp)
	status := e.status
	if status == 0 {
		status = http.StatusBadRequest
	}
	s.log.Info("idptest: error answer", "path", r.URL.Path, "status", status, "error", e.code, "codes", e.codes)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	w.Write(b)
}
