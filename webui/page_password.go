package webui

import (
	"net/http"
)

type passwordPage struct {
	Problem *problem
}

func (s *server) servePassword(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "password", page{Title: "Change the admin password", Nav: "password", LoggedIn: true})
}

// postPassword changes the admin password; the device ends every
// session, this one too, so the admin logs in again.
func (s *server) postPassword(w http.ResponseWriter, r *http.Request) {
	fail := func(p problem) {
		s.render(w, http.StatusBadRequest, "password", page{Title: "Change the admin password", Nav: "password", LoggedIn: true,
			Data: passwordPage{Problem: &p}})
	}
	pw := r.PostFormValue("new")
	if pw != r.PostFormValue("again") {
		fail(problem{Summary: "The two new passwords differ.", Hint: "Type the same new password in both fields."})
		return
	}
	if _, err := s.api.SetPassword(r.Context(), r.PostFormValue("old"), pw); err != nil {
		fail(problemOf(err))
		return
	}
	setSession(w, r, "")
	http.Redirect(w, r, "/login?changed", http.StatusSeeOther)
}
