package device

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"scanmail/device/apitype"
)

// Web sessions: a login with the admin password makes one, whose ID the
// web pages keep in a cookie. The state file keeps only the ID's SHA-256,
// so that a copy of it gives no live cookie; a random 32-byte ID needs
// no slow hash to make that so.
const (
	// sessionIdle ends a session not used for that long; sessionLifetime
	// ends it that long after the login, used or not.
	sessionIdle     = 30 * time.Minute
	sessionLifetime = 12 * time.Hour
	// sessionTouch is how often a session's last use is written. Each
	// bbolt transaction that writes syncs the state file to the flash:
	// the web pages check the session on every request, and writing each
	// would wear the flash and hold up the jobs' writes for nothing. The
	// idle timeout then counts from the last use written, at most this
	// long before the last use.
	sessionTouch = time.Minute
	// maxSessions bounds the sessions kept; a login beyond it ends the
	// oldest.
	maxSessions = 64
	// sessionIDLen is the bytes of a session ID, before base64url.
	sessionIDLen = 32
)

func (s sessionRecord) expires() time.Time {
	idle, end := s.LastUse.Add(sessionIdle), s.Created.Add(sessionLifetime)
	if idle.Before(end) {
		return idle
	}
	return end
}

// alive says whether the session has not ended at now. A session made or
// used "after" now was made before the clock went back, and how old it
// is cannot be told: it ends, as a session past its time does.
func (s sessionRecord) alive(now time.Time) bool {
	return !s.Created.After(now) && !s.LastUse.After(now) && now.Before(s.expires())
}

func (s sessionRecord) session() apitype.Session {
	return apitype.Session{Created: s.Created, Expires: s.expires()}
}

// Login makes a web session if password is the admin password, which is
// checked and held back after wrong tries as the PIN is. The answer's ID
// is the session's only copy: the web pages put it in their cookie.
func (d *Device) Login(ctx context.Context, password string) (apitype.Session, error) {
	var s apitype.Session
	// The session is stored while the password is known right: a
	// change of password meanwhile, which ends every session, waits.
	_, err := d.checkSecret(ctx, adminPassword, password, func() error {
		id := make([]byte, sessionIDLen)
		if _, err := rand.Read(id); err != nil {
			return fmt.Errorf("session ID: %w", err)
		}
		now := d.now()
		rec := sessionRecord{Created: now, LastUse: now}
		if err := d.store.addSession(sessionKey(id), rec, now, maxSessions); err != nil {
			return err
		}
		s = rec.session()
		s.ID = base64.RawURLEncoding.EncodeToString(id)
		return nil
	})
	if err != nil {
		return apitype.Session{}, err
	}
	d.log.Info("web login")
	return s, nil
}

// CheckSession answers the session with id if it is alive, and counts the
// check as a use; CodeNoSession if it is unknown or has ended (and then
// it is removed).
func (d *Device) CheckSession(id string) (apitype.Session, error) {
	key, ok := parseSessionID(id)
	if !ok {
		return apitype.Session{}, errNoSession()
	}
	rec, found, err := d.store.session(key)
	if err != nil {
		return apitype.Session{}, err
	}
	if !found {
		return apitype.Session{}, errNoSession()
	}
	now := d.now()
	if !rec.alive(now) {
		if err := d.store.deleteSession(key); err != nil {
			return apitype.Session{}, err
		}
		d.log.Info("web session ended", "created", rec.Created)
		return apitype.Session{}, errNoSession()
	}
	if now.Sub(rec.LastUse) >= sessionTouch {
		rec.LastUse = now
		if found, err = d.store.touchSession(key, now); err != nil {
			return apitype.Session{}, err
		}
		if !found { // logged out meanwhile
			return apitype.Session{}, errNoSession()
		}
	}
	return rec.session(), nil
}

// Logout ends the session with id; one unknown or ended already is no
// error.
func (d *Device) Logout(id string) error {
	key, ok := parseSessionID(id)
	if !ok {
		return nil
	}
	return d.store.deleteSession(key)
}

// pruneSessions removes the sessions that have ended, for the hourly
// pruning: one nobody checks again would stay otherwise.
func (d *Device) pruneSessions() {
	n, err := d.store.pruneSessions(d.now())
	if err != nil {
		d.log.Error("pruning the web sessions", "err", err)
		return
	}
	if n > 0 {
		d.log.Info("web sessions ended", "removed", n)
	}
}

// parseSessionID gives the key the session with id is stored under; not
// ok when id cannot be a session's.
func parseSessionID(id string) (key []byte, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(raw) != sessionIDLen {
		return nil, false
	}
	return sessionKey(raw), true
}

func sessionKey(id []byte) []byte {
	k := sha256.Sum256(id)
	return k[:]
}

func errNoSession() error {
	return &Error{Summary: "Not logged in, or the session has ended", Hint: "Log in with the admin password.", Code: apitype.CodeNoSession}
}
