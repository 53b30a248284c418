package device

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/mailer"
)

// runRoadConnTest runs the connection test of the password road, direct
// send or relay until a step fails. Direct send and relay look the MX
// endpoint up (unless it is set), sign in with nothing and say so; the
// password road signs in with the password.
func (d *Device) runRoadConnTest(ctx context.Context, t *connTest, s Settings, road, to string) {
	var (
		rt    *route
		probe *mailer.Probe
	)
	transcript := mailer.NewTranscript(0, 0, d.now)
	defer func() {
		if probe != nil {
			probe.Close()
			d.log.Debug("connection test: SMTP log", "road", road, "host", rt.sender.Config.Host, "port", rt.sender.Config.Port, "smtp_log", transcript.String())
		}
	}()
	mx := road == apitype.RoadDirect || road == apitype.RoadRelay
	// What the road needs is checked before anything looks up or
	// connects, as for a job.
	if _, err := d.readyBy(s, road, Account{}, false); err != nil {
		t.run(t.steps[0], func() (string, error) { return "", err })
		return
	}
	if mx {
		ok := true
		if s.MX.Host != "" {
			t.skip(apitype.StepMX, "the MX endpoint is set: "+s.MX.Host)
		} else {
			ok = t.run(apitype.StepMX, func() (string, error) {
				host, err := d.mxHost(ctx, s)
				s.MX.Host = host // the route goes there, without a second lookup
				return fmt.Sprintf("MX of %s → %s", domainOf(s.DeviceAddress), host), err
			})
		}
		if !ok {
			return
		}
	}
	ok := t.run(apitype.StepDNS, func() (string, error) {
		var err error
		if rt, err = d.routeFor(ctx, s, road); err != nil {
			return "", err
		}
		sender := rt.sender
		sender.Config.Transcript = transcript
		probe = sender.Probe(ctx)
		if rt.auth == nil {
			probe.SetAuth(mailer.AuthNone)
		} else {
			probe.SetAuth(mailer.AuthPassword)
		}
		ips, err := probe.Resolve()
		return fmt.Sprintf("%s → %s", rt.sender.Config.Host, joinIPs(ips)), err
	}) && t.run(apitype.StepTCP, func() (string, error) {
		addr, greeting, err := probe.Connect()
		return fmt.Sprintf("connected to %s; %s", addr, greeting), err
	}) && t.run(apitype.StepSTARTTLS, func() (string, error) {
		answer, err := probe.StartTLS()
		if err != nil || !probe.Encrypted() {
			return answer, err
		}
		return "offered; " + answer, nil
	}) && t.run(apitype.StepTLS, func() (string, error) {
		info, err := probe.CheckTLS()
		if err == nil && !probe.Encrypted() {
			return "not encrypted: the MX endpoint offers no STARTTLS, and direct send goes on without it", nil
		}
		detail := d.tlsDetail(info)
		if c := rt.sender.Config.ClientCert; c != nil && c.Leaf != nil {
			detail += "; client certificate for " + joinNames(certNames(c.Leaf)) + " presented"
		}
		return detail, err
	}) && t.skip(apitype.StepToken, "no sign-in token: "+map[bool]string{true: "direct send and relay do not sign in", false: "the password signs in"}[mx]) &&
		d.authStep(t, probe, rt) && t.run(apitype.StepMailFrom, func() (string, error) {
		return probe.Mail(rt.from)
	}) && t.run(apitype.StepRcpt, func() (string, error) {
		rcpt := to
		if rcpt == "" {
			rcpt = rt.from
		}
		if rt.internal != nil {
			if err := checkInternal([]string{rcpt}, rt.internal); err != nil {
				return "", err
			}
		}
		answer, err := probe.Rcpt(rcpt)
		return rcpt + ": " + answer, err
	})
	if !ok || to == "" {
		return
	}
	t.run(apitype.StepData, func() (string, error) {
		return d.sendTestMessage(probe, rt.limits, rt.from, to)
	})
}

// authStep signs in with the password, or says why the road does not.
func (d *Device) authStep(t *connTest, probe *mailer.Probe, rt *route) bool {
	switch {
	case rt.auth != nil:
		return t.run(apitype.StepAuth, func() (string, error) { return probe.Auth(rt.auth) })
	case rt.road == apitype.RoadDirect:
		return t.skip(apitype.StepAuth, "direct send does not sign in: the MX endpoint takes mail for the organisation's own domains")
	case rt.sender.Config.ClientCert != nil:
		return t.skip(apitype.StepAuth, "relay does not sign in: the connector recognises the device by its client certificate")
	}
	return t.skip(apitype.StepAuth, "relay does not sign in: the connector recognises the device by its IP address")
}

func joinNames(names []string) string {
	if len(names) == 0 {
		return "(no name)"
	}
	return orList(names)
}

// closedRoadSuggestion is, for the submission roads (sign-in and
// password), the road that fits where SMTP AUTH is turned off (5.7.139) or
// the submission port (587) is blocked: direct send for the organisation's own
// recipients, a connector for any. Only where the provider takes it.
func closedRoadSuggestion(s Settings, road, to string) func(step string, err error) (string, string) {
	if road != apitype.RoadOAuth && road != apitype.RoadPassword {
		return nil
	}
	p, err := s.providerFor(road)
	if err != nil {
		return nil
	}
	return func(step string, err error) (string, string) {
		var why string
		switch {
		case smtpAuthOff(err):
			why = "Sign-in and password both need SMTP AUTH."
		case step == apitype.StepTCP && portClosed(err):
			why = fmt.Sprintf("Outgoing port %d to %s cannot be reached from this network; a firewall may block it.", p.SMTPPort, p.SMTPHost)
		default:
			return "", ""
		}
		domains := s.acceptedDomains()
		switch {
		case p.SupportsRoad(apitype.RoadDirect) && (to == "" || inDomains(to, domains)) && len(domains) > 0:
			return apitype.RoadDirect, why + fmt.Sprintf(" Direct send needs neither: it goes to the organisation's MX endpoint on port 25 and reaches addresses in %s. "+
				"Choose direct send as the way the device sends (and the MX endpoint, if the domain's MX record does not name it). "+
				"To reach any address, have the admin set up a connector and choose relay.", orList(domains))
		case p.SupportsRoad(apitype.RoadRelay):
			return apitype.RoadRelay, why + " A connector takes mail for any address without SMTP AUTH, on port 25, recognising the device by its IP address or client certificate: " +
				"have the admin set one up, then choose relay as the way the device sends."
		}
		return "", ""
	}
}

// smtpAuthOff reports whether err is Exchange Online's 5.7.139: SMTP AUTH
// turned off for the mailbox or the tenant.
func smtpAuthOff(err error) bool {
	var se *smtp.SMTPError
	return errors.As(err, &se) && se.EnhancedCode == smtp.EnhancedCode{5, 7, 139}
}

// portClosed reports whether a connection was refused or not answered,
// as where a firewall blocks the port.
func portClosed(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
