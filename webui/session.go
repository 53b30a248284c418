package webui

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"scanmail/device/localclient"
)

// Cookie names. Under HTTPS the __Host- prefix makes the browser refuse
// the cookie unless Secure, with Path=/ and no Domain; plain HTTP serves
// only loopback, where a Secure cookie would not be kept.
const (
	cookieTLS   = "__Host-scanmail"
	cookiePlain = "scanmail"
)

func cookieName(r *http.Request) string {
	if r.TLS != nil {
		return cookieTLS
	}
	return cookiePlain
}

// setSession gives the browser the session's cookie; id "" removes it.
func setSession(w http.ResponseWriter, r *http.Request, id string) {
	c := &http.Cookie{
		Name:     cookieName(r),
		Value:    id,
		Path:     "/",
		Secure:   r.TLS != nil,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	}
	if id == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

type sessionKey struct{}

// sessionID is the session the request was let in with.
func sessionID(ctx context.Context) string {
	id, _ := ctx.Value(sessionKey{}).(string)
	return id
}

// session lets only a request with a live session through: the device
// checks it (and counts the check as a use). Others go to the login page,
// or get 401 when they are not a page a person navigates to (a fetch, the
// event stream, an image).
func (s *server) session(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName(r))
		if err == nil && c.Value != "" {
			_, err = s.api.CheckSession(r.Context(), c.Value)
			if err == nil {
				r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, c.Value))
				h.ServeHTTP(&pageWriter{ResponseWriter: w, s: s, r: r}, r)
				return
			}
			if localclient.ErrorCode(err) != "no-session" {
				s.log.Warn("web: session check failed", "err", err)
			}
		}
		if r.Method == http.MethodGet && navigation(r) {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		http.Error(w, "Log in first.", http.StatusUnauthorized)
	})
}

// navigation reports whether r is a person going to a page, rather than a
// script's fetch, the event stream or an image.
func navigation(r *http.Request) bool {
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate"
	}
	return !strings.Contains(r.Header.Get("Accept"), "text/event-stream") && r.Header.Get("X-Live") == ""
}

// problemOf is err in words for a page.
func problemOf(err error) problem {
	if e, ok := errors.AsType[*localclient.Error](err); ok {
		return problem{Summary: e.Message, Hint: e.Hint, RetryAt: e.RetryAt}
	}
	if errors.Is(err, localclient.ErrNotRunning) {
		return problem{Summary: "The device's service does not answer.", Hint: "Wait a minute and reload; if it stays so, restart the device."}
	}
	return problem{Summary: "The device did not answer as expected.", Hint: "Reload the page; the device's log says more."}
}
