package device

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
)

// loggedIn is a pinRig with an admin password set.
func loggedIn(t *testing.T) (*pinRig, string) {
	r := newPINRig(t)
	const pw = "the admin's password"
	if _, err := r.dev.SetPassword(context.Background(), "", pw); err != nil {
		t.Fatal(err)
	}
	return r, pw
}

// TestSessionLifetime: a login makes a session that each check keeps
// alive, idle for at most 30 minutes (a use less than a minute after
// the last one written does not move it) and 12 hours at most from the
// login, used or not; it survives a restart; a logout ends it, twice
// without error; a clock set back ends it; a session ID of another form
// is no session.
func TestSessionLifetime(t *testing.T) {
	r, pw := loggedIn(t)
	ctx := context.Background()
	var id string
	var created time.Time
	type step struct {
		name    string
		advance time.Duration
		do      func() (apitype.Session, error)
		alive   bool
		expires time.Duration // after created, when alive
		logout  bool          // do logs out: no error, nothing else
	}
	login := func() (apitype.Session, error) {
		s, err := r.dev.Login(ctx, pw)
		id, created = s.ID, r.clock.Now()
		return s, err
	}
	check := func() (apitype.Session, error) { return r.dev.CheckSession(id) }
	logout := func() (apitype.Session, error) { return apitype.Session{}, r.dev.Logout(id) }
	reopen := func() (apitype.Session, error) { r.reopen(); return r.dev.CheckSession(id) }
	steps := []step{
		{name: "login", do: login, alive: true, expires: 30 * time.Minute},
		{name: "checked at once", do: check, alive: true, expires: 30 * time.Minute},
		{name: "checked 59 s later: not written", advance: 59 * time.Second, do: check, alive: true, expires: 30 * time.Minute},
		{name: "checked a minute later: written", advance: time.Second, do: check, alive: true, expires: 31 * time.Minute},
		{name: "after a restart", advance: 10 * time.Minute, do: reopen, alive: true, expires: 41 * time.Minute},
		{name: "idle 29:59", advance: 29*time.Minute + 59*time.Second, do: check, alive: true, expires: 70*time.Minute + 59*time.Second},
		{name: "idle 30:00: ended", advance: 30 * time.Minute, do: check},
		{name: "ended stays ended", do: check},
		{name: "a new login", do: login, alive: true, expires: 30 * time.Minute},
	}
	// Used every 20 minutes: alive until 12 hours after the login.
	for at := 20 * time.Minute; at < 12*time.Hour; at += 20 * time.Minute {
		exp := at + 30*time.Minute
		if exp > 12*time.Hour {
			exp = 12 * time.Hour
		}
		steps = append(steps, step{name: "used at " + at.String(), advance: 20 * time.Minute, do: check, alive: true, expires: exp})
	}
	steps = append(steps,
		step{name: "12 hours after the login: ended", advance: 20 * time.Minute, do: check},
		step{name: "login again", do: login, alive: true, expires: 30 * time.Minute},
		step{name: "logout", do: logout, logout: true},
		step{name: "checked after the logout", do: check},
		step{name: "logout again", do: logout, logout: true},
		step{name: "login, then the clock goes back", do: login, alive: true, expires: 30 * time.Minute},
		step{name: "checked a second before its login", advance: -time.Second, do: check},
	)
	for _, s := range steps {
		r.clock.Add(s.advance)
		got, err := s.do()
		if s.logout {
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			continue
		}
		if !s.alive {
			if CodeOf(err) != apitype.CodeNoSession {
				t.Fatalf("%s: %+v, %v; want no-session", s.name, got, err)
			}
			if summary, hint := Explain(err); summary == "" || hint == "" || strings.Contains(hint, "scanmaild") {
				t.Errorf("%s: words %q, %q", s.name, summary, hint)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !got.Created.Equal(created) || !got.Expires.Equal(created.Add(s.expires)) {
			t.Errorf("%s: created %v, expires %v after it; want %v, %v", s.name, got.Created, got.Expires.Sub(got.Created), created, s.expires)
		}
		if isLogin := got.Created.Equal(r.clock.Now()) && got.ID == id; isLogin != (got.ID != "") {
			t.Errorf("%s: ID %q: only a login gives it", s.name, got.ID)
		}
	}
	for _, bad := range []string{"", "x", id + "A", strings.Repeat("A", 43), "../../etc", base64.StdEncoding.EncodeToString(make([]byte, 32))} {
		if _, err := r.dev.CheckSession(bad); CodeOf(err) != apitype.CodeNoSession {
			t.Errorf("session %q: %v, want no-session", bad, err)
		}
		if err := r.dev.Logout(bad); err != nil {
			t.Errorf("logout of %q: %v", bad, err)
		}
	}
}

// TestSessionStoredHashed: the state file holds a session under the
// SHA-256 of its ID, and the ID itself nowhere, in no form; the log has
// neither.
func TestSessionStoredHashed(t *testing.T) {
	r, pw := loggedIn(t)
	s, err := r.dev.Login(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(s.ID)
	if err != nil || len(raw) != 32 || len(s.ID) != 43 {
		t.Fatalf("session ID %q: %d bytes, %v; want 32 random bytes in base64url", s.ID, len(raw), err)
	}
	sum := sha256.Sum256(raw)
	var keys [][]byte
	err = r.st.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			keys = append(keys, bytes.Clone(k))
			return nil
		})
	})
	if err != nil || len(keys) != 1 || !bytes.Equal(keys[0], sum[:]) {
		t.Fatalf("the sessions bucket's keys %x (%v), want the ID's SHA-256 %x", keys, err, sum)
	}
	r.close()
	file, err := os.ReadFile(r.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range [][]byte{raw, []byte(s.ID), []byte(base64.StdEncoding.EncodeToString(raw)), []byte(hex.EncodeToString(raw))} {
		if bytes.Contains(file, form) {
			t.Errorf("the state file holds the session ID (%q)", form)
		}
	}
	for _, form := range []string{s.ID, hex.EncodeToString(sum[:]), base64.RawURLEncoding.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:]), pw} {
		if strings.Contains(r.log.String(), form) {
			t.Errorf("the log holds %q", form)
		}
	}
}

// TestSessionCap: with 64 sessions kept, a login ends the oldest; the
// others stay.
func TestSessionCap(t *testing.T) {
	r, pw := loggedIn(t)
	start := r.clock.Now()
	// 64 sessions made a second apart, the first last in key order, so
	// that the oldest is not merely the first key.
	for i := range maxSessions {
		key := bytes.Repeat([]byte{byte(255 - i)}, 32)
		at := start.Add(time.Duration(i) * time.Second)
		if err := r.st.addSession(key, sessionRecord{Created: at, LastUse: at}, at, maxSessions); err != nil {
			t.Fatal(err)
		}
	}
	r.clock.Add(2 * time.Minute)
	s, err := r.dev.Login(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	var keys [][]byte
	r.st.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			keys = append(keys, bytes.Clone(k))
			return nil
		})
	})
	if len(keys) != maxSessions {
		t.Fatalf("%d sessions kept, want %d", len(keys), maxSessions)
	}
	for _, k := range keys {
		if k[0] == 255 {
			t.Errorf("the oldest session is kept")
		}
	}
	if _, err := r.dev.CheckSession(s.ID); err != nil {
		t.Errorf("the new session: %v", err)
	}
}

// TestSessionPrune: the pruning removes the sessions that have ended,
// idle or too old, which nobody checks again, and keeps the others.
func TestSessionPrune(t *testing.T) {
	r, pw := loggedIn(t)
	ctx := context.Background()
	old, err := r.dev.Login(ctx, pw)
	if err != nil {
		t.Fatal(err)
	}
	r.clock.Add(20 * time.Minute)
	young, err := r.dev.Login(ctx, pw)
	if err != nil {
		t.Fatal(err)
	}
	r.clock.Add(15 * time.Minute) // old idle 35 minutes, young 15
	r.dev.pruneSessions()
	n := 0
	r.st.db.View(func(tx *bolt.Tx) error {
		n = countKeys(tx.Bucket(bucketSessions))
		return nil
	})
	if n != 1 {
		t.Errorf("%d sessions after pruning, want 1", n)
	}
	if _, err := r.dev.CheckSession(young.ID); err != nil {
		t.Errorf("the young session: %v", err)
	}
	if _, err := r.dev.CheckSession(old.ID); CodeOf(err) != apitype.CodeNoSession {
		t.Errorf("the old session: %v", err)
	}
	if !strings.Contains(r.log.String(), "web sessions ended") {
		t.Errorf("the log does not say the pruning removed one:\n%s", r.log.String())
	}
}

// TestSessionLogoutRacesCheck: checks that write the last use while a
// logout runs never bring the session back.
func TestSessionLogoutRacesCheck(t *testing.T) {
	r, pw := loggedIn(t)
	for range 20 {
		s, err := r.dev.Login(context.Background(), pw)
		if err != nil {
			t.Fatal(err)
		}
		r.clock.Add(sessionTouch) // each check writes
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { r.dev.CheckSession(s.ID) })
		}
		wg.Go(func() {
			if err := r.dev.Logout(s.ID); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		if _, err := r.dev.CheckSession(s.ID); CodeOf(err) != apitype.CodeNoSession {
			t.Fatalf("after the logout: %v, want no-session", err)
		}
	}
}
