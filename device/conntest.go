package device

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"scanmail/device/apitype"
	"scanmail/mailer"
)

// TestConnection runs the connection test with the current settings and
// sign-in, reporting each step as it starts and ends (see apitype.StepDNS
// and the others, in that order); it returns the steps as they ended. A
// step that fails ends the test: the steps after it are reported skipped.
// Only a request the test cannot run at all is an error: a second test
// while one runs (CodeBusy), a test recipient that is not an address, a
// device shutting down.
//
// The test takes no lock that jobs wait for, but while it sends its test
// message (only with req.To), which counts against the sending limits. It
// refreshes the access token as the device always does, storing a rotated
// refresh token. Cancelling ctx ends it.
func (d *Device) TestConnection(ctx context.Context, req apitype.ConnTestRequest, report func(apitype.ConnTestStep)) ([]apitype.ConnTestStep, error) {
	to := strings.TrimSpace(req.To)
	if to != "" {
		a, err := mailer.ParseAddress(to)
		if err != nil {
			return nil, &Error{Summary: fmt.Sprintf("%q is not an e-mail address", to), Hint: "Check the test recipient's address.", Code: apitype.CodeInvalidAddress}
		}
		to = a.Address
	}
	if !d.connTest.TryLock() {
		return nil, &Error{Summary: "A connection test is running", Hint: "Wait for it to end.", Code: apitype.CodeBusy}
	}
	defer d.connTest.Unlock()
	end, err := d.begin()
	if err != nil {
		return nil, err
	}
	defer end()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(d.ctx, cancel) // Close ends the test too
	defer stop()

	if report == nil {
		report = func(apitype.ConnTestStep) {}
	}
	s, err := d.store.Settings()
	if err != nil {
		return nil, err
	}
	road := s.road()
	steps := connTestStepsFor(road)
	t := &connTest{report: report, steps: steps, suggest: closedRoadSuggestion(s, road, to)}
	if to == "" {
		t.steps = steps[:len(steps)-1]
	}
	if road == apitype.RoadOAuth {
		d.runConnTest(ctx, t, to)
	} else {
		d.runRoadConnTest(ctx, t, s, road, to)
	}
	t.skipRest()
	if to == "" {
		t.end(apitype.ConnTestStep{Step: apitype.StepData, State: apitype.StepSkipped, Detail: "no test recipient given: no message sent"})
	}
	return t.done, nil
}

// connTestSteps are the steps in the order they run.
var connTestSteps = []string{
	apitype.StepDNS, apitype.StepTCP, apitype.StepSTARTTLS, apitype.StepTLS, apitype.StepToken,
	apitype.StepAuth, apitype.StepMailFrom, apitype.StepRcpt, apitype.StepData,
}

// connTestStepsFor are the steps of road: direct send and relay look the
// MX endpoint up first.
func connTestStepsFor(road string) []string {
	if road == apitype.RoadDirect || road == apitype.RoadRelay {
		return append([]string{apitype.StepMX}, connTestSteps...)
	}
	return connTestSteps
}

// connTest reports the steps of one connection test.
type connTest struct {
	report func(apitype.ConnTestStep)
	steps  []string // the steps to run
	next   int      // index in steps of the next to run
	done   []apitype.ConnTestStep
	// suggest, when set, is the road that fits where a failed step
	// shows this road closed, and why in words; "" when none.
	suggest func(step string, err error) (road, why string)
}

// run runs the next step, which is name; false means it failed.
func (t *connTest) run(name string, step func() (detail string, err error)) bool {
	t.next++
	t.report(apitype.ConnTestStep{Step: name, State: apitype.StepRunning})
	detail, err := step()
	if err != nil {
		t.fail(name, err)
		return false
	}
	t.end(apitype.ConnTestStep{Step: name, State: apitype.StepOK, Detail: detail})
	return true
}

// fail reports name failed with err, in the device's words, with the
// road that fits where t.suggest finds this one closed.
func (t *connTest) fail(name string, err error) {
	summary, hint := Explain(err)
	if me, ok := errors.AsType[*mailer.Error](err); ok && me.Rcpt != "" {
		summary = me.Rcpt + ": " + summary
	}
	step := apitype.ConnTestStep{Step: name, State: apitype.StepFailed, Error: summary, Hint: hint, ErrorCode: CodeOf(err)}
	if t.suggest != nil {
		if road, why := t.suggest(name, err); road != "" {
			step.Suggest, step.Hint = road, strings.TrimSpace(hint+" "+why)
		}
	}
	t.end(step)
}

// skip reports the next step, name, skipped, saying why.
func (t *connTest) skip(name, why string) bool {
	t.next++
	t.end(apitype.ConnTestStep{Step: name, State: apitype.StepSkipped, Detail: why})
	return true
}

func (t *connTest) end(s apitype.ConnTestStep) {
	t.done = append(t.done, s)
	t.report(s)
}

// skipRest reports the steps not run as skipped.
func (t *connTest) skipRest() {
	for ; t.next < len(t.steps); t.next++ {
		t.end(apitype.ConnTestStep{Step: t.steps[t.next], State: apitype.StepSkipped})
	}
}

// runConnTest runs the steps until one fails.
func (d *Device) runConnTest(ctx context.Context, t *connTest, to string) {
	var (
		s          Settings
		p          Provider
		probe      *mailer.Probe
		upn, token string
	)
	transcript := mailer.NewTranscript(0, 0, d.now)
	defer func() {
		if probe != nil {
			probe.Close()
			d.log.Debug("connection test: SMTP log", "host", p.SMTPHost, "port", p.SMTPPort, "smtp_log", transcript.String())
		}
	}()
	ok := t.run(apitype.StepDNS, func() (string, error) {
		// Sign-in, setup and the UPN rule are checked before anything
		// connects, as for a job.
		var err error
		if s, p, err = d.readyForTest(); err != nil {
			return "", err
		}
		var roots *x509.CertPool
		if p.CABundle != "" {
			if roots, err = certPool(p.CABundle); err != nil {
				return "", err
			}
		}
		sender := mailer.Sender{Config: mailer.Config{
			Host:       p.SMTPHost,
			Port:       p.SMTPPort,
			RootCAs:    roots,
			Timeout:    d.smtpTimeout,
			Logger:     d.log,
			Transcript: transcript,
		}}
		probe = sender.Probe(ctx)
		probe.SetAuth(mailer.AuthXOAuth2)
		ips, err := probe.Resolve()
		return fmt.Sprintf("%s → %s", p.SMTPHost, joinIPs(ips)), err
	}) && t.run(apitype.StepTCP, func() (string, error) {
		addr, greeting, err := probe.Connect()
		return fmt.Sprintf("connected to %s; %s", addr, greeting), err
	}) && t.run(apitype.StepSTARTTLS, func() (string, error) {
		answer, err := probe.StartTLS()
		return "offered; " + answer, err
	}) && t.run(apitype.StepTLS, func() (string, error) {
		info, err := probe.CheckTLS()
		return d.tlsDetail(info), err
	}) && t.run(apitype.StepToken, func() (string, error) {
		tok, acct, err := d.accessToken(ctx, true)
		if err != nil {
			return "", err
		}
		// A sign-in that changed meanwhile is checked again: only the
		// device address is ever signed in.
		if s, err := d.store.Settings(); err != nil {
			return "", err
		} else if err := checkUPNRule(s.DeviceAddress, acct.UPN); err != nil {
			return "", err
		}
		upn, token = acct.UPN, tok.AccessToken
		return d.tokenDetail(acct.UPN, tok.Expiry), nil
	}) && t.run(apitype.StepAuth, func() (string, error) {
		return probe.Auth(mailer.NewXOAuth2Client(upn, token))
	}) && t.run(apitype.StepMailFrom, func() (string, error) {
		return probe.Mail(upn)
	}) && t.run(apitype.StepRcpt, func() (string, error) {
		rcpt := to
		if rcpt == "" {
			rcpt = upn
		}
		answer, err := probe.Rcpt(rcpt)
		return rcpt + ": " + answer, err
	})
	if !ok || to == "" {
		return
	}
	t.run(apitype.StepData, func() (string, error) {
		return d.sendTestMessage(probe, s.limits(p), upn, to)
	})
}

// sendTestMessage sends the test message if the sending limits allow one
// now, and counts it; it holds the sending lock only meanwhile. It does not
// wait for the limits as a job does: the connection would sit idle, and
// the person testing wants an answer.
func (d *Device) sendTestMessage(probe *mailer.Probe, l mailer.Limits, from, to string) (string, error) {
	d.sendMu.Lock()
	defer d.sendMu.Unlock()
	th, err := d.throttleFor(l)
	if err != nil {
		return "", err
	}
	wait, err := th.Wait(1)
	if err != nil {
		return "", &Error{Summary: "The sending limits allow no message", Hint: "Check the limits settings.", Err: err}
	}
	if wait > 0 {
		return "", &Error{
			Summary:   fmt.Sprintf("The mail provider's sending limit (%d messages a minute, %d recipients a day) allows the next message in %s", l.MessagesPerMinute, l.RecipientsPerDay, wait.Round(time.Second)),
			Hint:      "No test message was sent. Run the test again then, or without a test recipient.",
			Temporary: true,
			Code:      apitype.CodeProviderUnavailable,
		}
	}
	now := d.now()
	answer, err := probe.Data(&mailer.Message{
		From:      from,
		To:        []string{to},
		Subject:   "scanmail connection test",
		Body:      "scanmail connection test: the device sent this message at " + now.Format("2006-01-02 15:04:05 MST") + ".\r\n",
		Date:      now,
		MessageID: mailer.MessageIDFor(from),
	})
	if err != nil {
		return "", err
	}
	d.sent(1)
	return "sent to " + to + "; " + answer, nil
}

func joinIPs(ips []net.IP) string {
	s := make([]string, len(ips))
	for i, ip := range ips {
		s[i] = ip.String()
	}
	return strings.Join(s, ", ")
}

// tlsDetail says what the TLS step found, certificate expiry included.
func (d *Device) tlsDetail(info mailer.TLSInfo) string {
	if info.Version == 0 {
		return ""
	}
	s := tls.VersionName(info.Version) + ", " + tls.CipherSuiteName(info.CipherSuite)
	if len(info.Names) > 0 {
		s += "; certificate for " + strings.Join(info.Names, ", ")
	}
	if !info.NotAfter.IsZero() {
		days := int(info.NotAfter.Sub(d.now()).Hours() / 24)
		s += fmt.Sprintf("; expires %s (in %d days)", info.NotAfter.UTC().Format("2006-01-02"), days)
	}
	return s
}

// tokenDetail says whose token the device holds and until when, never the
// token itself.
func (d *Device) tokenDetail(upn string, expiry time.Time) string {
	if expiry.IsZero() {
		return "access token for " + upn + " refreshed (no expiry given)"
	}
	return fmt.Sprintf("access token for %s refreshed, valid until %s (%s)", upn,
		expiry.UTC().Format("2006-01-02 15:04 MST"), expiry.Sub(d.now()).Round(time.Minute))
}

// readyForTest is the settings and provider when the device is ready to
// send (readyToSend).
func (d *Device) readyForTest() (Settings, Provider, error) {
	s, err := d.store.Settings()
	if err != nil {
		return s, Provider{}, err
	}
	acct, signedIn, err := d.store.Account()
	if err != nil {
		return s, Provider{}, err
	}
	p, err := d.readyToSend(s, acct, signedIn)
	return s, p, err
}
