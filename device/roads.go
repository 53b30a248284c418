package device

import (
	"errors"
	"fmt"
	"strings"

	"scanmail/device/apitype"
)

// errRoadSetup means the road chosen lacks something only an admin can
// set (a password, a device address in an accepted domain, a road the
// provider takes). Jobs wait for it, as for a sign-in.
var errRoadSetup = errors.New("the way of sending is not set up")

// basicAuthWarning is the standing warning of the password road on
// Exchange Online.
const basicAuthWarning = "Microsoft is retiring password sign-in (Basic authentication) for SMTP AUTH: off by default from the end of 2026, removed in 2027. Move to sign-in with a code, direct send or a connector before then."

// roadName is a road in words.
func roadName(road string) string {
	switch road {
	case apitype.RoadOAuth:
		return "Sign-in with a code (SMTP AUTH, OAuth)"
	case apitype.RoadPassword:
		return "Password (SMTP AUTH)"
	case apitype.RoadDirect:
		return "Direct send to the organisation's MX endpoint"
	case apitype.RoadRelay:
		return "Relay through a connector"
	}
	return road
}

// roadError is a road not set up, in words, with its fix.
func roadError(summary, hint string) error {
	return &Error{Summary: summary, Hint: hint, Err: errRoadSetup, Code: apitype.CodeSetupNeeded}
}

// readyBy checks, without touching the network, that the device can send
// by road: a provider that takes it, and what the road needs. Only the
// OAuth road needs a sign-in, and the UPN rule.
func (d *Device) readyBy(s Settings, road string, acct Account, signedIn bool) (Provider, error) {
	if road == apitype.RoadOAuth || road == "" {
		return d.oauthReady(s, acct, signedIn)
	}
	p, err := s.providerFor(road)
	if err != nil {
		return p, &Error{Summary: "The mail provider is not set up", Hint: "Fix the mail provider settings.", Err: err, Code: apitype.CodeSetupNeeded}
	}
	if err := roadTaken(p, road); err != nil {
		return p, err
	}
	if s.DeviceAddress == "" {
		return p, roadError("No device address is set", "Set the device address: the address the device sends as.")
	}
	switch road {
	case apitype.RoadPassword:
		if s.Password.Secret == "" {
			hint := fmt.Sprintf("Enter the password of %s in the settings.", s.username())
			if p.ID == GmailProviderID {
				hint = fmt.Sprintf("Enter an app password of %s in the settings (Google account › Security › App passwords; it needs 2-Step Verification, and accounts under Advanced Protection cannot have one).", s.username())
			}
			return p, roadError("No password is set for sending", hint)
		}
		if p.BasicAuthRetiring && !s.Password.BasicAuthOK {
			return p, roadError("Password sign-in is not confirmed for "+p.Name,
				basicAuthWarning+" To send with a password meanwhile, confirm it in the settings (password sign-in allowed: yes).")
		}
	case apitype.RoadDirect, apitype.RoadRelay:
		domains := s.acceptedDomains()
		if !inDomains(s.DeviceAddress, domains) {
			return p, roadError(
				fmt.Sprintf("The device address %s is not in the organisation's domains (%s)", s.DeviceAddress, strings.Join(domains, ", ")),
				"Direct send and relay send only from an accepted domain: set the device address to an address in one, or add its domain to the accepted domains.")
		}
	}
	return p, nil
}

// roadTaken refuses a road the provider does not take.
func roadTaken(p Provider, road string) error {
	if p.SupportsRoad(road) {
		return nil
	}
	names := make([]string, len(p.Roads))
	for i, r := range p.Roads {
		names[i] = roadName(r)
	}
	hint := "Choose how the device sends: " + strings.Join(names, ", ") + "."
	if p.ID == GmailProviderID && road == apitype.RoadOAuth {
		hint = "Google does not allow Gmail in the sign-in with a code: send with an app password instead."
	}
	return roadError(fmt.Sprintf("%s does not take %s", p.Name, strings.ToLower(roadName(road)[:1])+roadName(road)[1:]), hint)
}

// roadStatus is the road's part of the status: its name, the server it
// goes to as far as known without the network, and its standing warning.
func roadStatus(s Settings) roadInfo {
	road := s.road()
	st := roadInfo{road: road, name: roadName(road)}
	p, err := s.providerFor(road)
	switch road {
	case apitype.RoadOAuth, apitype.RoadPassword:
		if err == nil && p.SMTPHost != "" {
			st.server = fmt.Sprintf("%s:%d", p.SMTPHost, p.SMTPPort)
		}
	default:
		switch host, domain := s.MX.Host, domainOf(s.DeviceAddress); {
		case host != "":
			st.server = fmt.Sprintf("%s:%d", host, s.MX.Port)
		case domain != "":
			st.server = fmt.Sprintf("MX of %s, port %d", domain, s.MX.Port)
		}
	}
	if road == apitype.RoadPassword && err == nil && p.BasicAuthRetiring && s.Password.BasicAuthOK {
		st.warning = basicAuthWarning
	}
	return st
}

// roadInfo is the road's part of the status.
type roadInfo struct {
	road, name, server, warning string
}

// checkInternal refuses a recipient outside domains: direct send reaches
// only the organisation's accepted domains, and Exchange Online would
// refuse the others (5.7.54), after the scan.
func checkInternal(to []string, domains []string) error {
	for _, a := range to {
		if inDomains(a, domains) {
			continue
		}
		return &Error{
			Summary: fmt.Sprintf("Direct send reaches only addresses in %s: %s is not one", orList(domains), a),
			Hint:    "Choose an address in your organisation, or have the admin send through a connector or with sign-in.",
			Code:    apitype.CodeExternalRecipient,
		}
	}
	return nil
}

// orList is "a", "a or b", "a, b or c".
func orList(words []string) string {
	switch len(words) {
	case 0:
		return "no domain"
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
