package localapi_test

import (
	"context"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"scanmail/device"
	"scanmail/device/apitype"
	"scanmail/device/localclient"
	"scanmail/scan/scansim"
)

// clock is a clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// serveClock is serve with a device on the clock c.
func serveClock(t *testing.T, c *clock) *localclient.Client {
	t.Helper()
	dir := t.TempDir()
	st, err := device.OpenStore(filepath.Join(dir, "scanmail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dev, err := device.New(device.Config{Store: st, Scanner: &scansim.Scanner{}, SpoolDir: filepath.Join(dir, "spool"), Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	return serveDevice(t, dev, dir)
}

// TestPasswordOverSocket: the web pages' admin password and sessions
// through the local API, step by step on a clock the test moves, each
// refusal with its code, HTTP status and words: the first visit sets the
// password, a login makes a session that checks keep alive until idle,
// a logout ends it (twice without error), wrong passwords are held back
// with the time of the next try, a change ends every session, and a reset
// at the board clears the password and the sessions.
func TestPasswordOverSocket(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	c := serveClock(t, clk)
	ctx := context.Background()
	const pw, pw2 = "first admin password", "second admin password"
	var id, id2 string
	type step struct {
		name    string
		advance time.Duration
		do      func() error
		code    apitype.ErrorCode
		status  int
	}
	login := func(p string, into *string) func() error {
		return func() error {
			s, err := c.Login(ctx, p)
			if err == nil {
				if s.ID == "" || s.Created.IsZero() || !s.Expires.Equal(s.Created.Add(30*time.Minute)) {
					t.Errorf("login: %+v", s)
				}
				*into = s.ID
			}
			return err
		}
	}
	check := func(id *string) func() error {
		return func() error {
			s, err := c.CheckSession(ctx, *id)
			if err == nil && (s.ID != "" || s.Expires.Before(clk.Now())) {
				t.Errorf("session: %+v", s)
			}
			return err
		}
	}
	set := func(old, p string) func() error {
		return func() error { _, err := c.SetPassword(ctx, old, p); return err }
	}
	state := func(set bool, failures int) func() error {
		return func() error {
			st, err := c.Password(ctx)
			if err == nil && (st.Set != set || st.Failures != failures) {
				t.Errorf("password state %+v, want set %v, %d failures", st, set, failures)
			}
			return err
		}
	}
	steps := []step{
		{name: "state before", do: state(false, 0)},
		{name: "login before any password", do: login(pw, &id), code: apitype.CodePasswordNotSet, status: http.StatusConflict},
		{name: "a short password", do: set("", "short"), code: apitype.CodeInvalidRequest, status: http.StatusBadRequest},
		{name: "the first visit sets it", do: set("", pw)},
		{name: "state set", do: state(true, 0)},
		{name: "no session", do: check(&id), code: apitype.CodeNoSession, status: http.StatusUnauthorized},
		{name: "login", do: login(pw, &id)},
		{name: "check", advance: 20 * time.Minute, do: check(&id)},
		{name: "check, idle 29 minutes", advance: 29 * time.Minute, do: check(&id)},
		{name: "idle 30 minutes", advance: 30 * time.Minute, do: check(&id), code: apitype.CodeNoSession, status: http.StatusUnauthorized},
		{name: "login again", do: login(pw, &id)},
		{name: "logout", do: func() error { return c.Logout(ctx, id) }},
		{name: "checked after", do: check(&id), code: apitype.CodeNoSession, status: http.StatusUnauthorized},
		{name: "logout again", do: func() error { return c.Logout(ctx, id) }},
		{name: "two logins", do: func() error { login(pw, &id)(); return login(pw, &id2)() }},
		{name: "wrong 1", do: login(pw2, new(string)), code: apitype.CodePasswordWrong, status: http.StatusForbidden},
		{name: "wrong 2", do: set(pw2, pw2), code: apitype.CodePasswordWrong, status: http.StatusForbidden},
		{name: "wrong 3", do: login("", new(string)), code: apitype.CodePasswordWrong, status: http.StatusForbidden},
		{name: "held back", do: login(pw, new(string)), code: apitype.CodePasswordLocked, status: http.StatusTooManyRequests},
		{name: "state held back", do: state(true, 3)},
		{name: "the sessions live on", do: check(&id2)},
		{name: "a change after the wait", advance: 30 * time.Second, do: set(pw, pw2)},
		{name: "the change ended the sessions", do: check(&id2), code: apitype.CodeNoSession, status: http.StatusUnauthorized},
		{name: "login with the new one", do: login(pw2, &id)},
		{name: "reset at the board", do: func() error { _, err := c.ResetPassword(ctx); return err }},
		{name: "the reset ended the session", do: check(&id), code: apitype.CodeNoSession, status: http.StatusUnauthorized},
		{name: "state after the reset", do: state(false, 0)},
		{name: "set again by anyone", do: set("", pw)},
	}
	for _, s := range steps {
		clk.Add(s.advance)
		err := s.do()
		if localclient.ErrorCode(err) != s.code {
			t.Fatalf("%s: %v (code %q), want code %q", s.name, err, localclient.ErrorCode(err), s.code)
		}
		if err == nil {
			continue
		}
		le, _ := err.(*localclient.Error)
		if le == nil || le.Status != s.status || le.Message == "" || le.Hint == "" {
			t.Errorf("%s: %#v, want HTTP status %d with words", s.name, err, s.status)
		}
		if s.code == apitype.CodePasswordLocked && !le.RetryAt.Equal(clk.Now().Add(30*time.Second)) {
			t.Errorf("%s: retry at %v, want 30 s from now", s.name, le.RetryAt)
		}
	}
}
