package panel

import (
	"strconv"

	"scanmail/board"
	"scanmail/board/screen"
	"scanmail/device/apitype"
)

// The device's alerts (apitype.Alert): a line on Ready for whoever stands
// at the panel while any waits, and in the admin menu, behind the PIN,
// the list with each one's words and OK to acknowledge it.

// alertShort is an alert in the few words a menu item or a line on Ready
// has room for.
func alertShort(a apitype.Alert) string {
	switch a.Kind {
	case apitype.AlertSignInEnded:
		return "Sign-in ended"
	case apitype.AlertKeepAliveFailing:
		return "Sign-in renewal failing"
	case apitype.AlertJobsFailing:
		return "Sending keeps failing"
	}
	return a.Summary
}

// alertLines are the lines on Ready while alerts wait. A screen that
// already tells the operator to ask the admin (Not ready) has no room to
// say it twice on 128×64: there the alert is its few words only.
func (m *Machine) alertLines(askAdmin bool) []string {
	var lines []string
	for _, a := range m.status.Alerts {
		line := "! " + alertShort(a)
		if askAdmin {
			line += " - ask your admin"
		}
		lines = append(lines, line)
	}
	return lines
}

// alertOf is the alert of kind waiting, if any.
func (m *Machine) alertOf(kind string) (apitype.Alert, bool) {
	for _, a := range m.status.Alerts {
		if a.Kind == kind {
			return a, true
		}
	}
	return apitype.Alert{}, false
}

func (m *Machine) alertsScreen() screen.Screen {
	s := screen.Screen{Title: "Alerts", Selected: m.sel, Keys: "OK:Open Back"}
	if len(m.status.Alerts) == 0 {
		s.Lines, s.Keys = []string{"No alerts waiting."}, "Back"
		return s
	}
	for _, a := range m.status.Alerts {
		s.Menu = append(s.Menu, cut(alertShort(a), 21))
	}
	return s
}

func (m *Machine) keyAlerts(k board.Key) bool {
	if m.moveSel(k, len(m.status.Alerts)) {
		return true
	}
	switch k {
	case board.KeyOK:
		if m.sel < len(m.status.Alerts) {
			m.alertKind = m.status.Alerts[m.sel].Kind
			m.goTo(vAlertInfo)
			return true
		}
		if len(m.status.Alerts) == 0 {
			m.goTo(vAdmin)
			return true
		}
	case board.KeyBack:
		m.goTo(vAdmin)
		return true
	}
	return false
}

func (m *Machine) alertInfoScreen() screen.Screen {
	a, ok := m.alertOf(m.alertKind)
	if !ok {
		return screen.Screen{Title: "Alert", Lines: []string{"Acknowledged."}, Keys: "Back"}
	}
	s := screen.Screen{Title: cut(alertShort(a), 21), Lines: []string{a.Summary, a.Hint}, Keys: "OK:Acknowledge Back"}
	if a.Count > 1 {
		s.Lines = append(s.Lines, strconv.Itoa(a.Count)+" times since "+when(a.First))
	} else {
		s.Lines = append(s.Lines, "At "+when(a.Last))
	}
	if !a.Resolved.IsZero() {
		s.Lines = append(s.Lines, "Cause gone "+when(a.Resolved))
	}
	switch {
	case a.MailError != "":
		s.Lines = append(s.Lines, "Not mailed: "+a.MailError)
	case !a.Mailed.IsZero():
		s.Lines = append(s.Lines, "Mailed to "+a.MailedTo)
	}
	return s
}

func (m *Machine) keyAlertInfo(k board.Key) bool {
	switch k {
	case board.KeyOK:
		if _, ok := m.alertOf(m.alertKind); ok {
			m.admin.ackSeq = m.call(Call{Kind: CallAckAlert, Alert: m.alertKind})
		}
		m.goTo(vAlerts)
		return true
	case board.KeyBack:
		m.goTo(vAlerts)
		return true
	}
	return false
}

// alertAnswer takes the device's answer to an acknowledgement.
func (m *Machine) alertAnswer(a Answer) {
	if a.Call.Seq != m.admin.ackSeq {
		return
	}
	m.admin.ackSeq = 0
	if a.Err != nil {
		m.say(vAlerts, "Not acknowledged", errLines(a.Err)...)
		m.sound(SoundError)
		return
	}
	m.status = a.Status
}

// oauthRoad reports whether the device sends with a sign-in: the sign-in
// screens are for that road alone.
func (m *Machine) oauthRoad() bool {
	return m.status.Road == "" || m.status.Road == apitype.RoadOAuth
}

// roadName is how the device sends, in words.
func (m *Machine) roadName() string {
	if m.status.RoadName != "" {
		return m.status.RoadName
	}
	return m.status.Road
}
