package device

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"

	"scanmail/device/idptest"
)

// TestProviderTextPrintable: the sign-in service's error code and
// description reach the error, its words for people and the stored problem
// without a control or bidi character, and cut to a bound.
func TestProviderTextPrintable(t *testing.T) {
	t.Parallel()
	const hostile = "AADSTS700082: The refresh token\x1b[2J has expired\r\n\x1b]0;owned\x07 \u202Eexe.fdp\u202C \u2066x\u2069 \x00\x7f\u009b end"
	tests := []struct {
		name   string
		answer idptest.RefreshAnswer
		want   string // in the error
	}{
		{"known refusal", idptest.RefreshAnswer{Status: 400, Error: "invalid_grant", Description: hostile, Codes: []int{700082}}, "The refresh token[2J has expired"},
		{"unknown code", idptest.RefreshAnswer{Status: 400, Error: "odd\x1b[31m_error", Description: hostile}, "odd[31m_error: AADSTS700082"},
		{"outage", idptest.RefreshAnswer{Status: http.StatusServiceUnavailable, Error: "temporarily_unavailable", Description: hostile}, "owned exe.fdp x"},
		{"long", idptest.RefreshAnswer{Status: 400, Error: "invalid_grant", Description: "AADSTS700082: " + strings.Repeat("\u202Ea", 4000), Codes: []int{700082}}, "aaaa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true, AccessTokenLifetime: time.Minute}})
			r.signedIn(testUPN)
			r.idp.ScriptRefresh(tt.answer)
			_, err := r.dev.TokenSource(context.Background()).Token()
			if err == nil {
				t.Fatal("refresh succeeded")
			}
			summary, hint := Explain(err)
			st, _ := r.dev.Status()
			shown := map[string]string{"Error()": err.Error(), "summary": summary, "hint": hint, "problem": st.Problem}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Error() %q, want %q in it", err.Error(), tt.want)
			}
			for where, text := range shown {
				if len(text) > 2*maxDescription {
					t.Errorf("%s is %d bytes", where, len(text))
				}
				for _, r := range text {
					if r != ' ' && !unicode.IsPrint(r) {
						t.Errorf("%s holds %U: %q", where, r, text)
						break
					}
				}
			}
		})
	}
}
