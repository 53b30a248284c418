// Package localapi serves the daemon's local API: JSON over HTTP on a Unix
// socket that only root (or the daemon's user) can open. The daemon's own
// subcommands and provisioning scripts use it; the state file itself is only
// ever opened by the daemon.
package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"scanmail/device"
	"scanmail/device/apitype"
)

// Handler serves the local API for one device.
type Handler struct {
	dev    *device.Device
	log    *slog.Logger
	routes map[string]route
}

type route struct {
	method string
	serve  func(*Handler, http.ResponseWriter, *http.Request)
}

// NewHandler makes the handler. log may be nil.
func NewHandler(dev *device.Device, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{dev: dev, log: log, routes: map[string]route{
		"admin/pin":        {http.MethodGet, (*Handler).servePIN},
		"admin/pin/check":  {http.MethodPost, (*Handler).servePINCheck},
		"admin/pin/reset":  {http.MethodPost, (*Handler).servePINReset},
		"admin/pin/set":    {http.MethodPost, (*Handler).servePINSet},
		"book":             {http.MethodGet, (*Handler).serveBook},
		"book/delete":      {http.MethodPost, (*Handler).serveBookDelete},
		"book/export":      {http.MethodGet, (*Handler).serveBookExport},
		"book/import":      {http.MethodPost, (*Handler).serveBookImport},
		"book/put":         {http.MethodPost, (*Handler).serveBookPut},
		"config":           {http.MethodGet, (*Handler).serveConfig},
		"config/describe":  {http.MethodGet, (*Handler).serveConfigDescribe},
		"config/export":    {http.MethodGet, (*Handler).serveConfigExport},
		"config/import":    {http.MethodPost, (*Handler).serveConfigImport},
		"config/set":       {http.MethodPost, (*Handler).serveConfigSet},
		"connection/test":  {http.MethodPost, (*Handler).serveConnTest},
		"jobs":             {http.MethodGet, (*Handler).serveJobs},
		"jobs/get":         {http.MethodGet, (*Handler).serveJob},
		"jobs/cancel":      {http.MethodPost, (*Handler).serveJobCancel},
		"jobs/more":        {http.MethodPost, (*Handler).serveJobMore},
		"jobs/resend":      {http.MethodPost, (*Handler).serveJobResend},
		"quicksets":        {http.MethodGet, (*Handler).serveQuickSets},
		"quicksets/delete": {http.MethodPost, (*Handler).serveQuickSetDelete},
		"quicksets/put":    {http.MethodPost, (*Handler).serveQuickSetPut},
		"scan":             {http.MethodPost, (*Handler).serveScan},
		"signin":           {http.MethodPost, (*Handler).serveSignIn},
		"signin/cancel":    {http.MethodPost, (*Handler).serveSignInCancel},
		"signout":          {http.MethodPost, (*Handler).serveSignOut},
		"status":           {http.MethodGet, (*Handler).serveStatus},
		"watch":            {http.MethodGet, (*Handler).serveWatch},

		// The connector's client certificate (relaycert.go).
		"relay/cert":         {http.MethodGet, (*Handler).serveRelayCert},
		"relay/cert/install": {http.MethodPost, (*Handler).serveRelayCertInstall},
		"relay/cert/remove":  {http.MethodPost, (*Handler).serveRelayCertRemove},

		// The web pages' admin password and sessions (webadmin.go).
		"admin/password":       {http.MethodGet, (*Handler).servePassword},
		"admin/password/reset": {http.MethodPost, (*Handler).servePasswordReset},
		"admin/password/set":   {http.MethodPost, (*Handler).servePasswordSet},
		"web/login":            {http.MethodPost, (*Handler).serveLogin},
		"web/logout":           {http.MethodPost, (*Handler).serveLogout},
		"web/session":          {http.MethodPost, (*Handler).serveSession},
	}}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A browser can be tricked into posting to a local socket proxy;
	// the API is for programs, which send neither header.
	if r.Header.Get("Origin") != "" || r.Referer() != "" {
		writeError(w, http.StatusForbidden, requestError(apitype.CodeForbidden, "the local API is not for browsers"))
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, apitype.PathPrefix)
	rt, found := h.routes[name]
	if !ok || !found {
		writeError(w, http.StatusNotFound, requestError(apitype.CodeUnknownCall, "no such local API call: "+r.URL.Path))
		return
	}
	if r.Method != rt.method {
		writeError(w, http.StatusMethodNotAllowed, requestError(apitype.CodeWrongMethod, "want "+rt.method))
		return
	}
	rt.serve(h, w, r)
}

func (h *Handler) serveStatus(w http.ResponseWriter, r *http.Request) {
	st, err := h.dev.Status()
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, st)
}

func (h *Handler) serveConfig(w http.ResponseWriter, r *http.Request) {
	c, err := h.dev.Config()
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, c)
}

func (h *Handler) serveConfigSet(w http.ResponseWriter, r *http.Request) {
	var req apitype.ConfigSet
	if !readJSON(w, r, &req) {
		return
	}
	kvs := req.Settings
	if req.Key != "" {
		if len(kvs) > 0 {
			writeError(w, http.StatusBadRequest, requestError(apitype.CodeInvalidRequest, "give key and value, or settings, not both"))
			return
		}
		kvs = []apitype.SettingValue{{Key: req.Key, Value: req.Value}}
	}
	c, err := h.dev.SetConfigs(kvs)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, c)
}

func (h *Handler) serveConfigDescribe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, apitype.ConfigDescription{Settings: device.DescribeSettings()})
}

// serveJob answers the job ?id=, with its SMTP log.
func (h *Handler) serveJob(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(r.URL.Query().Get("id"), 10, 64)
	if err != nil || id == 0 {
		writeError(w, http.StatusBadRequest, requestError(apitype.CodeInvalidRequest, "id must be a job number"))
		return
	}
	job, err := h.dev.Job(id)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, job)
}

func (h *Handler) serveJobs(w http.ResponseWriter, r *http.Request) {
	limit := 20
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n > maxJobsListed {
			writeError(w, http.StatusBadRequest, requestError(apitype.CodeInvalidRequest, fmt.Sprintf("limit must be a number from 1 to %d", maxJobsListed)))
			return
		}
		limit = n
	}
	jobs, err := h.dev.Jobs(limit)
	if err != nil {
		h.fail(w, err)
		return
	}
	if jobs == nil {
		jobs = []apitype.Job{}
	}
	writeJSON(w, jobs)
}

func (h *Handler) serveJobCancel(w http.ResponseWriter, r *http.Request) {
	h.serveJobAction(w, r, h.dev.CancelJob)
}

func (h *Handler) serveJobResend(w http.ResponseWriter, r *http.Request) {
	h.serveJobAction(w, r, h.dev.ResendJob)
}

func (h *Handler) serveJobAction(w http.ResponseWriter, r *http.Request, act func(uint64) (apitype.Job, error)) {
	var req apitype.JobAction
	if !readJSON(w, r, &req) {
		return
	}
	job, err := act(req.ID)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, job)
}

// serveSignIn starts a sign-in (or joins the one waiting), as an optional
// apitype.SignInRequest asks, and streams its progress, one JSON object a
// line, until it ends or the client leaves. Leaving does not stop the
// sign-in.
func (h *Handler) serveSignIn(w http.ResponseWriter, r *http.Request) {
	var req apitype.SignInRequest // the body is optional
	if r.ContentLength != 0 && !readJSON(w, r, &req) {
		return
	}
	if _, err := h.dev.StartSignIn(r.Context(), req); err != nil {
		h.fail(w, err)
		return
	}
	stream := newStream(w)
	defer stream.end()
	for {
		st, changed := h.dev.SignIn()
		if !stream.send(st) || st.Done() {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-changed:
		}
	}
}

func (h *Handler) serveSignInCancel(w http.ResponseWriter, r *http.Request) {
	h.dev.CancelSignIn()
	st, _ := h.dev.SignIn()
	writeJSON(w, st)
}

// serveSignOut forgets the account and its tokens, and answers the
// status after.
func (h *Handler) serveSignOut(w http.ResponseWriter, r *http.Request) {
	if err := h.dev.SignOut(); err != nil {
		h.fail(w, err)
		return
	}
	h.serveStatus(w, r)
}

// serveScan runs a job and streams its events, one JSON object a line.
// The events go through a queue to a writer of their own, so that a client
// that stops reading never holds up the scanner or the sending.
func (h *Handler) serveScan(w http.ResponseWriter, r *http.Request) {
	var req apitype.ScanRequest
	if !readJSON(w, r, &req) {
		return
	}
	events := newJobEvents()
	streamed := make(chan bool, 1)
	go func() { streamed <- events.writeTo(w) }()
	_, err := h.dev.Scan(r.Context(), req, events.put)
	events.close()
	if !<-streamed && err != nil {
		// Refused before it began: a plain error answer.
		h.fail(w, err)
	}
}

// fail answers a call the device refused, with the status its code has.
func (h *Handler) fail(w http.ResponseWriter, err error) {
	status := httpStatus(device.CodeOf(err))
	if status == http.StatusInternalServerError {
		h.log.Error("local API", "err", err)
	}
	writeError(w, status, err)
}

// statuses are the HTTP statuses of the error codes, for HTTP clients that
// do not read the code: 4xx when the call cannot succeed as it is (the
// request, or the device's state, must change first), 5xx when the device
// or what it depends on failed and the same call may succeed later.
var statuses = map[apitype.ErrorCode]int{
	apitype.CodeInvalidRequest: http.StatusBadRequest,
	apitype.CodeInvalidAddress: http.StatusBadRequest,
	apitype.CodeForbidden:      http.StatusForbidden,
	apitype.CodeUnknownCall:    http.StatusNotFound,
	apitype.CodeNoJob:          http.StatusNotFound,
	apitype.CodeNoEntry:        http.StatusNotFound,
	apitype.CodeNoQuickSet:     http.StatusNotFound,
	apitype.CodeNoAlert:        http.StatusNotFound,
	apitype.CodeWrongMethod:    http.StatusMethodNotAllowed,
	// Forbidden: the PIN is wrong; too many requests: too many wrong
	// PINs, until the error's RetryAt.
	apitype.CodePINWrong:  http.StatusForbidden,
	apitype.CodePINLocked: http.StatusTooManyRequests,
	// The same for the web pages' password; conflict: none is set yet;
	// unauthorized: no session, or one that ended, and a login makes one.
	apitype.CodePasswordWrong:  http.StatusForbidden,
	apitype.CodePasswordLocked: http.StatusTooManyRequests,
	apitype.CodePasswordNotSet: http.StatusConflict,
	apitype.CodeNoSession:      http.StatusUnauthorized,
	// Conflict: the device's state refuses the call now, and a change
	// of state (a job ending, a sign-in, a setting) lets it through.
	apitype.CodeBusy:         http.StatusConflict,
	apitype.CodeBookFull:     http.StatusConflict,
	apitype.CodeBookConflict: http.StatusConflict,
	apitype.CodeJobState:     http.StatusConflict,
	apitype.CodeCanceled:     http.StatusConflict,
	apitype.CodeSignInNeeded: http.StatusConflict, // not 401/403: the caller may call, the device lacks an account
	apitype.CodeUPNMismatch:  http.StatusConflict,
	apitype.CodeSetupNeeded:  http.StatusConflict,
	apitype.CodePINNotSet:    http.StatusConflict,
	// Gone: the document existed and was removed; scanning again is
	// the only way.
	apitype.CodeDocumentGone: http.StatusGone,
	apitype.CodeTooLarge:     http.StatusRequestEntityTooLarge, // the document, not the request, but the same cure: smaller
	// Unprocessable: the request is well formed, the value is refused.
	apitype.CodeInvalidSetting: http.StatusUnprocessableEntity,
	apitype.CodeInternal:       http.StatusInternalServerError,

	// Unprocessable too: a recipient direct send cannot reach, a
	// certificate the connector could not take.
	apitype.CodeExternalRecipient: http.StatusUnprocessableEntity,
	apitype.CodeRelayCertInvalid:  http.StatusUnprocessableEntity,

	// Bad gateway: a server the device relies on refused.
	apitype.CodeSignInFailed:    http.StatusBadGateway,
	apitype.CodeProviderRefused: http.StatusBadGateway,
	// Unavailable: the device (or what it depends on) cannot do it
	// now; the same call may work later, once the cause passes or is
	// fixed at the machine.
	apitype.CodeShuttingDown:        http.StatusServiceUnavailable,
	apitype.CodeProviderUnavailable: http.StatusServiceUnavailable,
	apitype.CodeScannerJam:          http.StatusServiceUnavailable,
	apitype.CodeScannerCoverOpen:    http.StatusServiceUnavailable,
	apitype.CodeScannerFeederEmpty:  http.StatusServiceUnavailable,
	apitype.CodeScannerFailed:       http.StatusServiceUnavailable,
	apitype.CodeSpoolFull:           http.StatusInsufficientStorage,
}

func httpStatus(code apitype.ErrorCode) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// requestError is a call refused before it reached the device.
func requestError(code apitype.ErrorCode, msg string) error {
	return &device.Error{Summary: msg, Code: code}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	body := device.Describe(err)
	if body.Code == apitype.CodeInternal && status < 500 {
		// A refusal written without a code of its own.
		body.Code = apitype.CodeInvalidRequest
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	return readJSONUpTo(w, r, v, 1<<20)
}

// readJSONUpTo reads a request body of at most limit bytes into v.
func readJSONUpTo(w http.ResponseWriter, r *http.Request, v any, limit int64) bool {
	// A client that sends its headers and then trickles the body must
	// not hold a connection open; the server has no overall ReadTimeout,
	// which would end a scan's stream.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(readTimeout))
	defer rc.SetReadDeadline(time.Time{})
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, http.StatusRequestEntityTooLarge, requestError(apitype.CodeTooLarge, fmt.Sprintf("the request is larger than %d KiB", limit>>10)))
			return false
		}
		writeError(w, http.StatusBadRequest, requestError(apitype.CodeInvalidRequest, "bad request body: "+err.Error()))
		return false
	}
	return true
}

// Serve answers the local API on ln until ctx ends.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := newServer(h)
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

const (
	// readTimeout bounds reading a request's headers, and its body.
	readTimeout = 10 * time.Second
	// idleTimeout closes a kept-alive connection nobody uses.
	idleTimeout = time.Minute
	// maxJobsListed bounds one jobs listing.
	maxJobsListed = 1000
)

// newServer is the local API's HTTP server. It has no WriteTimeout, which
// would cut a scan's stream after that long; each write of a stream has a
// deadline of its own instead (stream.send).
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}
