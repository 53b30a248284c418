package device

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"scanmail/device/apitype"
)

// TestPasswordFormats: a password is at least 10 characters, at most 128
// bytes, of printable UTF-8; anything else is refused with words, and
// nothing is set.
func TestPasswordFormats(t *testing.T) {
	r := newPINRig(t)
	ctx := context.Background()
	for _, tc := range []struct {
		password string
		words    string // in the summary of a refusal; "" when taken
	}{
		{"", "at least 10 characters"},
		{"123456789", "at least 10 characters"},
		{"ééééééééé", "at least 10 characters"}, // 18 bytes, 9 characters
		{strings.Repeat("a", 129), "at most 128 bytes"},
		{strings.Repeat("é", 65), "at most 128 bytes"}, // 65 characters, 130 bytes
		{"correct horse\nbattery", "printable"},
		{"correct\thorse battery", "printable"},
		{"correct horse\x00battery", "printable"},
		{"correct horse \u202ebattery", "printable"}, // a bidi override
		{"correct horse \xffbattery", "printable"},   // not UTF-8
		{"0123456789", ""},
		{"correct horse battery staple", ""},
		{"ééééééééééé", ""},
		{strings.Repeat("a", 128), ""},
		{strings.Repeat("é", 64), ""},
		{"  spaces count  ", ""},
	} {
		_, err := r.dev.SetPassword(ctx, "", tc.password)
		if tc.words == "" {
			if err != nil {
				t.Errorf("%q refused: %v", tc.password, err)
			}
			if _, err := r.dev.ResetPassword(ctx); err != nil {
				t.Fatal(err)
			}
			continue
		}
		summary, hint := Explain(err)
		if CodeOf(err) != apitype.CodeInvalidRequest || !strings.Contains(summary, tc.words) || hint == "" {
			t.Errorf("%q: %v (%s), want it refused as invalid-request with %q", tc.password, err, CodeOf(err), tc.words)
		}
		if st, _ := r.dev.Password(); st.Set {
			t.Errorf("%q refused, yet a password is set", tc.password)
		}
	}
}

// TestPasswordBackOff: the admin password, step by step on a clock the
// test moves: set by the first visit, changed with the old one only,
// three wrong ones taken at once and then each try held back (a login,
// a change, the right password too), longer after each wrong one; the
// count survives a restart; a clock set back does not lock it for longer
// than the wait; the right one clears the count; a change and a reset
// end every session. The PIN's count is not the password's.
func TestPasswordBackOff(t *testing.T) {
	r := newPINRig(t)
	ctx := context.Background()
	const pw, other = "a long admin password", "another admin password"
	var sessions []string // IDs of the sessions alive
	type step struct {
		name     string
		before   func()
		do       func() error
		code     apitype.ErrorCode
		wait     time.Duration // RetryAt - now, on the error and the state after
		fails    int           // the state's failures after
		set      bool
		sessions int // sessions alive after
	}
	login := func(p string) func() error {
		return func() error {
			s, err := r.dev.Login(ctx, p)
			if err == nil {
				sessions = append(sessions, s.ID)
			}
			return err
		}
	}
	set := func(old, p string) func() error {
		return func() error { _, err := r.dev.SetPassword(ctx, old, p); return err }
	}
	reset := func() error { _, err := r.dev.ResetPassword(ctx); return err }
	advance := func(d time.Duration) func() { return func() { r.clock.Add(d) } }
	steps := []step{
		{name: "login before any password", do: login(pw), code: apitype.CodePasswordNotSet},
		{name: "the first visit sets it", do: set("", pw), set: true},
		{name: "login", do: login(pw), set: true, sessions: 1},
		{name: "another login", do: login(pw), set: true, sessions: 2},
		{name: "set again without the old one", do: set("", other), code: apitype.CodePasswordWrong, fails: 1, set: true, sessions: 2},
		{name: "wrong login 2", do: login(other), code: apitype.CodePasswordWrong, fails: 2, set: true, sessions: 2},
		{name: "wrong 3, too short: the next waits", do: login("short"), code: apitype.CodePasswordWrong, fails: 3, wait: 30 * time.Second, set: true, sessions: 2},
		{name: "right, too soon", before: advance(29 * time.Second), do: login(pw), code: apitype.CodePasswordLocked, fails: 3, wait: time.Second, set: true, sessions: 2},
		{name: "a change, too soon", do: set(pw, other), code: apitype.CodePasswordLocked, fails: 3, wait: time.Second, set: true, sessions: 2},
		{name: "the PIN is not held back", do: func() error { _, err := r.dev.SetPIN(ctx, "", "1234"); return err }, fails: 3, wait: time.Second, set: true, sessions: 2},
		{name: "wrong 4 after the wait", before: advance(time.Second), do: set(other, pw), code: apitype.CodePasswordWrong, fails: 4, wait: time.Minute, set: true, sessions: 2},
		{name: "after a restart, still held back", before: r.reopen, do: login(pw), code: apitype.CodePasswordLocked, fails: 4, wait: time.Minute, set: true, sessions: 2},
		{name: "wrong 5", before: advance(time.Minute), do: login(other), code: apitype.CodePasswordWrong, fails: 5, wait: 2 * time.Minute, set: true, sessions: 2},
		{name: "clock set back", before: advance(-365 * 24 * time.Hour), do: login(pw), code: apitype.CodePasswordLocked, fails: 5, wait: 2 * time.Minute, set: true},
		{name: "right after the wait: the count is cleared", before: advance(2 * time.Minute), do: login(pw), set: true, sessions: 1},
		{name: "wrong again counts from 1", do: login(other), code: apitype.CodePasswordWrong, fails: 1, set: true, sessions: 1},
		{name: "change with the old one: every session ends", do: set(pw, other), set: true},
		{name: "the old one is wrong now", do: login(pw), code: apitype.CodePasswordWrong, fails: 1, set: true},
		{name: "the new one logs in", do: login(other), set: true, sessions: 1},
		{name: "a bad new password", do: set(other, "short"), code: apitype.CodeInvalidRequest, set: true, sessions: 1},
		{name: "reset at the board: every session ends", do: reset},
		{name: "after the reset, set without the old one", do: set("", pw), set: true},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		now := r.clock.Now()
		err := s.do()
		if got := CodeOf(err); got != s.code {
			t.Fatalf("%s: %v (code %q), want code %q", s.name, err, got, s.code)
		}
		var wantAt time.Time
		if s.wait != 0 {
			wantAt = now.Add(s.wait)
		}
		if s.code == apitype.CodePasswordLocked || s.code == apitype.CodePasswordWrong {
			if got := Describe(err).RetryAt; !got.Equal(wantAt) {
				t.Errorf("%s: the error's RetryAt is %v after now, want %v", s.name, got.Sub(now), s.wait)
			}
			if summary, hint := Explain(err); !strings.Contains(summary, "password") || hint == "" {
				t.Errorf("%s: words %q, %q", s.name, summary, hint)
			}
		}
		st, err := r.dev.Password()
		if err != nil {
			t.Fatal(err)
		}
		if st.Set != s.set || st.Failures != s.fails || !st.RetryAt.Equal(wantAt) {
			t.Errorf("%s: state %+v, want set %v, %d failures, retry %v after now", s.name, st, s.set, s.fails, s.wait)
		}
		alive := sessions[:0]
		for _, id := range sessions {
			if _, err := r.dev.CheckSession(id); err == nil {
				alive = append(alive, id)
			} else if CodeOf(err) != apitype.CodeNoSession {
				t.Fatalf("%s: checking a session: %v", s.name, err)
			}
		}
		sessions = alive
		if len(sessions) != s.sessions {
			t.Errorf("%s: %d sessions alive, want %d", s.name, len(sessions), s.sessions)
		}
	}
	if st, _ := r.dev.PIN(); st.Failures != 0 {
		t.Errorf("the PIN counts %d wrong tries, the password's", st.Failures)
	}
	// Nothing of the passwords or their hash is in the log, or in the
	// export.
	rec, err := r.st.secret(keyPassword)
	if err != nil || rec.Hash == nil {
		t.Fatalf("stored password: %+v %v", rec, err)
	}
	exp, err := r.dev.ExportConfig()
	if err != nil {
		t.Fatal(err)
	}
	export, _ := json.Marshal(exp)
	for _, place := range []struct{ name, text string }{{"log", r.log.String()}, {"export", string(export)}} {
		for _, secret := range []string{pw, other, base64.StdEncoding.EncodeToString(rec.Hash.Key), base64.RawStdEncoding.EncodeToString(rec.Hash.Key), hex.EncodeToString(rec.Hash.Key), base64.StdEncoding.EncodeToString(rec.Hash.Salt)} {
			if strings.Contains(place.text, secret) {
				t.Errorf("the %s holds a password or its hash (%s)", place.name, secret)
			}
		}
	}
	if !strings.Contains(r.log.String(), "wrong admin password") || !strings.Contains(r.log.String(), "admin password reset") {
		t.Errorf("the log does not say what happened:\n%s", r.log.String())
	}
}
