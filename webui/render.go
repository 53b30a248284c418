package webui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

//go:embed templates/*.html
var templateFS embed.FS

// page is what every template gets: the layout's parts and the page's own
// data in Data.
type page struct {
	Title string
	Nav   string // the navigation entry to mark as current
	// Live names the kinds of device change (apitype.Notify kinds) after
	// which live.js reloads the page's <main>; empty: none.
	Live string
	// LoggedIn shows the navigation, the logout button and the alerts.
	LoggedIn bool
	Alerts   alertsView
	Data     any
}

// navItems are the layout's navigation: path, name, Nav key.
var navItems = []struct{ Path, Name, Key string }{
	{"/", "Status", "status"},
	{"/signin", "Sign in", "signin"},
	{"/settings", "Settings", "settings"},
	{"/test", "Test", "test"},
	{"/book", "Address book", "book"},
	{"/quicksets", "Quick Sets", "quicksets"},
	{"/jobs", "Jobs", "jobs"},
	{"/config", "Export/import", "config"},
	{"/certificate", "Certificate", "certificate"},
	{"/password", "Password", "password"},
}

var funcs = template.FuncMap{
	"nav":      func() any { return navItems },
	"when":     when,
	"left":     left,
	"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"bytes":    humanBytes,
	"join":     strings.Join,
	"sentence": sentence,
	"settingLabel": func(key string) string {
		if l, ok := settingLabels[key]; ok {
			return l
		}
		return key
	},
	"has":      func(list []string, s string) bool { return slices.Contains(list, s) },
	"expired":  func(t time.Time) bool { return !t.IsZero() && time.Now().After(t) },
	"roadName": roadName,
}

var templates = sync.OnceValue(func() map[string]*template.Template {
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	m := make(map[string]*template.Template)
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		m[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
	}
	return m
})

// render writes the page name (templates/name.html inside the layout)
// with status code. It renders to a buffer first, so that a template
// error is a clean 500, not half a page.
func (s *server) render(w http.ResponseWriter, code int, name string, p page) {
	t, ok := templates()[name]
	if !ok {
		panic("webui: no template " + name)
	}
	if pw, ok := w.(*pageWriter); ok && p.LoggedIn {
		p.Alerts = pw.alerts()
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.log.Error("web page", "page", name, "err", err)
		http.Error(w, "The page could not be made; the device's log says why.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// problem is an error in words for a page: what happened and what to do.
type problem struct {
	Summary string
	Hint    string
	// RetryAt, when set, is when a held-back try is taken again.
	RetryAt time.Time
}

// when says t in words relative to now: "in 5 min", "3 h ago", or the
// date for what is days away.
func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Until(t)
	future := d > 0
	if !future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		s = fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		s = fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	default:
		return t.Local().Format("2 Jan 2006 15:04")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// sentence starts s with a capital letter, for the device's help texts.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// left is the time until t as m:ss, as live.js counts it down.
func left(t time.Time) string {
	d := max(time.Until(t), 0)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d B", n)
	}
}
