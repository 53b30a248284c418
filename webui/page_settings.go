package webui

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// settingsPage is the email settings' form, rendered from the device's
// description of each setting, so that a new setting needs no change
// here.
type settingsPage struct {
	Sections []settingsSection
	// Account is the signed-in account when the device address is not
	// it: the page says so beside the field, with the fix.
	Account string
	Warning string
	Saved   bool
	// Refused is the field whose value the device refused: the top of
	// the long form says so and links to it.
	Refused *settingField
	Problem *problem
}

type settingsSection struct {
	Title string
	// Hidden: every field of the section is for another provider or
	// road.
	Hidden bool
	// Roads, in the section on how the device sends, is the road
	// setting's choice beside the roads' comparison.
	Roads  *roadChoice
	Fields []settingField
}

// roadChoice is the road setting as radio buttons heading the columns of
// the roads' comparison, and the notes shown for the road chosen.
type roadChoice struct {
	// Provider is the provider setting, shown first: the roads a
	// provider takes and their notes depend on it.
	Provider *settingField
	Field    settingField
	Chosen   string
	Options  []road
	Facts    []string
	// Suggested is the road the connection test suggested, marked in
	// the comparison.
	Suggested string
	// ExchangeProviders and GmailProviders are the data-providers of the
	// notes on Microsoft retiring password sign-in and on Gmail's app
	// passwords.
	ExchangeProviders, GmailProviders string
	// Hidden* hide those notes and the connector's certificate note
	// until the road (and provider) they are for is chosen.
	HiddenExchange, HiddenGmail, HiddenRelay bool
	// RelayCert is the connector's client certificate, nil when the
	// device could not say.
	RelayCert *apitype.RelayCert
}

type settingField struct {
	apitype.SettingInfo
	Label string
	ID    string
	// Value is the device's value, or the value typed when the form
	// comes back refused; empty for a secret (never shown back). For a
	// PEM setting it is the device's summary, and the textarea is empty.
	Value string
	// Pasted is a PEM setting's new value as pasted, when the form comes
	// back refused.
	Pasted string
	// ForProviders is Providers as the data-providers attribute,
	// ForRoads Roads as the data-roads attribute.
	ForProviders string
	ForRoads     string
	Hidden       bool
	// SecretSet says a secret setting holds a value (never shown);
	// Retype, that one typed was not saved since the form was refused.
	SecretSet bool
	Retype    bool
	// Account, beside the device address, is the signed-in account when
	// the address is not it.
	Account string
	Problem *problem
}

// FormHelp is the device's help for the form: a secret left empty on the
// form is kept (its box clears it), whatever the device says of an empty
// value, which is the command line's way to clear it.
func (f settingField) FormHelp() string {
	if !f.IsSecret() {
		return f.Help
	}
	h := f.Help
	for _, clause := range []string{"; empty clears it", ", empty clears it", ". Empty clears it"} {
		h = strings.Replace(h, clause, "", 1)
	}
	return h
}

// IsSecret reports whether the setting is written and never read back.
func (f settingField) IsSecret() bool { return f.Secret || f.Kind == apitype.KindSecret }

// settingLabels name the settings on the page; a setting the device adds
// later shows its key until it gets a label here.
var settingLabels = map[string]string{
	"road":                       "How the device sends",
	"password.username":          "User name",
	"password.secret":            "Password or app password",
	"password.basic_auth_ok":     "Password sign-in with Exchange Online",
	"mx.host":                    "MX endpoint",
	"mx.port":                    "Port",
	"mx.accepted_domains":        "Accepted domains",
	"mx.require_tls":             "Require TLS",
	"mx.ca_bundle":               "Extra trusted CA certificates",
	"provider":                   "Email provider",
	"tenant":                     "Tenant",
	"client_id":                  "Application (client) ID",
	"device_address":             "Device address (sends as)",
	"subject":                    "Subject",
	"body":                       "Message text",
	"scan.mode":                  "Colour mode",
	"scan.dpi":                   "Resolution",
	"scan.format":                "File format",
	"scan.quality":               "JPEG quality",
	"scan.to_me":                 "Scan to Me address",
	"scan.to_me_only":            "Scan to Me only",
	"scan.pdfa":                  "PDF/A for archiving",
	"scan.file_name":             "File name",
	"limits.messages_per_minute": "Messages a minute",
	"limits.recipients_per_day":  "Recipients a day",
	"limits.max_message_mb":      "Largest message",
	"limits.oversize":            "A document too large",
	"retry.window_hours":         "Retry window",
	"spool.max_mb":               "Room for waiting documents",
	"spool.keep_failed_days":     "Failed documents kept",
	"jobs.keep":                  "Jobs kept in the history",
	"jobs.keep_days":             "Days a job is kept",
	"panel.domain":               "Panel's mail domain",
	"panel.idle_seconds":         "Panel idle time",
	"custom.smtp_host":           "SMTP host",
	"custom.smtp_port":           "SMTP port",
	"custom.device_auth_url":     "Device authorization URL",
	"custom.token_url":           "Token URL",
	"custom.scopes":              "Scopes",
	"custom.ca_bundle":           "Extra trusted CA certificates",
	"alerts.to":                  "Admin's address for alerts",
	"alerts.road":                "How alerts are mailed",
	"alerts.every_hours":         "One alert mail at most every",
}

// settingSections group the settings by the start of their keys, in the
// order shown; the first whose prefix matches takes a setting.
var settingSections = []struct{ Title, Prefix string }{
	{sectionRoads, "road"},
	{sectionRoads, "password."},
	{sectionRoads, "mx."},
	{"Custom provider", "custom."},
	{"Panel", "scan.to_me"},
	{"Panel", "panel."},
	{"Scanning", "scan."},
	{"Sending limits", "limits."},
	{"Queue and history", "retry."},
	{"Queue and history", "spool."},
	{"Queue and history", "jobs."},
	{"Alerts", "alerts."},
	{"Account and message", ""},
}

// sectionRoads holds the road setting and the settings of each road.
const sectionRoads = "How the device sends"

var sectionOrder = []string{sectionRoads, "Account and message", "Custom provider", "Scanning", "Panel", "Sending limits", "Queue and history", "Alerts"}

func sectionOf(key string) string {
	for _, s := range settingSections {
		if strings.HasPrefix(key, s.Prefix) {
			return s.Title
		}
	}
	return ""
}

func (s *server) serveSettings(w http.ResponseWriter, r *http.Request) {
	s.settingsPage(w, r, http.StatusOK, nil, nil, "")
}

// settingsPage renders the form with the device's values, or with typed
// (the form sent back) and the problem of the field named by badKey.
func (s *server) settingsPage(w http.ResponseWriter, r *http.Request, code int, typed map[string]string, p *problem, badKey string) {
	d := settingsPage{Saved: r.URL.Query().Has("saved") && p == nil}
	desc, err := s.api.DescribeConfig(r.Context())
	if err == nil {
		var cfg apitype.Config
		cfg, err = s.api.Config(r.Context())
		d.Warning = cfg.Warning
		d.Sections = settingsSections(desc, cfg, typed, p, badKey)
		for _, sec := range d.Sections {
			if sec.Roads != nil {
				sec.Roads.Suggested = r.URL.Query().Get("suggest")
				if rc, err := s.api.RelayCert(r.Context()); err == nil {
					sec.Roads.RelayCert = &rc
				}
				if sec.Roads.Field.Problem != nil {
					d.Refused = &sec.Roads.Field
				}
				if pf := sec.Roads.Provider; pf != nil && pf.Problem != nil {
					d.Refused = pf
				}
			}
			for i := range sec.Fields {
				if sec.Fields[i].Problem != nil {
					d.Refused = &sec.Fields[i]
				}
			}
		}
		if d.Refused == nil {
			d.Problem = p
		}
	}
	if err != nil {
		pr := problemOf(err)
		d.Problem, code = &pr, http.StatusBadGateway
	}
	if st, err := s.api.Status(r.Context()); err == nil && st.Account != nil && !strings.EqualFold(st.Account.UPN, st.DeviceAddress) {
		d.Account = st.Account.UPN
		for _, sec := range d.Sections {
			for i := range sec.Fields {
				if sec.Fields[i].Key == "device_address" {
					sec.Fields[i].Account = d.Account
				}
			}
		}
	}
	s.render(w, code, "settings", page{Title: "Email settings", Nav: "settings", LoggedIn: true, Data: d})
}

func settingsSections(desc apitype.ConfigDescription, cfg apitype.Config, typed map[string]string, p *problem, badKey string) []settingsSection {
	values := make(map[string]string)
	for _, st := range cfg.Settings {
		values[st.Key] = st.Value
	}
	chosen := func(key string) string {
		if v, ok := typed[key]; ok {
			return v
		}
		return values[key]
	}
	provider, road := chosen("provider"), chosen("road")
	bySection := make(map[string][]settingField)
	var roadField, providerField *settingField
	retiring := exchangePresets
	for _, info := range desc.Settings {
		if info.Key == "password.basic_auth_ok" && len(info.Providers) > 0 {
			// The device knows where password sign-in is retiring: where
			// it asks the admin's yes to it.
			retiring = info.Providers
		}
		f := settingField{SettingInfo: info, Label: settingLabels[info.Key], ID: "s-" + strings.ReplaceAll(info.Key, ".", "-"),
			ForProviders: strings.Join(info.Providers, " "), ForRoads: strings.Join(info.Roads, " "),
			Hidden: !appliesTo(info.Providers, provider) || !appliesTo(info.Roads, road)}
		if f.Label == "" {
			f.Label = info.Key
		}
		switch {
		case f.IsSecret():
			// Never shown back, not even as typed.
			f.SecretSet = values[info.Key] != ""
			f.Retype = typed[info.Key] != ""
		case info.Kind == apitype.KindPEM:
			f.Value, f.Pasted = values[info.Key], typed[info.Key]
		default:
			f.Value = chosen(info.Key)
		}
		if info.Key == badKey {
			f.Problem = p
		}
		switch {
		case info.Key == "road" && info.Kind == apitype.KindChoice:
			roadField = &f
		case info.Key == "provider":
			providerField = &f
		default:
			sec := sectionOf(info.Key)
			bySection[sec] = append(bySection[sec], f)
		}
	}
	if providerField != nil && roadField == nil {
		// A device without roads: the provider heads its section.
		sec := sectionOf("provider")
		bySection[sec] = append([]settingField{*providerField}, bySection[sec]...)
	}
	var out []settingsSection
	for _, title := range sectionOrder {
		sec := settingsSection{Title: title, Fields: bySection[title]}
		if title == sectionRoads && roadField != nil {
			sec.Roads = newRoadChoice(*roadField, provider, retiring)
			sec.Roads.Provider = providerField
		}
		sec.Hidden = sec.Roads == nil && !slices.ContainsFunc(sec.Fields, func(f settingField) bool { return !f.Hidden })
		if len(sec.Fields) > 0 || sec.Roads != nil {
			out = append(out, sec)
		}
	}
	return out
}

// appliesTo reports whether a setting for those (providers, or roads)
// applies with the one chosen; none means all.
func appliesTo(those []string, chosen string) bool {
	return len(those) == 0 || slices.Contains(those, chosen)
}

// newRoadChoice is the road setting f with the provider chosen, and the
// providers on which password sign-in is retiring.
func newRoadChoice(f settingField, provider string, retiring []string) *roadChoice {
	f.ID = "road-compare"
	rc := &roadChoice{Field: f, Chosen: f.Value, Facts: roadFacts,
		ExchangeProviders: strings.Join(retiring, " "), GmailProviders: strings.Join(gmailProviders, " "),
		HiddenExchange: f.Value != apitype.RoadPassword || !slices.Contains(retiring, provider),
		HiddenGmail:    f.Value != apitype.RoadPassword || !slices.Contains(gmailProviders, provider),
		HiddenRelay:    f.Value != apitype.RoadRelay,
	}
	for _, id := range f.Choices {
		rc.Options = append(rc.Options, roadByID(id))
	}
	return rc
}

// postSettings saves the settings changed on the form in one call, all
// or none; a refused value comes back beside its field, the rest of the
// form as typed.
func (s *server) postSettings(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.settingsPage(w, r, http.StatusBadRequest, nil, &problem{Summary: "The form could not be read.", Hint: "Reload the page and try again."}, "")
		return
	}
	desc, err := s.api.DescribeConfig(r.Context())
	var cfg apitype.Config
	if err == nil {
		cfg, err = s.api.Config(r.Context())
	}
	if err != nil {
		p := problemOf(err)
		s.settingsPage(w, r, http.StatusBadGateway, nil, &p, "")
		return
	}
	current := make(map[string]string)
	for _, st := range cfg.Settings {
		current[st.Key] = st.Value
	}
	typed := make(map[string]string)
	var kvs []apitype.SettingValue
	for _, info := range desc.Settings {
		v, sent := r.PostForm[info.Key]
		switch {
		case info.Kind == apitype.KindPEM:
			// The value shown is a summary: only a pasted bundle, or
			// the box ticked to remove it, changes it.
			if pem := strings.TrimSpace(r.PostFormValue(info.Key)); pem != "" {
				typed[info.Key] = pem
				kvs = append(kvs, apitype.SettingValue{Key: info.Key, Value: pem})
			} else if r.PostFormValue(info.Key+".clear") == "1" && current[info.Key] != "" {
				kvs = append(kvs, apitype.SettingValue{Key: info.Key, Value: ""})
			}
			continue
		case !sent:
			continue
		}
		val := strings.TrimSpace(v[0])
		if info.Secret || info.Kind == apitype.KindSecret {
			// Never shown back: an empty field keeps the secret, the
			// box ticked to clear it clears it. A password is taken as
			// typed, spaces and all.
			switch {
			case val != "":
				typed[info.Key] = "typed"
				kvs = append(kvs, apitype.SettingValue{Key: info.Key, Value: v[0]})
			case r.PostFormValue(info.Key+".clear") == "1" && current[info.Key] != "":
				kvs = append(kvs, apitype.SettingValue{Key: info.Key, Value: ""})
			}
			continue
		}
		typed[info.Key] = val
		if val != current[info.Key] {
			kvs = append(kvs, apitype.SettingValue{Key: info.Key, Value: val})
		}
	}
	if len(kvs) > 0 {
		if _, err := s.api.SetConfigs(r.Context(), kvs); err != nil {
			p := problemOf(err)
			var key string
			if e, ok := errors.AsType[*localclient.Error](err); ok {
				key = e.Key
			}
			s.settingsPage(w, r, http.StatusBadRequest, typed, &p, key)
			return
		}
	}
	http.Redirect(w, r, "/settings?saved", http.StatusSeeOther)
}
