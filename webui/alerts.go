package webui

import (
	"bytes"
	"net/http"
	"strings"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// Alerts: every admin page shows the device's alerts not acknowledged yet
// in a banner above its <main>, with what to do and a button that
// acknowledges each; live.js fetches the banner again (GET /alerts) on
// every status change of the event stream.

// alertsView is the banner's data: the alerts, and the page the
// acknowledge button comes back to.
type alertsView struct {
	Alerts []apitype.Alert
	Back   string
}

// pageWriter carries the request's alerts from the session check to
// render: render is given no request, and every page calls it.
type pageWriter struct {
	http.ResponseWriter
	s *server
	r *http.Request
}

// Unwrap lets http.ResponseController reach the connection (the event
// stream flushes through it).
func (w *pageWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// alerts are the banner of the page w serves.
func (w *pageWriter) alerts() alertsView {
	return w.s.alertsView(w.r, w.r.URL.RequestURI())
}

// alertsView asks the device for its alerts. A device that does not
// answer shows none: the page itself says that it does not answer.
func (s *server) alertsView(r *http.Request, back string) alertsView {
	v := alertsView{Back: safeBack(back)}
	st, err := s.api.Status(r.Context())
	if err != nil {
		s.log.Warn("web: alerts not read", "err", err)
		return v
	}
	v.Alerts = st.Alerts
	return v
}

// safeBack is where a form may send the browser back to: a path of this
// site, never another site ("//host", "/\host").
func safeBack(back string) string {
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.HasPrefix(back, "/\\") {
		return "/"
	}
	return back
}

// serveAlerts is the banner alone, for live.js.
func (s *server) serveAlerts(w http.ResponseWriter, r *http.Request) {
	v := s.alertsView(r, r.URL.Query().Get("back"))
	var buf bytes.Buffer
	if err := templates()["status"].ExecuteTemplate(&buf, "alerts", v); err != nil {
		s.log.Error("web: alerts", "err", err)
		http.Error(w, "The alerts could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

// postAlertAck acknowledges an alert and goes back to the page it was
// acknowledged on. One acknowledged meanwhile (on the panel, in another
// window) is no error: it is gone, as asked.
func (s *server) postAlertAck(w http.ResponseWriter, r *http.Request) {
	kind := r.PostFormValue("kind")
	if _, err := s.api.AckAlert(r.Context(), kind); err != nil && localclient.ErrorCode(err) != apitype.CodeNoAlert {
		p := problemOf(err)
		http.Error(w, p.Summary+" "+p.Hint, http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, safeBack(r.PostFormValue("back")), http.StatusSeeOther)
}
