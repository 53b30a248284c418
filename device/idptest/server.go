package idptest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultScope is the scope SMTP submission to Exchange Online needs.
const DefaultScope = "https://outlook.office.com/SMTP.Send"

// Options configure a Server. The zero value behaves like Entra ID.
type Options struct {
	// Now is the clock for the expiry of codes and tokens; nil means
	// time.Now. The polling rate is measured with the real clock.
	Now func() time.Time
	// Interval is the polling interval in seconds that devicecode returns;
	// 0 means 5. Tests use 1.
	Interval int
	// IgnoreInterval turns off the slow_down answer to fast polling.
	IgnoreInterval bool
	// CodeLifetime is how long a device code is valid; 0 means 15 minutes.
	CodeLifetime time.Duration
	// AccessTokenLifetime is how long an access token is valid; 0 means
	// one hour (Entra gives 60 to 90 minutes).
	AccessTokenLifetime time.Duration
	// OmitExpiresIn leaves expires_in out of token answers, as some
	// providers do; the access tokens still last AccessTokenLifetime.
	OmitExpiresIn bool
	// RefreshTokenLifetime is how long a refresh token lives unused; 0
	// means 90 days.
	RefreshTokenLifetime time.Duration
	// Scope is what Validate requires of an access token; "" means
	// DefaultScope.
	Scope string
	// ClientID, when set, is the only application the server knows; other
	// client IDs get unauthorized_client (AADSTS700016).
	ClientID string
	// RequireClientSecret simulates a confidential app registration: a
	// token request without a client secret gets AADSTS7000218.
	RequireClientSecret bool
	// VerificationURI is what devicecode returns as verification_uri; ""
	// means this server's own /devicelogin, as reached by the request.
	VerificationURI string
	// CompleteURI adds verification_uri_complete (the URI with the code),
	// which Microsoft does not send but other providers do.
	CompleteURI bool
	// Logger receives what happens, without tokens; nil discards.
	Logger *slog.Logger
}

// Server is the identity provider. It is an http.Handler; its methods are
// safe for concurrent use. It starts no goroutines.
type Server struct {
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux
	key  func() *rsa.PrivateKey

	mu               sync.Mutex
	devices          map[string]*device // by device code
	userCodes        map[string]*device // by normalised user code
	access           map[string]accessToken
	refresh          map[string]*grant // by refresh token
	emails           map[string]string // by lower-case username
	autoUser         string
	pollScript       []oauthError
	codeScript       []DeviceCodeAnswer
	claims           IDTokenClaims
	refreshScript    []RefreshAnswer
	polls            int
	refreshes        int
	lastRefreshScope string
	issued           []Credential
}

// New returns a Server with opts, defaults filled in.
func New(opts Options) *Server {
	if opts.Interval <= 0 {
		opts.Interval = 5
	}
	if opts.CodeLifetime <= 0 {
		opts.CodeLifetime = 15 * time.Minute
	}
	if opts.AccessTokenLifetime <= 0 {
		opts.AccessTokenLifetime = time.Hour
	}
	if opts.RefreshTokenLifetime <= 0 {
		opts.RefreshTokenLifetime = 90 * 24 * time.Hour
	}
	if opts.Scope == "" {
		opts.Scope = DefaultScope
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		opts:      opts,
		log:       log,
		devices:   make(map[string]*device),
		userCodes: make(map[string]*device),
		access:    make(map[string]accessToken),
		refresh:   make(map[string]*grant),
		emails:    make(map[string]string),
	}
	// The key is made on first use: a 2048-bit key takes a moment on the
	// device's ARM board, and most tests never sign an id_token.
	s.key = sync.OnceValue(func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(fmt.Sprintf("idptest: generating the signing key: %v", err))
		}
		return k
	})
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST /{tenant}/oauth2/v2.0/devicecode", s.serveDeviceCode)
	s.mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.serveToken)
	s.mux.HandleFunc("GET /devicelogin", s.servePage)
	s.mux.HandleFunc("POST /devicelogin", s.servePageForm)
	return s
}

// ServeHTTP serves the routes listed in the package documentation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Polls reports how many device-code token requests arrived, counting those
// refused for their client authentication, so that a client sending each
// poll twice shows.
func (s *Server) Polls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls
}

// Refreshes reports how many refresh-token requests arrived.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}

// LastRefreshScope is the scope parameter of the last refresh request, ""
// when it had none. Entra wants the scope on every refresh.
func (s *Server) LastRefreshScope() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastRefreshScope
}

// Credential is a secret the server handed out.
type Credential struct {
	Kind  string // "device_code", "access_token", "refresh_token" or "id_token"
	Value string
}

// Issued returns every credential the server handed out, oldest first,
// including those since redeemed, rotated, revoked or expired, so that a
// test can look for each where no secret belongs, such as a log. The list
// grows by a few entries per sign-in and refresh.
func (s *Server) Issued() []Credential {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.issued)
}

// SetEmail makes the email claim of username's id_tokens say email instead
// of the username, as for a mailbox whose address differs from its UPN.
func (s *Server) SetEmail(username, email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emails[strings.ToLower(username)] = email
}

// PublicKey is the key that verifies id_token signatures.
func (s *Server) PublicKey() *rsa.PublicKey {
	return &s.key().PublicKey
}

func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// baseURL is this server as the request reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// randomToken is an opaque credential: 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newUUID is a random (version 4) UUID, for trace and token IDs.
func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return formatUUID(b)
}

// stableUUID derives a UUID from parts, so that the same account gets the
// same tenant and object IDs at every sign-in, as in a real directory.
func stableUUID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return formatUUID(h[:16])
}

func formatUUID(b []byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
