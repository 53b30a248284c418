package webui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAlertSettingsSection: the settings page groups the alerts' settings
// under their own heading, with their names in words.
func TestAlertSettingsSection(t *testing.T) {
	r := newRig(t)
	c := r.login(t, r.tls)
	res, body := get(t, c, r.tls.URL+"/settings")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("settings: %s", res.Status)
	}
	i := strings.Index(body, "<legend>Alerts")
	if i < 0 {
		t.Fatalf("no Alerts section:\n%s", body)
	}
	for _, want := range []string{"Admin&#39;s address for alerts", "How alerts are mailed", "One alert mail at most every"} {
		if !strings.Contains(body[i:], want) {
			t.Errorf("the Alerts section lacks %q", want)
		}
	}
}

// TestAlertAckGoesBack: acknowledging comes back to the page it was done
// on, never to another site; one acknowledged already is no error.
func TestAlertAckGoesBack(t *testing.T) {
	r := newRig(t)
	c := r.login(t, r.tls)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for back, want := range map[string]string{
		"/jobs?n=5":            "/jobs?n=5",
		"//evil.example/":      "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"":                     "/",
	} {
		res, err := c.PostForm(r.tls.URL+"/alerts/ack", url.Values{"kind": {"jobs-failing"}, "back": {back}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("back %q: %s to %q, want 303 to %q", back, res.Status, res.Header.Get("Location"), want)
		}
	}
}
