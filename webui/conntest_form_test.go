package webui

import (
	"bytes"
	"html"
	"strings"
	"testing"

	"scanmail/device/apitype"
)

// TestConnTestStepsOfRoad: the page lists the steps the road takes, the
// MX record's first for direct send and relay, and a step the device
// reports that the page did not list goes in its place.
func TestConnTestStepsOfRoad(t *testing.T) {
	ids := func(d *testPage) string {
		var s []string
		for _, st := range d.Steps {
			s = append(s, st.Step)
		}
		return strings.Join(s, " ")
	}
	for road, want := range map[string]string{
		"":                   "dns tcp starttls tls token auth mail-from rcpt data",
		apitype.RoadOAuth:    "dns tcp starttls tls token auth mail-from rcpt data",
		apitype.RoadPassword: "dns tcp starttls tls auth mail-from rcpt data",
		apitype.RoadDirect:   "mx dns tcp starttls tls mail-from rcpt data",
		apitype.RoadRelay:    "mx dns tcp starttls tls mail-from rcpt data",
	} {
		if got := ids(newTestPage("", road)); got != want {
			t.Errorf("road %q: steps %s, want %s", road, got, want)
		}
	}
	d := newTestPage("", apitype.RoadPassword)
	d.update(apitype.ConnTestStep{Step: apitype.StepMX, State: apitype.StepOK})
	d.update(apitype.ConnTestStep{Step: apitype.StepToken, State: apitype.StepSkipped})
	d.update(apitype.ConnTestStep{Step: "carrier", State: apitype.StepOK})
	if got, want := ids(d), "mx dns tcp starttls tls token auth mail-from rcpt data carrier"; got != want {
		t.Errorf("steps %s, want %s", got, want)
	}
}

// TestConnTestSuggestsRoad: a failed step with a suggested road names it,
// with the device's hint, and links to the roads' comparison with that
// road marked.
func TestConnTestSuggestsRoad(t *testing.T) {
	d := newTestPage("", apitype.RoadOAuth)
	d.update(apitype.ConnTestStep{Step: apitype.StepAuth, State: apitype.StepFailed, Error: "SMTP AUTH is turned off for the organisation (5.7.139)",
		Hint: "Allow SMTP AUTH for the mailbox, or send by direct send, which needs no sign-in.", Suggest: apitype.RoadDirect})
	d.end(nil)
	var buf bytes.Buffer
	if err := templates()["conntest"].ExecuteTemplate(&buf, "result", d); err != nil {
		t.Fatal(err)
	}
	got := html.UnescapeString(buf.String())
	for _, want := range []string{`id="test-failed"`, "5.7.139", "Fix:</strong> Allow SMTP AUTH", `id="suggest-road"`, "Another way of sending fits here: Direct send.",
		`href="/settings?suggest=direct#roads" id="fix-road">Choose Direct send in the settings`} {
		if !strings.Contains(got, want) {
			t.Errorf("the result lacks %q:\n%s", want, got)
		}
	}
	// Without a suggestion, none is shown.
	d = newTestPage("", apitype.RoadOAuth)
	d.update(apitype.ConnTestStep{Step: apitype.StepRcpt, State: apitype.StepFailed, Error: "unknown recipient"})
	d.end(nil)
	buf.Reset()
	if err := templates()["conntest"].ExecuteTemplate(&buf, "result", d); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "suggest-road") {
		t.Errorf("a road suggested without the device's word:\n%s", buf.String())
	}
}
