package webui

import (
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
)

// csp allows nothing but the device's own files: no inline script or
// style, no framing.
const csp = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// safe wraps the pages in the checks every request passes: the Host
// allow-list, cross-origin protection, and the security headers.
func safe(h http.Handler, hosts []string, log *slog.Logger) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Warn("web: cross-origin request refused", "method", r.Method, "path", r.URL.Path, "origin", r.Header.Get("Origin"))
		http.Error(w, "Refused: this request came from another site.", http.StatusForbidden)
	}))
	inner := cop.Handler(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cache-Control", "no-store")
		if !hostAllowed(r.Host, hosts) {
			// A name we do not answer to is DNS rebinding, or a
			// misconfigured proxy: either way not for us.
			log.Warn("web: request for a foreign host refused", "host", r.Host)
			http.Error(w, "Refused: this device does not answer to that name.", http.StatusMisdirectedRequest)
			return
		}
		if unsafeMethod(r.Method) && r.TLS == nil &&
			r.Header.Get("Sec-Fetch-Site") == "" && r.Header.Get("Origin") == "" {
			// Over plain HTTP a browser may send neither header, and
			// CrossOriginProtection lets such a request pass; a form
			// of ours always carries one of them.
			http.Error(w, "Refused: the request does not say where it came from.", http.StatusForbidden)
			return
		}
		inner.ServeHTTP(w, r)
	})
}

func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// hostAllowed reports whether host (a Host header, with or without port)
// is loopback or one of allowed.
func hostAllowed(host string, allowed []string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.Trim(name, "[]"), ".")
	if name == "" {
		return false
	}
	if strings.EqualFold(name, "localhost") {
		return true
	}
	if ip := net.ParseIP(name); ip != nil && ip.IsLoopback() {
		return true
	}
	return slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(strings.Trim(a, "[]"), name) })
}
