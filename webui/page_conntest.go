package webui

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"scanmail/device/apitype"
)

// testPage runs the connection test. Without JavaScript the form's POST
// answers when the test has ended, with every step; assets/forms.js posts
// the same form asking for an event stream and swaps in each step as the
// device reports it, rendered here by the same templates.
type testPage struct {
	To    string
	Steps []testStep
	// Ran says the test has ended; Failed is its failing step, if any.
	Ran     bool
	Failed  *testStep
	Problem *problem
}

type testStep struct {
	apitype.ConnTestStep
	Label string
	// Order is the step's place among testSteps, so that a step the
	// page did not list goes in its place (data-order for forms.js).
	Order int
}

// testSteps are the steps in the order they run, with their names on the
// page.
var testSteps = []struct{ Step, Label string }{
	{apitype.StepMX, "Mail server of the domain (MX record)"},
	{apitype.StepDNS, "Name lookup (DNS)"},
	{apitype.StepTCP, "Connection (TCP)"},
	{apitype.StepSTARTTLS, "STARTTLS"},
	{apitype.StepTLS, "TLS and the server's certificate"},
	{apitype.StepToken, "Access token"},
	{apitype.StepAuth, "Sign-in to the mail server (AUTH)"},
	{apitype.StepMailFrom, "Sender (MAIL FROM)"},
	{apitype.StepRcpt, "Recipient (RCPT TO)"},
	{apitype.StepData, "Test message (DATA)"},
}

// newTestPage lists the steps the road (apitype.RoadOAuth...) takes:
// the MX record only for direct send and relay, the access token only
// for the sign-in by code, AUTH not for the MX endpoint.
func newTestPage(to, road string) *testPage {
	d := &testPage{To: to}
	for i, st := range testSteps {
		if !stepOnRoad(st.Step, road) {
			continue
		}
		d.Steps = append(d.Steps, testStep{ConnTestStep: apitype.ConnTestStep{Step: st.Step, State: "waiting"}, Label: st.Label, Order: i})
	}
	return d
}

func stepOnRoad(step, road string) bool {
	mx := road == apitype.RoadDirect || road == apitype.RoadRelay
	switch step {
	case apitype.StepMX:
		return mx
	case apitype.StepToken:
		return road == apitype.RoadOAuth || road == ""
	case apitype.StepAuth:
		return !mx
	}
	return true
}

// update records a step's news and returns it as shown; a step not
// listed goes in its place.
func (d *testPage) update(s apitype.ConnTestStep) testStep {
	for i := range d.Steps {
		if d.Steps[i].Step == s.Step {
			d.Steps[i].ConnTestStep = s
			return d.Steps[i]
		}
	}
	st := testStep{ConnTestStep: s, Label: s.Step, Order: len(testSteps)}
	for i, known := range testSteps {
		if known.Step == s.Step {
			st.Label, st.Order = known.Label, i
		}
	}
	at := len(d.Steps)
	for i := range d.Steps {
		if d.Steps[i].Order > st.Order {
			at = i
			break
		}
	}
	d.Steps = slices.Insert(d.Steps, at, st)
	return st
}

// end marks the test ended: the first failed step is the one named.
func (d *testPage) end(err error) {
	d.Ran = err == nil
	if err != nil {
		p := problemOf(err)
		d.Problem = &p
		return
	}
	for i := range d.Steps {
		if d.Steps[i].State == apitype.StepFailed {
			d.Failed = &d.Steps[i]
			return
		}
	}
}

func (s *server) serveTest(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "conntest", page{Title: "Connection test", Nav: "test", LoggedIn: true, Data: newTestPage("", s.road(r.Context()))})
}

// road is how the device sends, "" when it does not say.
func (s *server) road(ctx context.Context) string {
	st, err := s.api.Status(ctx)
	if err != nil {
		return ""
	}
	return st.Road
}

func (s *server) postTest(w http.ResponseWriter, r *http.Request) {
	d := newTestPage(strings.TrimSpace(r.PostFormValue("to")), s.road(r.Context()))
	req := apitype.ConnTestRequest{To: d.To}
	if strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		s.streamTest(w, r, d, req)
		return
	}
	_, err := s.api.TestConnection(r.Context(), req, func(st apitype.ConnTestStep) { d.update(st) })
	d.end(err)
	code := http.StatusOK
	if d.Problem != nil {
		code = http.StatusConflict
	}
	s.render(w, code, "conntest", page{Title: "Connection test", Nav: "test", LoggedIn: true, Data: d})
}

// streamTest sends each step as an event holding its list item's HTML,
// and at the end the result's; a browser that stops reading ends the
// test.
func (s *server) streamTest(w http.ResponseWriter, r *http.Request, d *testPage, req apitype.ConnTestRequest) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	send := func(event, fragment string, data any) {
		if ctx.Err() != nil {
			return
		}
		var buf bytes.Buffer
		if err := templates()["conntest"].ExecuteTemplate(&buf, fragment, data); err != nil {
			s.log.Error("web page", "page", "conntest", "err", err)
			cancel()
			return
		}
		rc.SetWriteDeadline(time.Now().Add(s.eventWriteTimeout))
		_, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, strings.ReplaceAll(buf.String(), "\n", "\ndata: "))
		if err != nil || rc.Flush() != nil {
			cancel()
		}
	}
	_, err := s.api.TestConnection(ctx, req, func(st apitype.ConnTestStep) { send("step", "step", d.update(st)) })
	d.end(err)
	send("result", "result", d)
}
