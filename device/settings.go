package device

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
	"scanmail/mailer"
	"scanmail/scan"
)

// Settings are what the admin configures. They are stored as one value, so
// a change is all or nothing.
type Settings struct {
	// Road is how the device sends (apitype.RoadOAuth...); "" is
	// RoadOAuth, as on a device from before the other roads.
	Road          string         `json:"road"`
	Provider      string         `json:"provider"`
	Tenant        string         `json:"tenant"`
	ClientID      string         `json:"client_id"`
	DeviceAddress string         `json:"device_address"`
	Subject       string         `json:"subject"`
	Body          string         `json:"body"`
	Custom        CustomProvider `json:"custom"`
	Scan          ScanSettings   `json:"scan"`
	// Limits override the provider's sending limits where not zero; a
	// negative value means none (direct send, connector relay).
	Limits mailer.Limits `json:"limits"`
	// MaxMessageMB overrides the provider's largest message where not
	// zero; -1 means none.
	MaxMessageMB int `json:"max_message_mb"`
	// Oversize is what happens to a document too large for one message:
	// OversizeSplit or OversizeRefuse.
	Oversize string        `json:"oversize"`
	Spool    SpoolSettings `json:"spool"`
	// RetryHours is how long a job failing for passing reasons is tried
	// again; 0 means 24 hours.
	RetryHours int `json:"retry_hours"`
	// Jobs bound the job history.
	Jobs JobsSettings `json:"jobs"`
	// Panel is how the front panel behaves.
	Panel PanelSettings `json:"panel"`
	// Alerts is how the admin is told that mail is about to stop.
	Alerts AlertSettings `json:"alerts"`
	// Password is the password road's sign-in.
	Password PasswordSettings `json:"password"`
	// MX is where direct send and relay go.
	MX MXSettings `json:"mx"`
}

// PasswordSettings are the password road's: SMTP AUTH with a user name
// and a password or app password.
type PasswordSettings struct {
	// Username signs in; empty means the device address.
	Username string `json:"username"`
	// Secret is the password. It is never shown, exported or logged;
	// its JSON name hides it from any encoding but the state file's
	// record.
	Secret string `json:"-"`
	// BasicAuthOK is the admin's yes to password sign-in where the
	// provider is retiring it (Exchange Online).
	BasicAuthOK bool `json:"basic_auth_ok"`
}

// MXSettings are where direct send and relay through a connector go:
// the organisation's MX endpoint.
type MXSettings struct {
	// Host is the MX endpoint; empty means the MX record of the device
	// address's domain.
	Host string `json:"host"`
	// Port is 25; another only for test rigs.
	Port int `json:"port"`
	// AcceptedDomains are the organisation's domains: direct send
	// reaches only recipients in them, and the sender must be in one.
	// Empty means the device address's domain.
	AcceptedDomains []string `json:"accepted_domains"`
	// RequireTLS makes direct send fail where the MX endpoint does not
	// offer STARTTLS (relay always requires it).
	RequireTLS bool `json:"require_tls"`
	// CABundle is extra PEM certificates trusted for the MX endpoint.
	CABundle string `json:"ca_bundle"`
}

// mxPort is the port of an MX endpoint.
const mxPort = 25

// username is who the password road signs in as.
func (s Settings) username() string {
	if s.Password.Username != "" {
		return s.Password.Username
	}
	return s.DeviceAddress
}

// acceptedDomains are the organisation's domains, lower case: those set,
// else the device address's.
func (s Settings) acceptedDomains() []string {
	if len(s.MX.AcceptedDomains) > 0 {
		out := make([]string, len(s.MX.AcceptedDomains))
		for i, d := range s.MX.AcceptedDomains {
			out[i] = strings.ToLower(d)
		}
		return out
	}
	if d := domainOf(s.DeviceAddress); d != "" {
		return []string{d}
	}
	return nil
}

// domainOf is the domain of address, lower case; "" without one.
func domainOf(address string) string {
	_, d, ok := strings.Cut(address, "@")
	if !ok {
		return ""
	}
	return strings.ToLower(d)
}

// inDomains reports whether address is in one of domains (lower case).
func inDomains(address string, domains []string) bool {
	return slices.Contains(domains, domainOf(address))
}

// PanelSettings are the front panel's own.
type PanelSettings struct {
	// Domain completes the addresses typed at the panel; empty means
	// the device address's domain.
	Domain string `json:"domain"`
	// IdleSeconds is how long the panel keeps what an operator chose
	// before it clears it and shows Ready again.
	IdleSeconds int `json:"idle_seconds"`
}

// JobsSettings bound the history of ended jobs kept in the state file.
type JobsSettings struct {
	// Keep is how many of the newest jobs are kept; 0 means 1000.
	Keep int `json:"keep"`
	// KeepDays is how long an ended job is kept; 0 means 90 days.
	KeepDays int `json:"keep_days"`
}

// SpoolSettings bound the documents kept on the device.
type SpoolSettings struct {
	// MaxMB is the room for documents waiting to be sent, in MB; -1
	// means only the disk bounds it.
	MaxMB int `json:"max_mb"`
	// KeepFailedDays is how long a failed job's document is kept, so
	// that it can be sent again once the cause is fixed.
	KeepFailedDays int `json:"keep_failed_days"`
}

// What to do with a document too large for one message.
const (
	OversizeSplit  = "split"  // several numbered mails, by whole pages
	OversizeRefuse = "refuse" // not sent; the operator is told
)

// maxMessageSize is the largest message in bytes with provider p; 0 means
// no limit.
func (s Settings) maxMessageSize(p Provider) int64 {
	switch {
	case s.MaxMessageMB < 0:
		return 0
	case s.MaxMessageMB > 0:
		return megabytesUpTo(s.MaxMessageMB, maxMessageMB)
	}
	return p.MaxMessageSize
}

// limits are the sending limits in force with provider p.
func (s Settings) limits(p Provider) mailer.Limits {
	l := p.Limits
	if s.Limits.MessagesPerMinute != 0 {
		l.MessagesPerMinute = s.Limits.MessagesPerMinute
	}
	if s.Limits.RecipientsPerDay != 0 {
		l.RecipientsPerDay = s.Limits.RecipientsPerDay
	}
	return l
}

// ScanSettings are how documents are scanned and mailed.
type ScanSettings struct {
	Mode    string `json:"mode"`    // scan.Mode name: bw1, gray8, rgb24, jpeg
	DPI     int    `json:"dpi"`     // resolution
	Format  string `json:"format"`  // scan.Format name: pdf, pdf-compact, tiff, jpeg
	Quality int    `json:"quality"` // JPEG quality, 1 to 100
	// ToMe is where the panel's Scan to Me sends; empty: no Scan to Me.
	ToMe string `json:"to_me"`
	// ToMeOnly has the panel offer Scan to Me alone.
	ToMeOnly bool `json:"to_me_only"`
	// PDFA writes PDFs as PDF/A-2b, for archives.
	PDFA bool `json:"pdfa"`
	// FileName is the attachments' name template (see fileNames); empty:
	// scan-YYYYMMDD-HHMMSS.
	FileName string `json:"file_name"`
	// Blank is whether and how blank pages are left out.
	Blank BlankSettings `json:"blank"`
}

// BlankSettings are scan.blank_*: Remove leaves blank pages out of the
// document; Darkness and Dust are scan.BlankOptions'.
type BlankSettings struct {
	Remove   bool `json:"remove"`
	Darkness int  `json:"darkness"`
	Dust     int  `json:"dust"`
}

// options are the scanner options and file format the settings ask for.
func (s ScanSettings) options() (scan.Options, scan.Format, int, error) {
	mode, err := scan.ParseMode(s.Mode)
	if err != nil {
		return scan.Options{}, 0, 0, err
	}
	format, err := scan.ParseFormat(s.Format)
	if err != nil {
		return scan.Options{}, 0, 0, err
	}
	opts := scan.Options{Mode: mode, DPI: s.DPI}
	return opts, format, s.Quality, opts.Validate()
}

// CustomProvider is every endpoint set by hand: for clouds without a preset
// and for test rigs.
type CustomProvider struct {
	SMTPHost      string   `json:"smtp_host"`
	SMTPPort      int      `json:"smtp_port"`
	DeviceAuthURL string   `json:"device_auth_url"`
	TokenURL      string   `json:"token_url"`
	Scopes        []string `json:"scopes"`
	CABundle      string   `json:"ca_bundle"`
}

// DefaultSettings are a new device's settings.
func DefaultSettings() Settings {
	return Settings{
		Provider: "exchange-online",
		Subject:  "Scanned document",
		Body:     "Scanned on {date}: {pages} page(s) attached as PDF.",
		Custom:   CustomProvider{SMTPPort: 587},
		Scan: ScanSettings{Mode: "gray8", DPI: 300, Format: "pdf", Quality: 75,
			Blank: BlankSettings{Darkness: scan.DefaultBlankDarkness, Dust: scan.DefaultBlankDust}},
		Oversize: OversizeSplit,
		Spool:    SpoolSettings{MaxMB: 512, KeepFailedDays: 7},
		Jobs:     JobsSettings{Keep: defaultKeepJobs, KeepDays: defaultKeepDays},
		Panel:    PanelSettings{IdleSeconds: defaultPanelIdleSeconds},
		Alerts:   AlertSettings{Road: AlertRoadAuto, EveryHours: defaultAlertEveryHours},
		MX:       MXSettings{Port: mxPort},
	}
}

// road is how the settings send; a device from before the roads sent
// with OAuth.
func (s Settings) road() string {
	if s.Road == "" {
		return apitype.RoadOAuth
	}
	return s.Road
}

// ResolveProvider is the provider the settings choose, complete for
// sign-in (the OAuth road).
func (s Settings) ResolveProvider() (Provider, error) {
	return s.providerFor(apitype.RoadOAuth)
}

// providerFor is the provider the settings choose, complete for road: the
// custom provider needs its sign-in endpoints only for the OAuth road,
// and its SMTP host only for OAuth and password.
func (s Settings) providerFor(road string) (Provider, error) {
	if s.Provider == CustomProviderID && road != apitype.RoadOAuth {
		c := s.Custom
		p := Provider{ID: CustomProviderID, Name: "Custom provider", SMTPHost: c.SMTPHost, SMTPPort: c.SMTPPort,
			CABundle: c.CABundle, Roads: apitype.Roads()}
		if road != apitype.RoadPassword {
			return p, nil // the MX endpoint is set apart
		}
		if c.SMTPHost == "" {
			return p, errors.New("custom provider: set custom.smtp_host")
		}
		if err := checkSMTPHost(c.SMTPHost); err != nil {
			return p, err
		}
		return p, checkSMTPPort(c.SMTPPort)
	}
	if s.Provider == CustomProviderID {
		c := s.Custom
		p := Provider{
			ID:            CustomProviderID,
			Name:          "Custom provider",
			SMTPHost:      c.SMTPHost,
			SMTPPort:      c.SMTPPort,
			DeviceAuthURL: c.DeviceAuthURL,
			TokenURL:      c.TokenURL,
			Scopes:        c.Scopes,
			CABundle:      c.CABundle,
			Roads:         apitype.Roads(),
		}
		if c.DeviceAuthURL == "" || c.TokenURL == "" {
			return p, errors.New("custom provider: set custom.device_auth_url and custom.token_url")
		}
		return p, p.validate()
	}
	p, ok := preset(s.Provider)
	if !ok {
		return Provider{}, fmt.Errorf("unknown provider %q (choose one of %s)", s.Provider, strings.Join(ProviderIDs(), ", "))
	}
	return p, nil
}

// ProviderIDs lists the provider names config accepts.
func ProviderIDs() []string {
	var ids []string
	for _, p := range Presets() {
		ids = append(ids, p.ID)
	}
	return append(ids, CustomProviderID)
}

// setting is one key of the settings, as the config command sets it, and
// as the API describes it to front ends (apitype.SettingInfo).
type setting struct {
	key  string
	help string
	kind string // apitype.Kind*; "" is apitype.KindString
	// choices are the values a KindChoice setting accepts.
	choices []string
	// min and max bound a KindInt setting.
	min, max int
	unit     string
	// secret settings are never shown nor exported.
	secret bool
	// perDevice settings belong to one device and are not exported.
	perDevice bool
	// providers are the provider IDs the setting applies to; nil: all.
	providers func() []string
	// roads are the roads (apitype.RoadOAuth...) the setting applies
	// to; nil: all.
	roads []string
	get   func(*Settings) string
	set   func(*Settings, string) error
	// raw is the value as set takes it back, where get shows less (a
	// PEM's summary); nil: get.
	raw func(*Settings) string
}

// customOnly are the settings of the custom provider.
func customOnly() []string { return []string{CustomProviderID} }

// tenantProviders are the providers whose tenant is the admin's choice.
func tenantProviders() []string {
	var ids []string
	for _, p := range Presets() {
		if p.FixedTenant == "" && p.SupportsRoad(apitype.RoadOAuth) {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// basicAuthRetiringProviders are the providers where password sign-in
// needs the admin's explicit yes (Exchange Online's).
func basicAuthRetiringProviders() []string {
	var ids []string
	for _, p := range Presets() {
		if p.BasicAuthRetiring {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// The roads settings apply to.
var (
	passwordRoad = []string{apitype.RoadPassword}
	directRoad   = []string{apitype.RoadDirect}
	mxRoads      = []string{apitype.RoadDirect, apitype.RoadRelay}
	oauthRoad    = []string{apitype.RoadOAuth}
	submitRoads  = []string{apitype.RoadOAuth, apitype.RoadPassword}
)

func withRoads(st setting, roads []string) setting {
	st.roads = roads
	return st
}

// scanDPIs are the resolutions offered.
var scanDPIs = []string{"75", "100", "150", "200", "300", "600"}

func settingsTable() []setting {
	return []setting{
		{key: "road", help: "how the device sends: oauth (sign-in with a code, SMTP AUTH), password (SMTP AUTH with a password or app password), direct (direct send to the organisation's MX endpoint, internal recipients only), relay (through a connector)",
			kind: apitype.KindChoice, choices: apitype.Roads(),
			get: func(s *Settings) string { return s.road() },
			set: func(s *Settings, v string) error {
				if !slices.Contains(apitype.Roads(), v) {
					return fmt.Errorf("unknown road %q (choose one of %s)", v, strings.Join(apitype.Roads(), ", "))
				}
				s.Road = v
				return nil
			}},
		{key: "provider", help: "service provider: " + strings.Join(ProviderIDs(), ", "),
			kind: apitype.KindChoice, choices: ProviderIDs(),
			get: func(s *Settings) string { return s.Provider },
			set: func(s *Settings, v string) error {
				if _, ok := preset(v); !ok && v != CustomProviderID {
					return fmt.Errorf("unknown provider %q (choose one of %s)", v, strings.Join(ProviderIDs(), ", "))
				}
				s.Provider = v
				return nil
			}},
		withRoads(withProviders(stringSetting("tenant", "tenant ID or domain (empty: organizations)", func(s *Settings) *string { return &s.Tenant }), tenantProviders), oauthRoad),
		withRoads(stringSetting("client_id", "application (client) ID of the app registration", func(s *Settings) *string { return &s.ClientID }), oauthRoad),
		// Each device's own account's: its first sign-in sets it.
		perDevice(addressSetting("device_address", "sender address; with sign-in it must be the signed-in account's UPN, with direct send and relay it must be in an accepted domain", func(s *Settings) *string { return &s.DeviceAddress })),
		stringSetting("subject", "default subject; {pages} and {date} are filled in", func(s *Settings) *string { return &s.Subject }),
		stringSetting("body", "default body text; {pages} and {date} are filled in", func(s *Settings) *string { return &s.Body }),
		{key: "scan.mode", help: "colour mode: bw1 (black and white), gray8, rgb24 (colour), jpeg (the engine compresses)",
			kind: apitype.KindChoice, choices: []string{"bw1", "gray8", "rgb24", "jpeg"},
			get: func(s *Settings) string { return s.Scan.Mode },
			set: func(s *Settings, v string) error {
				if _, err := scan.ParseMode(v); err != nil {
					return err
				}
				s.Scan.Mode = v
				return nil
			}},
		{key: "scan.dpi", help: "resolution in dots per inch: " + strings.Join(scanDPIs, ", "),
			kind: apitype.KindChoice, choices: scanDPIs, unit: "dpi",
			get: func(s *Settings) string { return strconv.Itoa(s.Scan.DPI) },
			set: func(s *Settings, v string) error {
				n, err := strconv.Atoi(v)
				if err != nil {
					return fmt.Errorf("%q is not a whole number", v)
				}
				if err := (scan.Options{DPI: n}).Validate(); err != nil || n == 0 {
					return fmt.Errorf("%d dpi is not offered (%s)", n, strings.Join(scanDPIs, ", "))
				}
				s.Scan.DPI = n
				return nil
			}},
		{key: "scan.format", help: "file format mailed: pdf, pdf-compact (gray and colour pages a tenth the size: text kept sharp, the rest at a third of the resolution), tiff (one multi-page file), jpeg (one file a page)",
			kind: apitype.KindChoice, choices: []string{"pdf", "pdf-compact", "tiff", "jpeg"},
			get: func(s *Settings) string { return s.Scan.Format },
			set: func(s *Settings, v string) error {
				if _, err := scan.ParseFormat(v); err != nil {
					return err
				}
				s.Scan.Format = v
				return nil
			}},
		intSetting("scan.quality", "JPEG quality, 1 (smallest) to 100 (best)", "", 1, 100,
			func(s *Settings) *int { return &s.Scan.Quality }),
		// Blank-page removal's settings, one block.
		{key: "scan.blank_pages", help: "remove: blank pages (only paper: noise, bleed-through from the back, a little dust) are left out of the document, never its only page; keep: every page is sent",
			kind: apitype.KindChoice, choices: []string{"keep", "remove"},
			get: func(s *Settings) string {
				if s.Scan.Blank.Remove {
					return "remove"
				}
				return "keep"
			},
			set: func(s *Settings, v string) error {
				switch v {
				case "keep", "remove":
					s.Scan.Blank.Remove = v == "remove"
					return nil
				}
				return fmt.Errorf("%q is not keep or remove", v)
			}},
		intSetting("scan.blank_darkness", "a blank page's ink: a pixel darker than this, from 0 (black) to 255 (white), is ink; lighter ones (bleed-through, a light pencil trace, tinted paper) are paper", "", 1, 254,
			func(s *Settings) *int { return &s.Scan.Blank.Darkness }),
		intSetting("scan.blank_dust", "a blank page's dust: specks of ink up to this size, in tenths of a millimetre square, are ignored; a larger mark (a page number) makes the page not blank", "", 1, 20,
			func(s *Settings) *int { return &s.Scan.Blank.Dust }),
		addressSetting("scan.to_me", "where the panel's Scan to Me sends (empty: the panel offers no Scan to Me)", func(s *Settings) *string { return &s.Scan.ToMe }),
		{key: "scan.to_me_only", help: "yes: the panel offers Scan to Me alone, no other destination",
			kind: apitype.KindChoice, choices: []string{"yes", "no"},
			get: func(s *Settings) string { return yesNo(s.Scan.ToMeOnly) },
			set: func(s *Settings, v string) error {
				switch v {
				case "yes", "no":
					s.Scan.ToMeOnly = v == "yes"
					return nil
				}
				return fmt.Errorf("%q: choose yes or no", v)
			}},
		// PDF/A is a yes/no of its own rather than a scan.format value:
		// it is a property of any PDF the device writes, the compact
		// one included, and TIFF and JPEG have no such thing.
		{key: "scan.pdfa", help: "yes: PDFs are written as PDF/A-2b, for archiving (XMP metadata, sRGB output intent)",
			kind: apitype.KindChoice, choices: []string{"yes", "no"},
			get: func(s *Settings) string { return yesNo(s.Scan.PDFA) },
			set: func(s *Settings, v string) error {
				switch v {
				case "yes", "no":
					s.Scan.PDFA = v == "yes"
					return nil
				}
				return fmt.Errorf("%q: choose yes or no", v)
			}},
		{key: "scan.file_name", help: "attachment name without extension; {device}, {date} (YYYY-MM-DD), {time} (HHMMSS), {pages} and {n} (page number, for one file a page) are filled in (empty: scan-YYYYMMDD-HHMMSS)",
			get: func(s *Settings) string { return s.Scan.FileName },
			set: func(s *Settings, v string) error {
				if err := checkFileNameTemplate(v); err != nil {
					return err
				}
				s.Scan.FileName = v
				return nil
			}},
		intSetting("limits.messages_per_minute", "messages a minute at most (0: the provider's, 30 for Exchange Online; -1: no limit)", "per minute", -1, maxMessagesPerMinute,
			func(s *Settings) *int { return &s.Limits.MessagesPerMinute }),
		intSetting("limits.recipients_per_day", "recipients a day at most (0: the provider's, 10000 for Exchange Online; -1: no limit)", "per day", -1, maxRecipientsPerDay,
			func(s *Settings) *int { return &s.Limits.RecipientsPerDay }),
		intSetting("limits.max_message_mb", "largest message in MB (0: the provider's, 35 for Exchange Online; -1: no limit)", "MB", -1, maxMessageMB,
			func(s *Settings) *int { return &s.MaxMessageMB }),
		{key: "limits.oversize", help: "a document too large for one message: split (numbered mails, by whole pages) or refuse",
			kind: apitype.KindChoice, choices: []string{OversizeSplit, OversizeRefuse},
			get: func(s *Settings) string { return s.Oversize },
			set: func(s *Settings, v string) error {
				if v != OversizeSplit && v != OversizeRefuse {
					return fmt.Errorf("%q: choose split or refuse", v)
				}
				s.Oversize = v
				return nil
			}},
		intSetting("retry.window_hours", "hours a job failing for passing reasons (network, 4xx) is tried again before it fails (0: 24)", "hours", 0, maxRetryHours,
			func(s *Settings) *int { return &s.RetryHours }),
		intSetting("spool.max_mb", "room for documents waiting to be sent, in MB (0: 512; -1: as much as the disk has)", "MB", -1, maxSpoolMB,
			func(s *Settings) *int { return &s.Spool.MaxMB }),
		intSetting("spool.keep_failed_days", "days a failed job's document is kept so that it can be sent again (0: removed at once; -1: kept until sent or canceled)", "days", -1, maxKeepFailedDays,
			func(s *Settings) *int { return &s.Spool.KeepFailedDays }),
		{key: "jobs.keep", help: "ended jobs kept in the history, the newest (10 to 10000; default 1000)",
			kind: apitype.KindInt, min: 10, max: 10000, unit: "jobs",
			get: func(s *Settings) string { return strconv.Itoa(s.Jobs.Keep) },
			set: func(s *Settings, v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 10 || n > 10000 {
					return fmt.Errorf("%q is not a number of jobs from 10 to 10000", v)
				}
				s.Jobs.Keep = n
				return nil
			}},
		{key: "jobs.keep_days", help: "days an ended job is kept in the history (1 to 3650; default 90)",
			kind: apitype.KindInt, min: 1, max: 3650, unit: "days",
			get: func(s *Settings) string { return strconv.Itoa(s.Jobs.KeepDays) },
			set: func(s *Settings, v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 3650 {
					return fmt.Errorf("%q is not a number of days from 1 to 3650", v)
				}
				s.Jobs.KeepDays = n
				return nil
			}},
		{key: "panel.domain", help: "mail domain the panel completes typed addresses with (empty: the device address's)",
			kind: apitype.KindHost,
			get:  func(s *Settings) string { return s.Panel.Domain },
			set: func(s *Settings, v string) error {
				if v != "" {
					if err := checkMailDomain(v); err != nil {
						return err
					}
				}
				s.Panel.Domain = v
				return nil
			}},
		intSetting("panel.idle_seconds", "seconds of no use after which the panel clears what was chosen and shows Ready (default 60)", "seconds", minPanelIdleSeconds, maxPanelIdleSeconds,
			func(s *Settings) *int { return &s.Panel.IdleSeconds }),
		// The alerts (alertsettings.go).
		addressSetting("alerts.to", "the admin's address, mailed when sending is about to stop (empty: no mail, the panel and the web pages only)", func(s *Settings) *string { return &s.Alerts.To }),
		{key: "alerts.road", help: "how alert mail goes: auto (relay, else direct send, else password, whichever is set up), direct, relay or password; never the sign-in, which may be what failed",
			kind: apitype.KindChoice, choices: alertRoads(),
			get: func(s *Settings) string { return s.Alerts.Road },
			set: func(s *Settings, v string) error {
				if !slices.Contains(alertRoads(), v) {
					return fmt.Errorf("unknown road %q (choose one of %s)", v, strings.Join(alertRoads(), ", "))
				}
				s.Alerts.Road = v
				return nil
			}},
		intSetting("alerts.every_hours", "hours between two mails of the same alert at most (default 24)", "hours", 1, maxAlertEveryHours,
			func(s *Settings) *int { return &s.Alerts.EveryHours }),
		{key: "password.username", help: "password sign-in: the account's user name (empty: the device address)",
			roads: passwordRoad,
			get:   func(s *Settings) string { return s.Password.Username },
			set: func(s *Settings, v string) error {
				if strings.ContainsAny(v, " \t\r\n") {
					return fmt.Errorf("%q: a user name has no spaces", v)
				}
				s.Password.Username = v
				return nil
			}},
		{key: "password.secret", help: "password sign-in: the password, or the app password (Gmail: an app password, which needs 2-Step Verification; accounts under Advanced Protection cannot have one). Never shown again, never exported; empty clears it",
			kind: apitype.KindSecret, secret: true, roads: passwordRoad,
			get: func(s *Settings) string { return s.Password.Secret },
			set: func(s *Settings, v string) error { s.Password.Secret = v; return nil }},
		{key: "password.basic_auth_ok", help: "yes: send with a password although Microsoft is retiring password sign-in (Basic authentication) for SMTP AUTH: off by default from the end of 2026, removed in 2027. Sign-in, direct send or a connector last",
			kind: apitype.KindChoice, choices: []string{"yes", "no"}, roads: passwordRoad, providers: basicAuthRetiringProviders,
			get: func(s *Settings) string { return yesNo(s.Password.BasicAuthOK) },
			set: func(s *Settings, v string) error {
				switch v {
				case "yes", "no":
					s.Password.BasicAuthOK = v == "yes"
					return nil
				}
				return fmt.Errorf("%q: choose yes or no", v)
			}},
		{key: "mx.host", help: "direct send and relay: the organisation's MX endpoint, such as contoso-com.mail.protection.outlook.com (empty: looked up from the MX record of the device address's domain); a DNS name, never an IP address",
			kind: apitype.KindHost, roads: mxRoads,
			get: func(s *Settings) string { return s.MX.Host },
			set: func(s *Settings, v string) error {
				v = strings.TrimSuffix(strings.ToLower(v), ".")
				if v != "" {
					if err := checkSMTPHost(v); err != nil {
						return err
					}
				}
				s.MX.Host = v
				return nil
			}},
		{key: "mx.port", help: "direct send and relay: the MX endpoint's port (25; another only for test rigs)",
			kind: apitype.KindInt, min: 1, max: 65535, roads: mxRoads,
			get: func(s *Settings) string { return strconv.Itoa(s.MX.Port) },
			set: func(s *Settings, v string) error {
				n, err := parseInt(v, 1, 65535)
				if err != nil {
					return err
				}
				s.MX.Port = n
				return nil
			}},
		{key: "mx.accepted_domains", help: "direct send and relay: the organisation's accepted domains, space separated (empty: the device address's domain). Direct send reaches only recipients in them; the device address must be in one",
			kind: apitype.KindWords, roads: mxRoads,
			get: func(s *Settings) string { return strings.Join(s.MX.AcceptedDomains, " ") },
			set: func(s *Settings, v string) error {
				var ds []string
				for _, d := range strings.Fields(v) {
					d = strings.ToLower(d)
					if err := checkMailDomain(d); err != nil {
						return err
					}
					if !slices.Contains(ds, d) {
						ds = append(ds, d)
					}
				}
				s.MX.AcceptedDomains = ds
				return nil
			}},
		{key: "mx.require_tls", help: "direct send: yes refuses to send where the MX endpoint does not offer STARTTLS; no uses it when offered (relay always requires TLS 1.2 or newer)",
			kind: apitype.KindChoice, choices: []string{"yes", "no"}, roads: directRoad,
			get: func(s *Settings) string { return yesNo(s.MX.RequireTLS) },
			set: func(s *Settings, v string) error {
				switch v {
				case "yes", "no":
					s.MX.RequireTLS = v == "yes"
					return nil
				}
				return fmt.Errorf("%q: choose yes or no", v)
			}},
		{key: "mx.ca_bundle", help: "direct send and relay: extra trusted CA certificates for the MX endpoint (PEM), for test rigs and private clouds",
			kind: apitype.KindPEM, roads: mxRoads,
			get: func(s *Settings) string { return summarizePEM(s.MX.CABundle) },
			raw: func(s *Settings) string { return s.MX.CABundle },
			set: func(s *Settings, v string) error {
				if v != "" {
					if _, err := certPool(v); err != nil {
						return err
					}
				}
				s.MX.CABundle = v
				return nil
			}},
		{key: "custom.smtp_host", help: "custom provider: SMTP host name",
			kind: apitype.KindHost, providers: customOnly, roads: submitRoads,
			get: func(s *Settings) string { return s.Custom.SMTPHost },
			set: func(s *Settings, v string) error {
				if err := checkSMTPHost(v); err != nil {
					return err
				}
				s.Custom.SMTPHost = v
				return nil
			}},
		{key: "custom.smtp_port", help: "custom provider: SMTP port (587); 1 to 65535, not 465",
			kind: apitype.KindInt, min: 1, max: 65535, providers: customOnly, roads: submitRoads,
			get: func(s *Settings) string { return strconv.Itoa(s.Custom.SMTPPort) },
			set: func(s *Settings, v string) error {
				n, err := parseInt(v, 1, 65535)
				if err != nil {
					return err
				}
				if err := checkSMTPPort(n); err != nil {
					return err
				}
				s.Custom.SMTPPort = n
				return nil
			}},
		{key: "custom.device_auth_url", help: "custom provider: device authorization endpoint (https)",
			kind: apitype.KindURL, providers: customOnly, roads: oauthRoad,
			get: func(s *Settings) string { return s.Custom.DeviceAuthURL },
			set: func(s *Settings, v string) error {
				// Empty is a new device's value: an import of it must be taken.
				if v != "" {
					if err := checkEndpointURL(v); err != nil {
						return err
					}
				}
				s.Custom.DeviceAuthURL = v
				return nil
			}},
		{key: "custom.token_url", help: "custom provider: token endpoint (https)",
			kind: apitype.KindURL, providers: customOnly, roads: oauthRoad,
			get: func(s *Settings) string { return s.Custom.TokenURL },
			set: func(s *Settings, v string) error {
				// Empty is a new device's value: an import of it must be taken.
				if v != "" {
					if err := checkEndpointURL(v); err != nil {
						return err
					}
				}
				s.Custom.TokenURL = v
				return nil
			}},
		{key: "custom.scopes", help: "custom provider: scopes, space separated, the SMTP scope first",
			kind: apitype.KindWords, providers: customOnly, roads: oauthRoad,
			get: func(s *Settings) string { return strings.Join(s.Custom.Scopes, " ") },
			set: func(s *Settings, v string) error { s.Custom.Scopes = strings.Fields(v); return nil }},
		{key: "custom.ca_bundle", help: "custom provider: extra trusted CA certificates (PEM)",
			kind: apitype.KindPEM, providers: customOnly, roads: submitRoads,
			get: func(s *Settings) string { return summarizePEM(s.Custom.CABundle) },
			raw: func(s *Settings) string { return s.Custom.CABundle },
			set: func(s *Settings, v string) error {
				if v != "" {
					if _, err := certPool(v); err != nil {
						return err
					}
				}
				s.Custom.CABundle = v
				return nil
			}},
	}
}

// addressSetting is a plain e-mail address, or empty.
func addressSetting(key, help string, field func(*Settings) *string) setting {
	return setting{key: key, help: help, kind: apitype.KindAddress,
		get: func(s *Settings) string { return *field(s) },
		set: func(s *Settings, v string) error {
			if v != "" {
				a, err := parseBareAddress(v)
				if err != nil {
					return err
				}
				v = a
			}
			*field(s) = v
			return nil
		},
	}
}

// perDevice marks a setting as one device's own, left out of exports.
func perDevice(st setting) setting {
	st.perDevice = true
	return st
}

func withProviders(st setting, providers func() []string) setting {
	st.providers = providers
	return st
}

// The largest values of the numeric settings. Each is far above any real
// use, and small enough that what is derived from it (bytes, durations)
// fits in an int64 and a time.Duration, and the value itself in a 32-bit
// int on ARMv7.
const (
	maxMessagesPerMinute = 1000      // Exchange Online allows 30
	maxRecipientsPerDay  = 1_000_000 // Exchange Online allows 10,000
	maxMessageMB         = 1024      // Exchange Online allows 150 at most
	maxRetryHours        = 30 * 24
	maxSpoolMB           = 1 << 20 // 1 TiB
	maxKeepFailedDays    = 3650    // ten years
)

// megabytesUpTo is n MB in bytes, n taken as at most max: a value stored
// before the settings had bounds must not wrap to a negative size.
func megabytesUpTo(n, max int) int64 {
	return int64(min(n, max)) << 20
}

// intSetting is a whole number from min to max; the help says the range.
func intSetting(key, help, unit string, min, max int, field func(*Settings) *int) setting {
	return setting{key: key, help: fmt.Sprintf("%s; %d to %d", help, min, max),
		kind: apitype.KindInt, min: min, max: max, unit: unit,
		get: func(s *Settings) string { return strconv.Itoa(*field(s)) },
		set: func(s *Settings, v string) error {
			n, err := parseInt(v, min, max)
			if err != nil {
				return err
			}
			*field(s) = n
			return nil
		},
	}
}

// parseInt reads a whole number from min to max. A number too large for
// an int is refused like any other out of the range.
func parseInt(v string, min, max int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("%q is not a whole number from %d to %d", v, min, max)
	}
	return n, nil
}

func stringSetting(key, help string, field func(*Settings) *string) setting {
	return setting{key: key, help: help,
		get: func(s *Settings) string { return *field(s) },
		set: func(s *Settings, v string) error { *field(s) = v; return nil },
	}
}

// SettingKeys lists the keys of `config set` with their help.
func SettingKeys() map[string]string {
	m := map[string]string{}
	for _, s := range settingsTable() {
		m[s.key] = s.help
	}
	return m
}

// Set changes one setting by key, as the config command does.
func (s *Settings) Set(key, value string) error {
	for _, st := range settingsTable() {
		if st.key == key {
			// A secret is taken as typed: spaces may be part of a
			// password. Only a file's line end goes.
			if st.secret {
				value = strings.TrimRight(value, "\r\n")
			} else {
				value = strings.TrimSpace(value)
			}
			if err := st.set(s, value); err != nil {
				return &valueError{key: key, err: err}
			}
			return nil
		}
	}
	keys := make([]string, 0)
	for k := range SettingKeys() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return &valueError{key: key, err: fmt.Errorf("unknown setting %q (known: %s)", key, strings.Join(keys, ", "))}
}

// setAll sets every key to its value, in order; it stops at the first
// value refused.
func (s *Settings) setAll(kvs []apitype.SettingValue) error {
	for _, kv := range kvs {
		if err := s.Set(kv.Key, kv.Value); err != nil {
			return err
		}
	}
	return nil
}

// valueError is a value Set refused. Its text names the key, for logs;
// the device's words for people take err alone, and the key apart.
type valueError struct {
	key string
	err error
}

func (e *valueError) Error() string { return e.key + ": " + e.err.Error() }
func (e *valueError) Unwrap() error { return e.err }

// Values lists every setting as key and printable value, in table order.
func (s Settings) Values() [][2]string {
	var out [][2]string
	for _, st := range settingsTable() {
		out = append(out, [2]string{st.key, st.shown(&s)})
	}
	return out
}

// shown is the value config shows: a secret one only says whether it is
// set.
func (st setting) shown(s *Settings) string {
	v := st.get(s)
	if st.secret && v != "" {
		return "(set)"
	}
	return v
}

func summarizePEM(pem string) string {
	if pem == "" {
		return ""
	}
	n := strings.Count(pem, "-----BEGIN CERTIFICATE-----")
	return fmt.Sprintf("(%d certificate(s))", n)
}

// parseBareAddress accepts "user@example.com" only: no display name, since
// the address must match the account's UPN exactly, and nothing the SMTP
// envelope would not carry as written (see mailer.ParseAddress).
func parseBareAddress(s string) (string, error) {
	a, err := mailer.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", fmt.Errorf("%q is not a plain e-mail address", s)
	}
	return a.Address, nil
}

// Settings reads the settings, or the defaults on a new device.
func (st *Store) Settings() (Settings, error) {
	var s Settings
	err := st.db.View(func(tx *bolt.Tx) (err error) {
		s, err = getSettings(tx.Bucket(bucketSettings))
		return err
	})
	return s, err
}

// UpdateSettings changes the settings in one transaction.
func (st *Store) UpdateSettings(fn func(*Settings) error) (Settings, error) {
	var out Settings
	err := st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSettings)
		s, err := getSettings(b)
		if err != nil {
			return err
		}
		if err := fn(&s); err != nil {
			return err
		}
		out = s
		return putSettings(b, s)
	})
	return out, err
}
