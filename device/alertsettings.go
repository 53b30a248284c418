package device

import (
	"time"

	"scanmail/device/apitype"
)

// AlertSettings are where and how the admin is mailed when sending is
// about to stop.
type AlertSettings struct {
	// To is the admin's address; empty: no mail, the panel and the web
	// pages only.
	To string `json:"to"`
	// Road is how alert mail goes: AlertRoadAuto or one of the roads
	// that do not need the sign-in.
	Road string `json:"road"`
	// EveryHours is the least time between two mails of one kind of
	// alert, so that a cause that lasts does not flood the admin.
	EveryHours int `json:"every_hours"`
}

const (
	// AlertRoadAuto picks the road for alert mail from what is set up
	// (alertRoad).
	AlertRoadAuto          = "auto"
	defaultAlertEveryHours = 24
	maxAlertEveryHours     = 30 * 24
)

// alertRoads are the values of alerts.road. The OAuth road is not one:
// its sign-in may be what failed.
func alertRoads() []string {
	return []string{AlertRoadAuto, apitype.RoadDirect, apitype.RoadRelay, apitype.RoadPassword}
}

// every is the least time between two mails of one kind of alert.
func (a AlertSettings) every() time.Duration {
	if a.EveryHours <= 0 {
		return defaultAlertEveryHours * time.Hour
	}
	return time.Duration(min(a.EveryHours, maxAlertEveryHours)) * time.Hour
}

// alertRoad is the road alert mail takes with the settings s, or an error
// saying why none fits. auto is relay where a connector knows the device
// (it sends by relay, or a client certificate for one is installed), else
// direct send when the admin's address is in the organisation's accepted
// domains, else the password road when a password is set.
func (d *Device) alertRoad(s Settings) (string, error) {
	if r := s.Alerts.Road; r != "" && r != AlertRoadAuto {
		return r, nil
	}
	_, cert, err := d.store.relayCert()
	if err != nil {
		return "", err
	}
	switch {
	case s.road() == apitype.RoadRelay || cert:
		return apitype.RoadRelay, nil
	case inDomains(s.Alerts.To, s.acceptedDomains()):
		return apitype.RoadDirect, nil
	case s.Password.Secret != "":
		return apitype.RoadPassword, nil
	}
	return "", &Error{
		Summary: "No way to mail alerts without the sign-in",
		Hint:    "Mail alerts to an address in the organisation's domains (direct send), or set up a connector or a password for sending.",
		Code:    apitype.CodeSetupNeeded,
	}
}
