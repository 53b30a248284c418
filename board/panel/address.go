package panel

import "strings"

// isAddress reports whether s is an address the device takes as a
// recipient: printable ASCII without spaces, a local part, one @ and a
// domain of at least two dot-separated labels. The device checks again; this
// is what lets the panel say "not an address yet" while it is typed.
func isAddress(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") || len(s) > 254 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r > '~' || strings.ContainsRune(`"(),:;<>[\]`, r) {
			return false
		}
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return false
		}
	}
	return true
}

// domainOf is the domain of an address, or "".
func domainOf(addr string) string {
	_, d, ok := strings.Cut(addr, "@")
	if !ok {
		return ""
	}
	return d
}

// complete adds the organisation's domain to what is typed: "ann" and
// "ann@" become "ann@domain"; a domain begun ("ann@con") is finished when
// domain begins with it. Anything else is left as it is.
func complete(typed, domain string) string {
	if domain == "" || typed == "" {
		return typed
	}
	local, part, ok := strings.Cut(typed, "@")
	switch {
	case !ok:
		return typed + "@" + domain
	case local != "" && strings.HasPrefix(strings.ToLower(domain), strings.ToLower(part)):
		return local + "@" + domain
	}
	return typed
}
