package mailer_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"scanmail/mailer"
)

// resolver answers every MX lookup with its records and error, and keeps
// the names asked for: no lookup leaves the machine.
type resolver struct {
	mxs   []*net.MX
	err   error
	asked []string
}

func (r *resolver) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	r.asked = append(r.asked, name)
	return r.mxs, r.err
}

func TestLookupMX(t *testing.T) {
	const exo = "contoso-com.mail.protection.outlook.com"
	tests := []struct {
		name      string
		domain    string
		mxs       []*net.MX
		err       error
		want      string
		asked     string // the name looked up; "" for none
		temporary bool
		summary   string // of the failure
	}{
		{name: "one", domain: "contoso.com", mxs: []*net.MX{{Host: exo + ".", Pref: 0}}, want: exo, asked: "contoso.com"},
		{name: "lowest preference wins", domain: "contoso.com", mxs: []*net.MX{
			{Host: "backup.contoso.com.", Pref: 20}, {Host: "Contoso-COM.mail.protection.outlook.com.", Pref: 10}, {Host: "other.contoso.com.", Pref: 30},
		}, want: exo, asked: "contoso.com"},
		{name: "domain as typed", domain: " contoso.com. ", mxs: []*net.MX{{Host: exo, Pref: 5}}, want: exo, asked: "contoso.com"},
		{name: "records beside an error", domain: "contoso.com", mxs: []*net.MX{{Host: exo + ".", Pref: 0}},
			err: &net.DNSError{Err: "cannot unmarshal DNS message", Name: "contoso.com"}, want: exo, asked: "contoso.com"},
		{name: "null MX", domain: "example.com", mxs: []*net.MX{{Host: ".", Pref: 0}}, asked: "example.com", summary: "no mail server"},
		{name: "no records", domain: "example.com", asked: "example.com", summary: "no mail server"},
		{name: "NXDOMAIN", domain: "contoso.example", err: &net.DNSError{Err: "no such host", Name: "contoso.example", IsNotFound: true},
			asked: "contoso.example", summary: "no mail server"},
		{name: "temporary", domain: "contoso.com", err: &net.DNSError{Err: "server misbehaving", Name: "contoso.com", IsTemporary: true},
			asked: "contoso.com", temporary: true, summary: "try again in a few minutes"},
		{name: "timeout", domain: "contoso.com", err: &net.DNSError{Err: "i/o timeout", Name: "contoso.com", IsTimeout: true, IsTemporary: true},
			asked: "contoso.com", temporary: true, summary: "try again in a few minutes"},
		{name: "no domain", domain: " ", summary: "No e-mail domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &resolver{mxs: tt.mxs, err: tt.err}
			got, err := mailer.LookupMX(context.Background(), r, tt.domain)
			if tt.asked == "" && len(r.asked) != 0 || tt.asked != "" && (len(r.asked) != 1 || r.asked[0] != tt.asked) {
				t.Errorf("looked up %q, want %q", r.asked, tt.asked)
			}
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Errorf("LookupMX = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			var e *mailer.Error
			if !errors.As(err, &e) {
				t.Fatalf("LookupMX = %q, %v; want an *Error", got, err)
			}
			if e.Step != "dns" || e.Temporary() != tt.temporary || !strings.Contains(e.Summary, tt.summary) || e.Hint == "" {
				t.Errorf("step %q temporary %v summary %q hint %q; want dns, %v, %q and a hint", e.Step, e.Temporary(), e.Summary, e.Hint, tt.temporary, tt.summary)
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("error %v does not wrap the resolver's", err)
			}
		})
	}
}
