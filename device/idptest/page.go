package idptest

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"strings"
)

// pageData fills the verification page. Step is "code" (type the code),
// "account" (name the account, approve or decline), "done" or "declined".
type pageData struct {
	Step     string
	Code     string
	Username string
	Scopes   []string
	Error    string
}

var page = template.Must(template.New("devicelogin").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to scanmail (demo identity provider)</title>
<style>
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f2f2f2;font:16px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b}
main{background:#fff;width:100%;max-width:26rem;padding:2.5rem 2.75rem;box-shadow:0 2px 6px rgba(0,0,0,.2);box-sizing:border-box}
.brand{font-size:.85rem;color:#5e5e5e;letter-spacing:.02em;margin:0 0 1.25rem}
h1{font-size:1.5rem;font-weight:600;margin:0 0 .75rem}
p{margin:0 0 1rem}
label{display:block;font-size:.9rem;margin-bottom:.25rem}
input[type=text],input[type=email]{width:100%;box-sizing:border-box;font:inherit;padding:.45rem .1rem;border:0;border-bottom:1px solid #666;outline:none;margin-bottom:1.25rem}
input:focus{border-bottom:2px solid #0067b8}
input.code{font-family:ui-monospace,Consolas,monospace;font-size:1.3rem;letter-spacing:.15em;text-transform:uppercase}
.code{font-family:ui-monospace,Consolas,monospace;font-weight:600;letter-spacing:.1em}
.buttons{display:flex;gap:.5rem;justify-content:flex-end}
button{font:inherit;min-width:6.5rem;padding:.4rem 1rem;border:1px solid #0067b8;background:#0067b8;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1b1b1b;border-color:#8a8a8a}
.error{color:#a80000;border-left:3px solid #a80000;padding-left:.6rem}
ul{margin:0 0 1.25rem;padding-left:1.2rem;font-size:.9rem;word-break:break-all}
.note{font-size:.8rem;color:#5e5e5e;margin:1.5rem 0 0}
</style>
</head>
<body>
<main>
<p class="brand">Demo identity provider — not Microsoft</p>
{{if eq .Step "code"}}
<h1>Enter code</h1>
<p>Enter the code displayed on your device to allow it access.</p>
{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}
<form method="post">
<input type="hidden" name="step" value="code">
<label for="code">Code</label>
<input class="code" type="text" id="code" name="code" value="{{.Code}}" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus>
<div class="buttons"><button type="submit">Next</button></div>
</form>
{{else if eq .Step "account"}}
<h1>Sign in</h1>
<p>scanmail on your device (code <span class="code">{{.Code}}</span>) asks for:</p>
<ul>{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}
<form method="post">
<input type="hidden" name="step" value="account">
<input type="hidden" name="code" value="{{.Code}}">
<label for="username">Account</label>
<input type="email" id="username" name="username" value="{{.Username}}" placeholder="scanner@contoso.example" autocomplete="username" autofocus>
<div class="buttons">
<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="deny" class="secondary" formnovalidate>Deny</button>
</div>
</form>
<p class="note">Only approve if you started the sign-in on your scanner.</p>
{{else if eq .Step "done"}}
<h1>scanmail</h1>
<p>You have signed in to scanmail on your device as <strong>{{.Username}}</strong>. You may now close this window.</p>
{{else}}
<h1>scanmail</h1>
<p>You declined to sign in to scanmail on your device. You may now close this window.</p>
{{end}}
</main>
</body>
</html>
`))

func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, pageData{Step: "code", Code: r.URL.Query().Get("code")})
}

func (s *Server) servePageForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, http.StatusBadRequest, pageData{Step: "code", Error: "The form could not be read. Try again."})
		return
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if code == "" {
		s.render(w, http.StatusBadRequest, pageData{Step: "code", Error: "Enter the code shown on your device."})
		return
	}
	switch r.PostForm.Get("step") {
	case "code":
		scope, err := s.codeScope(code)
		if err != nil {
			s.render(w, http.StatusBadRequest, pageData{Step: "code", Code: code, Error: codeMessage(err)})
			return
		}
		s.render(w, http.StatusOK, pageData{Step: "account", Code: normaliseUserCode(code), Scopes: strings.Fields(scope)})
	case "account":
		s.serveDecision(w, r, code)
	default:
		s.render(w, http.StatusBadRequest, pageData{Step: "code", Code: code, Error: "The form could not be read. Try again."})
	}
}

func (s *Server) serveDecision(w http.ResponseWriter, r *http.Request, code string) {
	if r.PostForm.Get("action") == "deny" {
		if err := s.Deny(code); err != nil {
			s.render(w, http.StatusBadRequest, pageData{Step: "code", Error: codeMessage(err)})
			return
		}
		s.render(w, http.StatusOK, pageData{Step: "declined"})
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	err := s.Approve(code, username)
	switch {
	case errors.Is(err, ErrBadUsername):
		scope, _ := s.codeScope(code)
		s.render(w, http.StatusBadRequest, pageData{Step: "account", Code: normaliseUserCode(code), Scopes: strings.Fields(scope),
			Username: username, Error: "Enter the account as name@domain, for example scanner@contoso.example."})
	case err != nil:
		s.render(w, http.StatusBadRequest, pageData{Step: "code", Error: codeMessage(err)})
	default:
		s.render(w, http.StatusOK, pageData{Step: "done", Username: username})
	}
}

// codeScope is the scope a pending user code asks for.
func (s *Server) codeScope(userCode string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.pendingCode(userCode)
	if err != nil {
		return "", err
	}
	return d.scope, nil
}

func codeMessage(err error) string {
	switch {
	case errors.Is(err, ErrCodeExpired):
		return "That code has expired. Start the sign-in again on your device to get a new code."
	case errors.Is(err, ErrCodeUsed):
		return "That code was already used. Start the sign-in again on your device to get a new code."
	}
	return "That code didn't work. Check the code and try again."
}

// render writes the page whole or not at all: a template error becomes a
// 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, status int, d pageData) {
	var buf bytes.Buffer
	if err := page.Execute(&buf, d); err != nil {
		s.log.Error("idptest: rendering the verification page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
