package device

import (
	"context"
	"net"
	"strings"
	"testing"

	"scanmail/device/apitype"
	"scanmail/scan/scansim"
)

// TestRoadReadiness: each road says, without the network, whether the
// device can send, and what is missing in words with the fix. Only the
// OAuth road speaks of signing in.
func TestRoadReadiness(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		settings map[string]string
		ready    bool
		problem  string // in Status.Problem
		hint     string // in Status.Hint
		code     apitype.ErrorCode
		warning  string // in Status.RoadWarning
	}{
		{name: "oauth, not signed in", settings: map[string]string{"device_address": "scanner@contoso.com"},
			problem: "Not signed in", code: apitype.CodeSignInNeeded},
		{name: "password without a password", settings: map[string]string{"road": "password", "device_address": "scanner@contoso.com"},
			problem: "No password is set", hint: "password of scanner@contoso.com", code: apitype.CodeSetupNeeded},
		{name: "password on Exchange, not confirmed", settings: map[string]string{"road": "password", "device_address": "scanner@contoso.com", "password.secret": "pw"},
			problem: "Password sign-in is not confirmed", hint: "removed in 2027", code: apitype.CodeSetupNeeded},
		{name: "password on Exchange, confirmed", settings: map[string]string{"road": "password", "device_address": "scanner@contoso.com", "password.secret": "pw", "password.basic_auth_ok": "yes"},
			ready: true, warning: "off by default from the end of 2026"},
		{name: "gmail password", settings: map[string]string{"provider": "gmail", "road": "password", "device_address": "scanner@gmail.com", "password.secret": "abcd efgh ijkl mnop"},
			ready: true},
		{name: "gmail without an app password", settings: map[string]string{"provider": "gmail", "road": "password", "device_address": "scanner@gmail.com"},
			problem: "No password is set", hint: "app password", code: apitype.CodeSetupNeeded},
		{name: "gmail by sign-in", settings: map[string]string{"provider": "gmail", "device_address": "scanner@gmail.com"},
			problem: "does not take sign-in", hint: "app password", code: apitype.CodeSetupNeeded},
		{name: "outlook.com by password", settings: map[string]string{"provider": "outlook", "road": "password", "device_address": "me@outlook.com", "password.secret": "pw"},
			problem: "does not take password", code: apitype.CodeSetupNeeded},
		{name: "direct without a device address", settings: map[string]string{"road": "direct"},
			problem: "No device address is set", code: apitype.CodeSetupNeeded},
		{name: "direct", settings: map[string]string{"road": "direct", "device_address": "scanner@contoso.com"},
			ready: true},
		{name: "direct from outside the accepted domains", settings: map[string]string{"road": "direct", "device_address": "scanner@contoso.com", "mx.accepted_domains": "fabrikam.com"},
			problem: "not in the organisation's domains (fabrikam.com)", hint: "accepted domain", code: apitype.CodeSetupNeeded},
		{name: "relay", settings: map[string]string{"road": "relay", "device_address": "scanner@sales.contoso.com", "mx.accepted_domains": "contoso.com sales.contoso.com"},
			ready: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dev := newBookDevice(t)
			for k, v := range tt.settings {
				if _, err := dev.SetConfig(k, v); err != nil {
					t.Fatalf("%s: %v", k, err)
				}
			}
			st, err := dev.Status()
			if err != nil {
				t.Fatal(err)
			}
			road := tt.settings["road"]
			if road == "" {
				road = apitype.RoadOAuth
			}
			if st.Road != road || st.RoadName != roadName(road) {
				t.Errorf("road %q %q, want %q", st.Road, st.RoadName, road)
			}
			if st.Ready != tt.ready || !strings.Contains(st.Problem, tt.problem) || !strings.Contains(st.Hint, tt.hint) || st.ProblemCode != tt.code {
				t.Errorf("ready %v, problem %q, hint %q, code %q; want %v %q %q %q", st.Ready, st.Problem, st.Hint, st.ProblemCode, tt.ready, tt.problem, tt.hint, tt.code)
			}
			if road != apitype.RoadOAuth && strings.Contains(strings.ToLower(st.Problem+st.Hint), "sign in") {
				t.Errorf("the %s road speaks of signing in: %q / %q", road, st.Problem, st.Hint)
			}
			if (tt.warning == "") != (st.RoadWarning == "") || !strings.Contains(st.RoadWarning, tt.warning) {
				t.Errorf("road warning %q, want %q", st.RoadWarning, tt.warning)
			}
			// A scan is refused before scanning for the same reason.
			if !tt.ready {
				_, err := dev.Scan(context.Background(), apitype.ScanRequest{To: []string{"alice@contoso.com"}, Pages: 1}, nil)
				if CodeOf(err) != tt.code {
					t.Errorf("scan: %v, want %s", err, tt.code)
				}
			}
		})
	}
}

// mxResolver answers MX lookups from a table, so that no lookup leaves
// the machine.
type mxResolver map[string][]*net.MX

func (r mxResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	if mxs, ok := r[name]; ok {
		return mxs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// TestRoutes: each road's route: server, TLS, sign-in, sender, limits and
// size. Direct send and relay find the MX endpoint through the resolver
// unless mx.host is set, and are not bound by the submission limits.
func TestRoutes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := OpenStore(dir + "/scanmail.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res := mxResolver{"contoso.com": {{Host: "mx2.contoso.com.", Pref: 20}, {Host: "contoso-com.mail.protection.outlook.com.", Pref: 10}}}
	dev, err := New(Config{Store: st, Scanner: &scansim.Scanner{}, SpoolDir: dir + "/spool", Resolver: res})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	base := map[string]string{"device_address": "scanner@contoso.com", "password.secret": "pw", "password.basic_auth_ok": "yes"}
	tests := []struct {
		road     string
		settings map[string]string
		host     string
		port     int
		tls      string // "required", "if offered"
		auth     bool
		perMin   int
		perDay   int
		maxSize  int64
		internal string
	}{
		{road: "password", host: "smtp.office365.com", port: 587, tls: "required", auth: true, perMin: 30, perDay: 10000, maxSize: 35 << 20},
		{road: "direct", host: "contoso-com.mail.protection.outlook.com", port: 25, tls: "if offered", perMin: -1, perDay: -1, maxSize: 35 << 20, internal: "contoso.com"},
		{road: "direct", settings: map[string]string{"mx.require_tls": "yes", "mx.host": "mx.contoso.com", "mx.accepted_domains": "contoso.com fabrikam.com", "limits.messages_per_minute": "60"},
			host: "mx.contoso.com", port: 25, tls: "required", perMin: 60, perDay: -1, maxSize: 35 << 20, internal: "contoso.com fabrikam.com"},
		{road: "relay", settings: map[string]string{"mx.port": "2525"}, host: "contoso-com.mail.protection.outlook.com", port: 2525, tls: "required", perMin: -1, perDay: -1, maxSize: 35 << 20},
	}
	for _, tt := range tests {
		s := DefaultSettings()
		for k, v := range base {
			s.Set(k, v)
		}
		for k, v := range tt.settings {
			if err := s.Set(k, v); err != nil {
				t.Fatal(err)
			}
		}
		rt, err := dev.routeFor(context.Background(), s, tt.road)
		if err != nil {
			t.Errorf("%s: %v", tt.road, err)
			continue
		}
		c := rt.sender.Config
		tlsPolicy := map[bool]string{true: "if offered", false: "required"}[c.TLS != 0]
		if rt.road != tt.road || c.Host != tt.host || c.Port != tt.port || tlsPolicy != tt.tls || (rt.auth != nil) != tt.auth ||
			rt.from != "scanner@contoso.com" || rt.limits.MessagesPerMinute != tt.perMin || rt.limits.RecipientsPerDay != tt.perDay ||
			rt.maxSize != tt.maxSize || strings.Join(rt.internal, " ") != tt.internal || c.ClientCert != nil {
			t.Errorf("%s %v: %+v %+v", tt.road, tt.settings, rt, c)
		}
	}

	// No MX record: words, and the fix.
	s := DefaultSettings()
	s.Set("device_address", "scanner@fabrikam.com")
	_, err = dev.routeFor(context.Background(), s, apitype.RoadDirect)
	if summary, hint := Explain(err); !strings.Contains(summary, "MX endpoint of fabrikam.com") || !strings.Contains(hint, "mail.protection.outlook.com") {
		t.Errorf("no MX: %q / %q", summary, hint)
	}
}
