package device

import (
	"fmt"
	"strings"
)

// The panel's idle time: long enough to fetch a document from a desk,
// short enough that the next operator does not send to the last one's
// destinations.
const (
	defaultPanelIdleSeconds = 60
	minPanelIdleSeconds     = 10
	maxPanelIdleSeconds     = 600
)

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// checkMailDomain takes a domain that an address typed at the panel can
// end in: what the mail server gets, as for any recipient.
func checkMailDomain(domain string) error {
	if strings.HasPrefix(domain, "@") || strings.HasPrefix(domain, "[") || !strings.Contains(domain, ".") {
		return fmt.Errorf("%q is not a mail domain such as contoso.com", domain)
	}
	if _, err := parseBareAddress("user@" + domain); err != nil {
		return fmt.Errorf("%q is not a mail domain such as contoso.com", domain)
	}
	return nil
}
