package webui

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
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
}

// testSteps are the steps in the order they run, with their names on the
// page.
var testSteps = []struct{ Step, Label string }{
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

func newTestPage(to string) *testPage {
	d := &testPage{To: to}
	for _, st := range testSteps {
		d.Steps = append(d.Steps, testStep{ConnTestStep: apitype.ConnTestStep{Step: st.Step, State: "waiting"}, Label: st.Label})
	}
	return d
}

// update records a step's news and returns it as shown.
func (d *testPage) update(s apitype.ConnTestStep) testStep {
	for i := range d.Steps {
		if d.Steps[i].Step == s.Step {
			d.Steps[i].ConnTestStep = s
			return d.Steps[i]
		}
	}
	d.Steps = append(d.Steps, testStep{ConnTestStep: s, Label: s.Step})
	return d.Steps[len(d.Steps)-1]
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
	s.render(w, http.StatusOK, "conntest", page{Title: "Connection test", Nav: "test", LoggedIn: true, Data: newTestPage("")})
}

func (s *server) postTest(w http.ResponseWriter, r *http.Request) {
	d := newTestPage(strings.TrimSpace(r.PostFormValue("to")))
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
