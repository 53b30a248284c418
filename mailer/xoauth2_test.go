package mailer

import (
	"errors"
	"testing"
)

func TestXOAuth2Start(t *testing.T) {
	c := NewXOAuth2Client("scanner@contoso.com", "eyJ0eXAi.token")
	mech, ir, err := c.Start()
	if err != nil {
		t.Fatal(err)
	}
	if mech != "XOAUTH2" {
		t.Errorf("mechanism = %q, want XOAUTH2", mech)
	}
	want := "user=scanner@contoso.com\x01auth=Bearer eyJ0eXAi.token\x01\x01"
	if string(ir) != want {
		t.Errorf("initial response = %q, want %q", ir, want)
	}
}

func TestXOAuth2StartNeedsUserAndToken(t *testing.T) {
	for _, c := range []struct{ user, token string }{{"", "t"}, {"u@example.com", ""}} {
		if _, _, err := NewXOAuth2Client(c.user, c.token).Start(); err == nil {
			t.Errorf("Start with user %q token %q: no error", c.user, c.token)
		}
	}
}

func TestXOAuth2Challenge(t *testing.T) {
	tests := []struct {
		name      string
		challenge string
		want      XOAuth2Error
	}{
		{
			name:      "gmail json",
			challenge: `{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`,
			want:      XOAuth2Error{Status: "401", Schemes: "bearer", Scope: "https://mail.google.com/"},
		},
		{
			name:      "not json",
			challenge: "go away",
			want:      XOAuth2Error{Raw: "go away"},
		},
		{
			name:      "control and bidi characters",
			challenge: `{"status":"401\u001b[2J","schemes":"bea\u202erer","scope":"https://x/\r\nINJECTED"}`,
			want:      XOAuth2Error{Status: "401[2J", Schemes: "bearer", Scope: "https://x/  INJECTED"},
		},
		{
			name:      "not json, with controls",
			challenge: "go\x1b]0;t\x07 away\u2066",
			want:      XOAuth2Error{Raw: "go]0;t away"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewXOAuth2Client("u@example.com", "t")
			if _, _, err := c.Start(); err != nil {
				t.Fatal(err)
			}
			resp, err := c.Next([]byte(tt.challenge))
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			// nil would end go-smtp's exchange as if it had succeeded.
			if resp == nil || len(resp) != 0 {
				t.Errorf("response = %#v, want a non-nil empty slice", resp)
			}
			if got := xoauth2Failure(c); got == nil || *got != tt.want {
				t.Errorf("kept failure = %+v, want %+v", got, tt.want)
			}
			// A second challenge is a protocol error.
			if _, err := c.Next([]byte(tt.challenge)); err == nil {
				t.Error("second Next: no error")
			}
			// A new attempt forgets the old failure.
			if _, _, err := c.Start(); err != nil {
				t.Fatal(err)
			}
			if got := xoauth2Failure(c); got != nil {
				t.Errorf("failure after a new Start = %+v, want nil", got)
			}
		})
	}
}

func TestXOAuth2ErrorText(t *testing.T) {
	err := error(&XOAuth2Error{Status: "401", Schemes: "bearer", Scope: "https://mail.google.com/"})
	want := "xoauth2: server rejected the token: status 401, schemes bearer, scope https://mail.google.com/"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	var xe *XOAuth2Error
	if !errors.As(err, &xe) {
		t.Error("errors.As failed")
	}
}
