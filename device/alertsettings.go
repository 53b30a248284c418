package device

import (
	"strings"
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
// saying why none fits. auto is relay where the device sends by relay,
// else direct send when the admin's address is in a domain the device's
// organisation accepts (the device address's), else none.
func (s Settings) alertRoad() (string, error) {
	if r := s.Alerts.Road; r != "" && r != AlertRoadAuto {
		return r, nil
	}
	switch {
	case s.road() == apitype.RoadRelay:
		return apitype.RoadRelay, nil
	case sameDomain(s.Alerts.To, s.DeviceAddress):
		return apitype.RoadDirect, nil
	case s.road() == apitype.RoadPassword:
		return apitype.RoadPassword, nil
	}
	return "", &Error{
		Summary: "No way to mail alerts without the sign-in",
		Hint:    "Set up direct send (the admin's address in the organisation's domain), a connector, or a password for alert mail.",
		Code:    apitype.CodeSetupNeeded,
	}
}

// sameDomain reports whether two addresses are in the same domain.
func sameDomain(a, b string) bool {
	da, db := addrDomain(a), addrDomain(b)
	return da != "" && strings.EqualFold(da, db)
}

// addrDomain is the domain of an address; "" when it has none.
func addrDomain(addr string) string {
	_, d, ok := strings.Cut(addr, "@")
	if !ok {
		return ""
	}
	return d
}
