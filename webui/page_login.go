package webui

import (
	"net/http"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// loginPage is the login form, or the first visit's password form.
type loginPage struct {
	Setup   bool // no password yet: set one
	Changed bool // the password was just changed
	Problem *problem
}

func (s *server) serveLogin(w http.ResponseWriter, r *http.Request) {
	s.loginForm(w, r, http.StatusOK, nil)
}

func (s *server) loginForm(w http.ResponseWriter, r *http.Request, code int, p *problem) {
	st, err := s.api.Password(r.Context())
	d := loginPage{Setup: err == nil && !st.Set, Changed: r.URL.Query().Has("changed"), Problem: p}
	if err != nil && p == nil {
		pr := problemOf(err)
		d.Problem = &pr
		code = http.StatusServiceUnavailable
	}
	if p == nil && !st.RetryAt.IsZero() {
		d.Problem = &problem{Summary: "Too many wrong passwords.", Hint: "Wait before the next try.", RetryAt: st.RetryAt}
	}
	title := "Log in"
	if d.Setup {
		title = "Set the admin password"
	}
	s.render(w, code, "login", page{Title: title, Data: d})
}

func (s *server) postLogin(w http.ResponseWriter, r *http.Request) {
	sess, err := s.api.Login(r.Context(), r.PostFormValue("password"))
	if err != nil {
		p := problemOf(err)
		switch localclient.ErrorCode(err) {
		case apitype.CodePasswordWrong:
			p = problem{Summary: "That is not the admin password.", Hint: "Type it again; after several wrong tries the device waits longer before the next."}
		case apitype.CodePasswordLocked:
			p.Summary = "Too many wrong passwords."
			p.Hint = "Wait before the next try."
		}
		s.loginForm(w, r, http.StatusUnauthorized, &p)
		return
	}
	setSession(w, r, sess.ID)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// postSetup sets the first admin password and logs in with it.
func (s *server) postSetup(w http.ResponseWriter, r *http.Request) {
	pw, again := r.PostFormValue("password"), r.PostFormValue("again")
	if pw != again {
		s.loginForm(w, r, http.StatusBadRequest, &problem{Summary: "The two passwords differ.", Hint: "Type the same password in both fields."})
		return
	}
	if _, err := s.api.SetPassword(r.Context(), "", pw); err != nil {
		p := problemOf(err)
		s.loginForm(w, r, http.StatusBadRequest, &p)
		return
	}
	s.postLogin(w, r)
}

func (s *server) postLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName(r)); err == nil && c.Value != "" {
		if err := s.api.Logout(r.Context(), c.Value); err != nil {
			s.log.Warn("web: logout", "err", err)
		}
	}
	setSession(w, r, "")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
