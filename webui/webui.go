// Package webui serves the admin's web pages: the device's status, the
// sign-in, the email settings, the connection test, the address book, the
// Quick Sets, the jobs and their SMTP logs, the configuration's export and
// import, the pages' certificate. Like the panel and the command line it
// is a client of the device's local API (API, with localclient.Client's
// signatures): it keeps no state of its own but the certificate it is
// served with, and never opens the state file.
//
// Each page is one file, page_NAME.go, with its template in
// templates/NAME.html (which defines "main", inside templates/layout.html):
// a handler that asks the API, fills the page's struct and calls s.render;
// a form posts to a handler that acts through the API and redirects (303)
// to the page, or renders it again with the API's refusal as a problem
// (Summary and Hint, from problemOf). A page registers its routes in
// routes below, admin pages through s.admin, which checks the session
// first, and its navigation entry in navItems (render.go). Pages work
// without JavaScript; assets/live.js fetches a page again and swaps its
// <main> in when the device reports a change of a kind the page names in
// page.Live (see events.go); assets/forms.js shows only the chosen
// provider's settings, and the connection test's steps as they run.
// Templates never get template.HTML from data.
package webui

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// API is what the pages ask of the device: the local API's calls, with
// localclient.Client's signatures, so that a *localclient.Client is one.
type API interface {
	Status(ctx context.Context) (apitype.Status, error)
	Config(ctx context.Context) (apitype.Config, error)
	Watch(ctx context.Context, each func(apitype.Notify)) error
	Jobs(ctx context.Context, limit int) ([]apitype.Job, error)
	Job(ctx context.Context, id uint64) (apitype.Job, error)
	CancelJob(ctx context.Context, id uint64) (apitype.Job, error)
	ResendJob(ctx context.Context, id uint64) (apitype.Job, error)
	SignIn(ctx context.Context, req apitype.SignInRequest, each func(apitype.SignIn)) (apitype.SignIn, error)
	CancelSignIn(ctx context.Context) (apitype.SignIn, error)
	AckAlert(ctx context.Context, kind string) (apitype.Status, error)

	Password(ctx context.Context) (apitype.PasswordState, error)
	SetPassword(ctx context.Context, old, new string) (apitype.PasswordState, error)
	Login(ctx context.Context, password string) (apitype.Session, error)
	CheckSession(ctx context.Context, id string) (apitype.Session, error)
	Logout(ctx context.Context, id string) error

	DescribeConfig(ctx context.Context) (apitype.ConfigDescription, error)
	SetConfigs(ctx context.Context, kvs []apitype.SettingValue) (apitype.Config, error)
	TestConnection(ctx context.Context, req apitype.ConnTestRequest, each func(apitype.ConnTestStep)) ([]apitype.ConnTestStep, error)
	Book(ctx context.Context, q string, limit int) (apitype.BookList, error)
	PutBookEntry(ctx context.Context, e apitype.BookEntry) (apitype.BookEntry, error)
	DeleteBookEntry(ctx context.Context, id string) (apitype.BookEntry, error)
	ImportBook(ctx context.Context, csv []byte, dryRun bool) (apitype.BookImport, error)
	ExportBook(ctx context.Context, w io.Writer, format string) error
	QuickSets(ctx context.Context) (apitype.QuickSetList, error)
	PutQuickSet(ctx context.Context, q apitype.QuickSet) (apitype.QuickSet, error)
	DeleteQuickSet(ctx context.Context, id string) (apitype.QuickSet, error)
	ExportConfig(ctx context.Context) (apitype.ConfigExport, error)
	ImportConfig(ctx context.Context, cfg apitype.ConfigExport, dryRun bool) (apitype.ConfigImport, error)

	RelayCert(ctx context.Context) (apitype.RelayCert, error)
	InstallRelayCert(ctx context.Context, req apitype.RelayCertInstall) (apitype.RelayCert, error)
	RemoveRelayCert(ctx context.Context) (apitype.RelayCert, error)
}

var _ API = (*localclient.Client)(nil)

// Config configures the pages.
type Config struct {
	API    API
	Logger *slog.Logger // nil: discard
	// Hosts are the names and addresses (without port) the pages may be
	// reached by, besides loopback: a request naming another Host is
	// refused, against DNS rebinding.
	Hosts []string
	// Certs is the certificate the pages are served with, shown on the
	// status page and replaced on the certificate page; nil over plain
	// HTTP.
	Certs *Certs
}

type server struct {
	api   API
	log   *slog.Logger
	certs *Certs
	mux   *http.ServeMux
	// The event stream's bound on one write, and its heartbeat period.
	eventWriteTimeout, heartbeat time.Duration
}

// New returns the web pages' handler, with its request safety checks.
func New(cfg Config) http.Handler {
	h, _ := newServer(cfg)
	return h
}

func newServer(cfg Config) (http.Handler, *server) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &server{api: cfg.API, log: log, certs: cfg.Certs, mux: http.NewServeMux(),
		eventWriteTimeout: eventWriteTimeout, heartbeat: heartbeatEvery}
	s.routes()
	return safe(s.mux, cfg.Hosts, log), s
}

func (s *server) routes() {
	s.mux.Handle("GET /assets/", assetHandler())
	s.mux.HandleFunc("GET /login", s.serveLogin)
	s.mux.HandleFunc("POST /login", s.postLogin)
	s.mux.HandleFunc("POST /setup", s.postSetup)
	s.mux.HandleFunc("POST /logout", s.postLogout)

	s.admin("GET /{$}", s.serveStatus)
	s.admin("GET /events", s.serveEvents)
	s.admin("GET /alerts", s.serveAlerts)
	s.admin("POST /alerts/ack", s.postAlertAck)
	s.admin("GET /signin", s.serveSignIn)
	s.admin("POST /signin", s.postSignIn)
	s.admin("POST /signin/cancel", s.postSignInCancel)
	s.admin("GET /qr/{name}", s.serveQR)
	s.admin("GET /jobs", s.serveJobs)
	s.admin("GET /jobs/{id}", s.serveJob)
	s.admin("POST /jobs/{id}/cancel", s.postJobCancel)
	s.admin("POST /jobs/{id}/resend", s.postJobResend)
	s.admin("GET /certificate", s.serveCertificate)
	s.admin("POST /certificate", s.postCertificate)
	s.admin("GET /certificate/request.csr", s.serveCSR)
	s.admin("POST /certificate/relay", s.postRelayCert)
	s.admin("POST /certificate/relay/remove", s.postRelayCertRemove)
	s.admin("GET /settings", s.serveSettings)
	s.admin("POST /settings", s.postSettings)
	s.admin("GET /test", s.serveTest)
	s.admin("POST /test", s.postTest)
	s.admin("GET /book", s.serveBook)
	s.admin("POST /book/put", s.postBookPut)
	s.admin("POST /book/delete", s.postBookDelete)
	s.admin("POST /book/import", s.postBookImport)
	s.admin("GET /book/{file}", s.serveBookExport)
	s.admin("GET /quicksets", s.serveQuickSets)
	s.admin("POST /quicksets", s.postQuickSet)
	s.admin("POST /quicksets/delete", s.postQuickSetDelete)
	s.admin("GET /config", s.serveConfig)
	s.admin("GET /config/"+configFileName, s.serveConfigExport)
	s.admin("POST /config/import", s.postConfigImport)
	s.admin("GET /password", s.servePassword)
	s.admin("POST /password", s.postPassword)
}

// admin registers an admin page: only a live session reaches it.
func (s *server) admin(pattern string, h http.HandlerFunc) {
	s.mux.Handle(pattern, s.session(h))
}
