package mailer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
)

// Resolver looks up MX records; *net.Resolver is one, and tests give
// their own so that no lookup leaves the machine.
type Resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
}

var (
	// errMXLookup marks every failure of LookupMX, so that the catalogue
	// tells a domain's mail server from a server's own name.
	errMXLookup = errors.New("MX lookup")
	// errNoMX means the domain has no MX record, or only the null MX of
	// RFC 7505 ("." : the domain takes no mail).
	errNoMX = errors.New("the domain has no MX record")
	// errNoDomain means LookupMX was given no domain.
	errNoDomain = errors.New("no domain given")
)

// LookupMX is the mail server of domain: the host of its MX record of
// the lowest preference, without the final dot. Exchange Online's is
// <domain with dashes>.mail.protection.outlook.com. Every failure is an
// *Error of step "dns"; its Temporary says whether looking again later
// may help (a DNS server that did not answer) or not (no such domain, no
// MX record).
func LookupMX(ctx context.Context, r Resolver, domain string) (string, error) {
	domain = strings.TrimSuffix(strings.TrimSpace(domain), ".")
	if domain == "" {
		return "", newError("dns", "", fmt.Errorf("%w: %w", errMXLookup, errNoDomain))
	}
	mxs, err := r.LookupMX(ctx, domain)
	if err != nil && len(mxs) == 0 {
		return "", newError("dns", "", fmt.Errorf("%w of %s: %w", errMXLookup, domain, err))
	}
	// Go gives the valid records with an error when some are not: those
	// are enough.
	mxs = slices.DeleteFunc(slices.Clone(mxs), func(mx *net.MX) bool {
		return mx == nil || strings.TrimSuffix(mx.Host, ".") == ""
	})
	if len(mxs) == 0 {
		return "", newError("dns", "", fmt.Errorf("%w of %s: %w", errMXLookup, domain, errNoMX))
	}
	best := slices.MinFunc(mxs, func(a, b *net.MX) int { return int(a.Pref) - int(b.Pref) })
	return strings.ToLower(strings.TrimSuffix(best.Host, ".")), nil
}
