package panel

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"scanmail/board"
	"scanmail/board/screen"
	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// adminState is the admin's side of the panel: the PIN, and what the
// admin menu's screens wait for.
type adminState struct {
	in  bool   // the PIN was given
	pin string // the PIN given, while in, for changing it

	state    *apitype.PINState // nil until the device says
	stateSeq int
	checkSeq int
	setSeq   int
	retryAt  time.Time // wrong tries hold the next back until then
	err      string
	changing bool   // a new PIN from the admin menu
	first    string // a new PIN as typed first
	again    bool   // the new PIN is being typed again

	signin    apitype.SignIn
	signinSeq int
	signinErr error
	restart   bool // a new code once the sign-in waiting is canceled

	ackSeq int // the acknowledgement of an alert under way
}

func (a *adminState) reset() { *a = adminState{} }

// logOut ends the admin's session.
func (m *Machine) logOut() {
	m.admin.reset()
	if adminView(m.view) {
		m.goTo(vHome)
	}
}

// openAdmin answers the Menu key: the admin menu, behind the PIN.
func (m *Machine) openAdmin() {
	m.clearChoice()
	if m.admin.in {
		m.goTo(vAdmin)
		return
	}
	m.admin.reset()
	m.pinEntry()
	m.goTo(vPIN)
	m.admin.stateSeq = m.call(Call{Kind: CallPIN})
}

func (m *Machine) pinEntry() {
	m.tap.reset()
	m.tap.digits, m.tap.max = true, 12
}

func (m *Machine) locked() bool { return m.now.Before(m.admin.retryAt) }

func (m *Machine) pinScreen() screen.Screen {
	a := &m.admin
	s := screen.Screen{Input: strings.Repeat("*", len(m.tap.String())), Keys: "OK:Enter Back"}
	if m.view == vPINNew {
		s.Title = "New admin PIN"
		switch {
		case a.again:
			s.Lines = []string{"Type it again."}
		case a.changing:
			s.Lines = []string{"Type the new PIN: 4 or more digits."}
		default:
			s.Lines = []string{"No admin PIN yet: choose one, 4 or more digits."}
		}
	} else {
		s.Title = "Admin PIN"
		if a.state == nil && a.err == "" {
			s.Lines = []string{"Checking..."}
		}
		if m.locked() {
			s.Lines = append(s.Lines, "Try again in "+clock(a.retryAt.Sub(m.now)))
		}
	}
	if a.err != "" {
		s.Lines = append([]string{a.err}, s.Lines...)
	}
	return s
}

func (m *Machine) keyPIN(k board.Key) bool {
	a := &m.admin
	switch {
	case m.tap.key(k, m.now):
		return true
	case k == board.KeyLeft || k == board.KeyBack && m.tap.String() != "":
		m.tap.backspace()
		return true
	case k == board.KeyBack:
		if a.changing {
			a.changing, a.again, a.err = false, false, ""
			m.goTo(vAdmin)
			return true
		}
		m.logOut()
		m.goTo(vHome)
		return true
	case k != board.KeyOK:
		return false
	}
	typed := m.tap.String()
	if m.view == vPIN {
		if m.locked() || typed == "" || a.checkSeq != 0 {
			return false
		}
		m.pinEntry()
		a.err = ""
		a.checkSeq = m.call(Call{Kind: CallCheckPIN, PIN: typed})
		return true
	}
	m.pinEntry()
	switch {
	case !a.again && len(typed) < 4:
		a.err = "At least 4 digits."
		return false
	case !a.again:
		a.first, a.again, a.err = typed, true, ""
		return true
	case typed != a.first:
		a.first, a.again, a.err = "", false, "The two differ: choose again."
		return false
	}
	old := ""
	if a.changing {
		old = a.pin
	}
	a.again = false
	a.setSeq = m.call(Call{Kind: CallSetPIN, OldPIN: old, PIN: typed})
	return true
}

func (m *Machine) adminAnswer(a Answer) {
	ad := &m.admin
	switch a.Call.Kind {
	case CallPIN:
		if a.Call.Seq != ad.stateSeq {
			return
		}
		ad.stateSeq = 0
		if a.Err != nil {
			ad.err = errText(a.Err)
			return
		}
		ad.state = &a.PINState
		ad.retryAt = a.PINState.RetryAt
		if !a.PINState.Set && m.view == vPIN {
			m.goTo(vPINNew)
		}
	case CallCheckPIN:
		if a.Call.Seq != ad.checkSeq {
			return
		}
		ad.checkSeq = 0
		switch localclient.ErrorCode(a.Err) {
		case "":
			if a.Err != nil {
				ad.err = errText(a.Err)
				m.sound(SoundError)
				return
			}
			ad.in, ad.pin, ad.err = true, a.Call.PIN, ""
			if m.view == vPIN {
				m.goTo(vAdmin)
			}
		case apitype.CodePINWrong:
			ad.err = "Wrong PIN"
			if e, ok := errors.AsType[*localclient.Error](a.Err); ok {
				ad.retryAt = e.RetryAt
			}
			m.sound(SoundError)
		case apitype.CodePINLocked:
			ad.err = "Wrong PIN too often"
			if e, ok := errors.AsType[*localclient.Error](a.Err); ok {
				ad.retryAt = e.RetryAt
			}
			m.sound(SoundError)
		case apitype.CodePINNotSet:
			ad.err = ""
			m.goTo(vPINNew)
		default:
			ad.err = errText(a.Err)
			m.sound(SoundError)
		}
	case CallSetPIN:
		if a.Call.Seq != ad.setSeq {
			return
		}
		ad.setSeq = 0
		if a.Err != nil {
			ad.err = errText(a.Err)
			m.sound(SoundError)
			return
		}
		ad.in, ad.pin, ad.changing, ad.err = true, a.Call.PIN, false, ""
		m.say(vAdmin, "Admin PIN", "The admin PIN is set.")
	case CallSignIn:
		if a.Call.Seq != ad.signinSeq {
			return
		}
		if a.SignIn != nil {
			ad.signin = *a.SignIn
		}
		if a.Done {
			ad.signinSeq = 0
			if a.Err != nil {
				ad.signinErr = a.Err
			}
			switch {
			case a.Err != nil || ad.signin.State == apitype.SignInFailed:
				m.sound(SoundError)
			case ad.signin.State == apitype.SignInDone:
				m.sound(SoundBeep)
			}
		}
	case CallCancelSignIn:
		if ad.restart && m.view == vSignIn {
			ad.restart = false
			m.startSignIn(false)
		}
	case CallSignOut:
		if a.Err != nil {
			m.say(vAdmin, "Not signed out", errLines(a.Err)...)
			m.sound(SoundError)
			return
		}
		m.status = a.Status
		m.say(vAdmin, "Signed out", "No mail goes until an admin signs in again.")
	}
}

// adminMenu is the admin menu: the alerts while any wait; the sign-in's
// entries where the device sends with one (or still holds one, to sign
// out of).
func (m *Machine) adminMenu() []string {
	var menu []string
	if n := len(m.status.Alerts); n > 0 {
		menu = append(menu, "Alerts ("+strconv.Itoa(n)+")")
	}
	if m.oauthRoad() {
		menu = append(menu, "Sign in", "Token health")
	}
	if m.oauthRoad() || m.status.Account != nil {
		menu = append(menu, "Sign out")
	}
	return append(menu, "Network", "Change PIN", "Log out")
}

func (m *Machine) adminScreen() screen.Screen {
	s := screen.Screen{Title: "Admin", Menu: m.adminMenu(), Selected: m.sel, Keys: "OK Back:Log out"}
	switch {
	case !m.oauthRoad():
		s.Lines = []string{"Sends by " + m.roadName() + ": no sign-in needed"}
	case m.status.Account != nil:
		s.Lines = []string{"Account: " + m.status.Account.UPN}
	default:
		s.Lines = []string{"Not signed in"}
	}
	return s
}

func (m *Machine) keyAdmin(k board.Key) bool {
	menu := m.adminMenu()
	if m.moveSel(k, len(menu)) {
		return true
	}
	switch k {
	case board.KeyBack:
		m.logOut()
		return true
	case board.KeyOK:
	default:
		return false
	}
	item := menu[min(m.sel, len(menu)-1)] // the menu may have shrunk under the highlight
	if strings.HasPrefix(item, "Alerts") {
		m.goTo(vAlerts)
		return true
	}
	switch item {
	case "Sign in":
		m.goTo(vSignIn)
		m.startSignIn(false)
	case "Token health":
		m.goTo(vHealth)
	case "Sign out":
		m.goTo(vSignOut)
	case "Network":
		m.goTo(vNetwork)
	case "Change PIN":
		m.admin.changing, m.admin.again, m.admin.err = true, false, ""
		m.pinEntry()
		m.goTo(vPINNew)
	case "Log out":
		m.logOut()
	}
	return true
}

func (m *Machine) startSignIn(replace bool) {
	ad := &m.admin
	ad.signin, ad.signinErr = apitype.SignIn{}, nil
	ad.signinSeq = m.call(Call{Kind: CallSignIn, Replace: replace})
	m.sel = 0
}

// stopSignIn cancels the sign-in waiting, if any.
func (m *Machine) stopSignIn() {
	ad := &m.admin
	if ad.signinSeq != 0 {
		m.abort(ad.signinSeq)
		ad.signinSeq = 0
	}
	if ad.signin.State == apitype.SignInWaiting {
		ad.signin = apitype.SignIn{}
		m.call(Call{Kind: CallCancelSignIn})
	}
}

func (m *Machine) signInScreen() screen.Screen {
	ad := &m.admin
	si := ad.signin
	switch {
	case ad.signinErr != nil:
		return screen.Screen{Title: "Sign-in failed", Lines: errLines(ad.signinErr), Keys: "#:Again Back"}
	case si.State == apitype.SignInWaiting:
		// The QR code takes the left half of a bitmap panel: the right
		// half has ten columns, for the time left (as the title), the
		// page's address, its site first (what the browser must show),
		// and the code in large type.
		uri := si.VerificationURI
		s := screen.Screen{
			Title: "Sign in",
			QR:    or(si.VerificationURIComplete, uri),
			Big:   si.UserCode,
			Lines: []string{withoutScheme(uri)},
			Keys:  "#:New code",
		}
		if left := si.ExpiresAt.Sub(m.now); !si.ExpiresAt.IsZero() && left > 0 {
			s.Title = clock(left) + " left"
		} else if !si.ExpiresAt.IsZero() {
			s.Title = "Expired"
			s.Lines = []string{"The code has expired: # for a new one."}
		}
		return s
	case si.State == apitype.SignInDone:
		return screen.Screen{Title: "Signed in", Lines: []string{"Mail now goes from", si.UPN}, Keys: "OK"}
	case si.State == apitype.SignInFailed:
		s := screen.Screen{Title: "Sign-in failed", Lines: []string{si.Error}, Keys: "#:Again Back"}
		if si.Hint != "" {
			s.Lines = append(s.Lines, si.Hint)
		}
		if si.Replace {
			s.Lines = append(s.Lines, "Switch to this account?")
			s.Menu = []string{"No, keep the old one", "Yes, switch"}
			s.Selected = m.sel
			s.Keys = "OK"
		}
		return s
	case si.State == apitype.SignInCanceled:
		return screen.Screen{Title: "Sign-in stopped", Keys: "#:Again Back"}
	}
	return screen.Screen{Title: "Sign in", Lines: []string{"Asking for a code..."}, Keys: "Back"}
}

func (m *Machine) keySignIn(k board.Key) bool {
	ad := &m.admin
	si := ad.signin
	switch {
	case si.State == apitype.SignInWaiting && k == board.KeyHash:
		ad.restart = true
		m.stopSignIn()
		return true
	case k == board.KeyBack || k == board.KeyStop:
		ad.restart = false
		m.stopSignIn()
		m.goTo(vAdmin)
		return true
	case si.State == apitype.SignInDone && k == board.KeyOK:
		m.goTo(vAdmin)
		return true
	case si.State == apitype.SignInFailed && si.Replace:
		if m.moveSel(k, 2) {
			return true
		}
		if k == board.KeyOK {
			if m.sel == 1 {
				m.startSignIn(true)
			} else {
				m.goTo(vAdmin)
			}
			return true
		}
	case (ad.signinErr != nil || si.State == apitype.SignInFailed || si.State == apitype.SignInCanceled) && k == board.KeyHash:
		m.startSignIn(false)
		return true
	}
	return false
}

// when is a time for the health screen, or "never".
func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2 Jan 15:04")
}

func (m *Machine) healthScreen() screen.Screen {
	s := screen.Screen{Title: "Token health", Keys: "Back"}
	acc := m.status.Account
	if acc == nil {
		s.Lines = []string{"Not signed in.", signInNeededWords}
		return s
	}
	s.Lines = []string{
		acc.UPN,
		"Refreshed " + when(acc.LastRefresh),
		"Keep-alive " + when(acc.NextKeepAlive),
	}
	if acc.SignInNeeded || m.signInNeeded() {
		s.Lines = append(s.Lines, "Sign-in needed")
		if m.status.Problem != "" {
			s.Lines = append(s.Lines, m.status.Problem)
		}
	} else {
		s.Lines = append(s.Lines, "Signed in "+when(acc.SignedInAt))
	}
	return s
}

func (m *Machine) keyInfo(k board.Key) bool {
	if k == board.KeyBack || k == board.KeyOK {
		m.goTo(vAdmin)
		return true
	}
	return false
}

func (m *Machine) signOutScreen() screen.Screen {
	return screen.Screen{
		Title:    "Sign out?",
		Lines:    []string{"No mail goes until an admin signs in again."},
		Menu:     []string{"No", "Yes, sign out"},
		Selected: m.sel,
		Keys:     "OK Back",
	}
}

func (m *Machine) keySignOut(k board.Key) bool {
	if m.moveSel(k, 2) {
		return true
	}
	switch {
	case k == board.KeyOK && m.sel == 1:
		m.call(Call{Kind: CallSignOut})
		m.say(vAdmin, "Signing out")
		return true
	case k == board.KeyOK || k == board.KeyBack:
		m.goTo(vAdmin)
		return true
	}
	return false
}

func (m *Machine) networkScreen() screen.Screen {
	s := screen.Screen{Title: "Network", Keys: "Back"}
	web := m.status.Web
	if len(web.URLs) == 0 {
		s.Lines = []string{"The device serves no web pages."}
		return s
	}
	s.Lines = append([]string{"Web pages at"}, web.URLs...)
	if web.Fingerprint != "" {
		// What the browser shows for the certificate: the admin checks
		// it before typing the password.
		s.Lines = append(s.Lines, "Certificate SHA-256:", web.Fingerprint)
	}
	return s
}
