package webui

import (
	"bytes"
	"strings"
	"testing"

	"scanmail/device/apitype"
)

// TestStatusShowsRoad: the status page says how the device sends, and
// the device's standing warning about it; the sign-in's rows only for
// the road that signs in.
func TestStatusShowsRoad(t *testing.T) {
	for _, tt := range []struct {
		st     apitype.Status
		want   []string
		absent []string
	}{
		{apitype.Status{Road: apitype.RoadPassword, RoadName: "SMTP AUTH with a password",
			RoadWarning: "Microsoft switches password sign-in off by default at the end of 2026."},
			[]string{`<dd id="road">SMTP AUTH with a password</dd>`, `id="road-warning"`, "at the end of 2026", `href="/settings#roads"`},
			[]string{"Signed in as"}},
		{apitype.Status{Road: apitype.RoadOAuth, RoadName: "OAuth sign-in"},
			[]string{`<dd id="road">OAuth sign-in</dd>`, "Signed in as"},
			[]string{`id="road-warning"`}},
		// A daemon from before the roads says nothing of them: it signs
		// in.
		{apitype.Status{}, []string{`<dd id="road">Sign-in with a code (OAuth)</dd>`, "Signed in as"}, nil},
	} {
		var buf bytes.Buffer
		if err := templates()["status"].ExecuteTemplate(&buf, "layout.html", page{Title: "Status", LoggedIn: true, Data: statusPage{Status: tt.st}}); err != nil {
			t.Fatal(err)
		}
		html := buf.String()
		contains(t, html, tt.want...)
		for _, a := range tt.absent {
			if strings.Contains(html, a) {
				t.Errorf("road %q: the page has %q:\n%s", tt.st.Road, a, html)
			}
		}
	}
}
