package panel_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"scanmail/board/screen"
	"scanmail/device/apitype"
)

// setPIN sets the admin PIN from a device without one, and logs out.
func (r *rig) setPIN(t *testing.T, pin string) {
	t.Helper()
	r.press(menu)
	r.rec.expect(t, "a new PIN asked for", has("[New admin PIN]", "No admin PIN yet"))
	r.press(digits(pin)...)
	r.press(ok)
	r.rec.expect(t, "again", has("Type it again."))
	r.press(digits(pin)...)
	r.press(ok)
	r.rec.expect(t, "set", has("The admin PIN is set."))
	r.press(ok)
	r.rec.expect(t, "admin menu", title("Admin"))
}

// TestPINBackOff: the first admin sets a PIN, twice; later a wrong PIN
// says so, and after three the panel counts down to the next try the
// device takes, and takes none before.
func TestPINBackOff(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.ready(t)
	r.setPIN(t, "2468")
	r.press(back)
	r.rec.expect(t, "logged out", title("Ready"))

	r.press(menu)
	r.rec.expect(t, "PIN asked", func(s screen.Screen) bool { return s.Title == "Admin PIN" && !has("Checking")(s) })
	for range 2 {
		r.press(digits("1111")...)
		r.press(ok)
		r.rec.expectNew(t, "checking", func(s screen.Screen) bool { return s.Input == "" && !has("Wrong PIN")(s) })
		r.rec.expectNew(t, "wrong", has("Wrong PIN"))
	}
	r.press(digits("1111")...)
	r.press(ok)
	s := r.rec.expectNew(t, "a countdown", has("Wrong PIN", "Try again in 0:"))
	st, err := r.c.PIN(context.Background())
	if err != nil || st.RetryAt.IsZero() {
		t.Fatalf("PIN state %+v %v: want a try held back", st, err)
	}
	// The right PIN, while held back, is not even sent.
	r.press(digits("2468")...)
	r.press(ok)
	r.press(digits("1")...)
	r.rec.expect(t, "a key taken after", func(s screen.Screen) bool { return s.Input == "*" })
	if got, _ := r.c.PIN(context.Background()); got.Failures != st.Failures || !got.RetryAt.Equal(st.RetryAt) {
		t.Fatalf("PIN state %+v after a try held back, was %+v", got, st)
	}
	if !strings.Contains(text(s), "Try again in 0:") {
		t.Fatalf("screen %s", text(s))
	}
}

// TestAdminSignIn: the admin signs the device in from the panel: the
// code in large type, the URL as text and as a QR code, the host the
// browser must show; the end names the account. A sign-in as another
// account asks whether to switch, and switching takes a new code. Token
// health and sign-out follow.
func TestAdminSignIn(t *testing.T) {
	codeShown := func(s screen.Screen) bool { return s.QR != "" && s.Big != "" }
	r := newRig(t, rigOptions{signedOut: true})
	r.rec.expect(t, "not ready", has("[Not ready]", "Sign-in needed - ask your admin"))
	r.setPIN(t, "1357")

	signIn := func(upn string) screen.Screen {
		t.Helper()
		s := r.rec.expect(t, "a code", codeShown)
		if !strings.HasPrefix(s.QR, r.ms.IdPURL) || s.Lines[0] != strings.TrimPrefix(s.QR, "http://") ||
			!strings.HasSuffix(s.Title, " left") {
			t.Fatalf("sign-in screen %s", text(s))
		}
		if err := r.ms.IdP.Approve(s.Big, upn); err != nil {
			t.Fatal(err)
		}
		return s
	}
	r.pick(t, "Sign in")
	first := r.rec.expect(t, "a code", codeShown)
	r.press(hash) // a new code
	r.rec.expect(t, "a new code", func(s screen.Screen) bool { return codeShown(s) && s.Big != first.Big })
	signIn(deviceUPN)
	r.rec.expect(t, "signed in", has("[Signed in]", "Mail now goes from", deviceUPN))
	r.press(ok)

	r.pick(t, "Sign in")
	signIn("other@contoso.example")
	r.rec.expect(t, "switch?", has("[Sign-in failed]", "Switch to this account?"))
	r.pick(t, "Yes, switch")
	signIn("other@contoso.example")
	r.rec.expect(t, "signed in as the other", has("[Signed in]", "other@contoso.example"))
	r.press(ok)

	r.pick(t, "Token health")
	r.rec.expect(t, "health", has("[Token health]", "other@contoso.example", "Refreshed", "Keep-alive"))
	r.press(back)
	r.pick(t, "Sign out")
	r.rec.expect(t, "confirm", has("[Sign out?]"))
	r.pick(t, "Yes, sign out")
	r.rec.expect(t, "signed out", title("Signed out"))
	r.press(ok)
	r.press(back)
	r.rec.expect(t, "not ready again", has("[Not ready]", "Sign-in needed - ask your admin"))
	if st, err := r.c.Status(context.Background()); err != nil || st.Account != nil {
		t.Fatalf("status %+v %v", st, err)
	}
}

// TestScanToMe: the Scan to Me destination of the settings, picked with
// one key, and alone when the settings say so.
func TestScanToMe(t *testing.T) {
	r := newRig(t, rigOptions{settings: [][2]string{{"scan.to_me", "me@contoso.example"}}})
	r.ready(t)
	r.pick(t, "Scan to Email")
	r.pick(t, "Scan to Me")
	r.rec.expect(t, "me chosen", has("To: me@contoso.example", "* Scan to Me"))
	r.press(start)
	r.rec.expect(t, "sent", title("Sent"))
	if got := r.mailed(); !slices.Equal(got, []string{"me@contoso.example"}) {
		t.Fatalf("mailed to %v", got)
	}
	r.press(ok)

	if _, err := r.c.SetConfig(context.Background(), "scan.to_me_only", "yes"); err != nil {
		t.Fatal(err)
	}
	r.rec.expect(t, "home", title("Ready"))
	r.pick(t, "Scan to Email")
	s := r.rec.expect(t, "Scan to Me alone", has("[Scan to Email]", "To: me@contoso.example"))
	if !slices.Equal(s.Menu, []string{"* Scan to Me", "Options"}) {
		t.Fatalf("menu %q", s.Menu)
	}
}

// TestQuickSet: a Quick Set fills the destination and the options.
func TestQuickSet(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx := context.Background()
	if _, err := r.c.PutQuickSet(ctx, apitype.QuickSet{Name: "Invoices", To: []string{"ap@contoso.example"},
		Options: apitype.ScanOptions{Mode: "gray8", DPI: 100}}); err != nil {
		t.Fatal(err)
	}
	r.ready(t)
	r.pick(t, "Scan to Email")
	r.pick(t, "Quick Sets")
	r.pick(t, "Invoices")
	r.rec.expect(t, "filled", has("To: ap@contoso.example", "Gray 100dpi"))
	r.press(start)
	r.rec.expect(t, "sent", title("Sent"))
	if got := r.mailed(); !slices.Equal(got, []string{"ap@contoso.example"}) {
		t.Fatalf("mailed to %v", got)
	}
}
