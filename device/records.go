package device

import (
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/oauth2"

	"scanmail/device/apitype"
	"scanmail/mailer"
)

// The records of the state file. Their JSON names are the schema: the
// types the rest of the daemon works with (the local API's apitype.Job,
// x/oauth2's Token, mailer's Limits and ThrottleState, Settings) are
// converted at the store's edge, so that a tag changed on one of them
// never changes what is on disk. The names are those schema 2 wrote
// (testdata/state-v2.db); changing one needs a new schema version and an
// upgrade step.

// jobRecord is a job, in the jobs bucket under its ID.
type jobRecord struct {
	ID          uint64          `json:"id"`
	Created     time.Time       `json:"created"`
	Finished    time.Time       `json:"finished,omitzero"`
	To          []string        `json:"to"`
	Pages       int             `json:"pages"`
	Format      string          `json:"format,omitempty"`
	Size        int64           `json:"size"`
	State       string          `json:"state"`
	MessageID   string          `json:"message_id,omitempty"`
	Attempts    int             `json:"attempts,omitempty"`
	Resent      time.Time       `json:"resent,omitzero"`
	NextAttempt time.Time       `json:"next_attempt,omitzero"`
	Parts       []jobPartRecord `json:"parts,omitempty"`
	Error       string          `json:"error,omitempty"`
	Hint        string          `json:"hint,omitempty"`
	ErrorCode   string          `json:"error_code,omitempty"`
	SMTPLog     []string        `json:"smtp_log,omitempty"`
	// Added after schema 2 without a new version: absent in older
	// records, where they read as false and empty, which is what those
	// jobs were.
	MorePages bool   `json:"more_pages,omitempty"`
	PerPage   bool   `json:"per_page,omitempty"`
	Subject   string `json:"subject,omitempty"`
	// Added with blank-page removal, absent (none) in older records.
	BlankLeftOut int  `json:"blank_left_out,omitempty"`
	AllBlank     bool `json:"all_blank,omitempty"`
	// Added with the line's quality (issue 15), absent in older records
	// and for a scanner without a link.
	Link *linkRecord `json:"link,omitempty"`
}

// linkRecord is what the scanner link counted during a job, and what the
// daemon made of it then.
type linkRecord struct {
	Frames       int64  `json:"frames"`
	Damaged      int64  `json:"damaged"`
	Resent       int64  `json:"resent"`
	StripSize    int    `json:"strip_size,omitempty"`
	StripChanges int64  `json:"strip_changes,omitempty"`
	Verdict      string `json:"verdict"`
	Hint         string `json:"hint,omitempty"`
}

type jobPartRecord struct {
	First     int    `json:"first"`
	Last      int    `json:"last"`
	MessageID string `json:"message_id"`
	Sent      bool   `json:"sent,omitempty"`
}

func jobRecordOf(j apitype.Job) jobRecord {
	r := jobRecord{
		ID: j.ID, Created: j.Created, Finished: j.Finished, To: j.To, Pages: j.Pages, Format: j.Format,
		Size: j.Size, State: j.State, MessageID: j.MessageID, Attempts: j.Attempts, Resent: j.Resent,
		NextAttempt: j.NextAttempt, Error: j.Error, Hint: j.Hint, ErrorCode: string(j.ErrorCode), SMTPLog: j.SMTPLog,
		MorePages: j.MorePages, PerPage: j.PerPage, Subject: j.Subject,
		BlankLeftOut: j.BlankLeftOut, AllBlank: j.AllBlank,
	}
	if q := j.Link; q != nil {
		r.Link = &linkRecord{Frames: q.Frames, Damaged: q.Damaged, Resent: q.Resent, StripSize: q.StripSize, StripChanges: q.StripChanges,
			Verdict: q.Verdict, Hint: q.Hint}
	}
	if j.Parts != nil {
		r.Parts = make([]jobPartRecord, len(j.Parts))
		for i, p := range j.Parts {
			r.Parts[i] = jobPartRecord{First: p.First, Last: p.Last, MessageID: p.MessageID, Sent: p.Sent}
		}
	}
	return r
}

func (r jobRecord) job() apitype.Job {
	j := apitype.Job{
		ID: r.ID, Created: r.Created, Finished: r.Finished, To: r.To, Pages: r.Pages, Format: r.Format,
		Size: r.Size, State: r.State, MessageID: r.MessageID, Attempts: r.Attempts, Resent: r.Resent,
		NextAttempt: r.NextAttempt, Error: r.Error, Hint: r.Hint, ErrorCode: apitype.ErrorCode(r.ErrorCode), SMTPLog: r.SMTPLog,
		MorePages: r.MorePages, PerPage: r.PerPage, Subject: r.Subject,
		BlankLeftOut: r.BlankLeftOut, AllBlank: r.AllBlank,
	}
	if l := r.Link; l != nil {
		j.Link = &apitype.LinkQuality{Frames: l.Frames, Damaged: l.Damaged, Resent: l.Resent, StripSize: l.StripSize, StripChanges: l.StripChanges,
			Verdict: l.Verdict, Hint: l.Hint}
	}
	if r.Parts != nil {
		j.Parts = make([]apitype.JobPart, len(r.Parts))
		for i, p := range r.Parts {
			j.Parts[i] = apitype.JobPart{First: p.First, Last: p.Last, MessageID: p.MessageID, Sent: p.Sent}
		}
	}
	return j
}

// accountRecord is the signed-in account, in the tokens bucket.
type accountRecord struct {
	UPN         string           `json:"upn"`
	Provider    string           `json:"provider"`
	Tenant      string           `json:"tenant"`
	ClientID    string           `json:"client_id"`
	TenantID    string           `json:"tenant_id,omitempty"`
	Endpoints   *endpointsRecord `json:"endpoints,omitempty"`
	Token       *tokenRecord     `json:"token"`
	SignedInAt  time.Time        `json:"signed_in_at"`
	LastRefresh time.Time        `json:"last_refresh,omitzero"`
	Ended       *endedRecord     `json:"ended,omitempty"`
}

// tokenRecord is what is kept of an OAuth token. What the provider sent
// beside it (the id_token among it) is not kept: the sign-in takes what it
// needs from it into the account.
type tokenRecord struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry"`
	ExpiresIn    int64     `json:"expires_in,omitempty"`
}

type endpointsRecord struct {
	DeviceAuthURL string   `json:"device_auth_url"`
	TokenURL      string   `json:"token_url"`
	SMTPHost      string   `json:"smtp_host"`
	CABundle      string   `json:"ca_bundle_sha256,omitempty"`
	Scopes        []string `json:"scopes"`
}

type endedRecord struct {
	Summary string    `json:"summary"`
	Hint    string    `json:"hint"`
	Detail  string    `json:"detail"`
	At      time.Time `json:"at"`
}

func accountRecordOf(a Account) accountRecord {
	r := accountRecord{
		UPN: a.UPN, Provider: a.Provider, Tenant: a.Tenant, ClientID: a.ClientID, TenantID: a.TenantID,
		SignedInAt: a.SignedInAt, LastRefresh: a.LastRefresh,
	}
	if e := a.Endpoints; e != nil {
		r.Endpoints = &endpointsRecord{DeviceAuthURL: e.DeviceAuthURL, TokenURL: e.TokenURL, SMTPHost: e.SMTPHost, CABundle: e.CABundle, Scopes: e.Scopes}
	}
	if t := a.Token; t != nil {
		r.Token = &tokenRecord{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry, ExpiresIn: t.ExpiresIn}
	}
	if e := a.Ended; e != nil {
		r.Ended = &endedRecord{Summary: e.Summary, Hint: e.Hint, Detail: e.Detail, At: e.At}
	}
	return r
}

func (r accountRecord) account() Account {
	a := Account{
		UPN: r.UPN, Provider: r.Provider, Tenant: r.Tenant, ClientID: r.ClientID, TenantID: r.TenantID,
		SignedInAt: r.SignedInAt, LastRefresh: r.LastRefresh,
	}
	if e := r.Endpoints; e != nil {
		a.Endpoints = &Endpoints{DeviceAuthURL: e.DeviceAuthURL, TokenURL: e.TokenURL, SMTPHost: e.SMTPHost, CABundle: e.CABundle, Scopes: e.Scopes}
	}
	if t := r.Token; t != nil {
		a.Token = &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry, ExpiresIn: t.ExpiresIn}
	}
	if e := r.Ended; e != nil {
		a.Ended = &Ended{Summary: e.Summary, Hint: e.Hint, Detail: e.Detail, At: e.At}
	}
	return a
}

// settingsRecord is the settings, in the settings bucket. A name missing
// from a stored record keeps its default, so a setting added later needs
// no upgrade.
type settingsRecord struct {
	Road          string             `json:"road,omitempty"`
	Provider      string             `json:"provider"`
	Tenant        string             `json:"tenant"`
	ClientID      string             `json:"client_id"`
	DeviceAddress string             `json:"device_address"`
	Subject       string             `json:"subject"`
	Body          string             `json:"body"`
	Custom        customRecord       `json:"custom"`
	Scan          scanRecord         `json:"scan"`
	Limits        limitsRecord       `json:"limits"`
	MaxMessageMB  int                `json:"max_message_mb"`
	Oversize      string             `json:"oversize"`
	Spool         spoolRecord        `json:"spool"`
	RetryHours    int                `json:"retry_hours"`
	Jobs          jobsSettingsRecord `json:"jobs"`
	// Panel is left out while the panel's settings are the defaults,
	// so that such settings are written as schema 2 wrote them.
	Panel *panelRecord `json:"panel,omitempty"`
	// Alerts is left out while the alert settings are the defaults,
	// like Panel.
	Alerts *alertSettingsRecord `json:"alerts,omitempty"`
	// Password and MX, like Panel, are left out while they are the
	// defaults. Password holds the password road's secret.
	Password *passwordRecord `json:"password,omitempty"`
	MX       *mxRecord       `json:"mx,omitempty"`
}

type alertSettingsRecord struct {
	To         string `json:"to,omitempty"`
	Road       string `json:"road"`
	EveryHours int    `json:"every_hours"`
}

type passwordRecord struct {
	Username    string `json:"username,omitempty"`
	Secret      string `json:"secret,omitempty"`
	BasicAuthOK bool   `json:"basic_auth_ok,omitempty"`
}

type mxRecord struct {
	Host            string   `json:"host,omitempty"`
	Port            int      `json:"port"`
	AcceptedDomains []string `json:"accepted_domains,omitempty"`
	RequireTLS      bool     `json:"require_tls,omitempty"`
	CABundle        string   `json:"ca_bundle,omitempty"`
}

type customRecord struct {
	SMTPHost      string   `json:"smtp_host"`
	SMTPPort      int      `json:"smtp_port"`
	DeviceAuthURL string   `json:"device_auth_url"`
	TokenURL      string   `json:"token_url"`
	Scopes        []string `json:"scopes"`
	CABundle      string   `json:"ca_bundle"`
}

type scanRecord struct {
	Mode     string `json:"mode"`
	DPI      int    `json:"dpi"`
	Format   string `json:"format"`
	Quality  int    `json:"quality"`
	ToMe     string `json:"to_me,omitempty"`
	ToMeOnly bool   `json:"to_me_only,omitempty"`
	PDFA     bool   `json:"pdfa,omitempty"`
	FileName string `json:"file_name,omitempty"`
	// Blank is absent while blank pages are kept with the default
	// thresholds, as in records from before blank-page removal.
	Blank *blankRecord `json:"blank,omitempty"`
}

type blankRecord struct {
	Remove   bool `json:"remove,omitempty"`
	Darkness int  `json:"darkness"`
	Dust     int  `json:"dust"`
}

type panelRecord struct {
	Domain      string `json:"domain,omitempty"`
	IdleSeconds int    `json:"idle_seconds"`
}

// limitsRecord has the names schema 2 took from mailer.Limits, which has
// no tags.
type limitsRecord struct {
	MessagesPerMinute int `json:"MessagesPerMinute"`
	RecipientsPerDay  int `json:"RecipientsPerDay"`
}

type spoolRecord struct {
	MaxMB          int `json:"max_mb"`
	KeepFailedDays int `json:"keep_failed_days"`
}

type jobsSettingsRecord struct {
	Keep     int `json:"keep"`
	KeepDays int `json:"keep_days"`
}

func settingsRecordOf(s Settings) settingsRecord {
	c := s.Custom
	var panel *panelRecord
	if s.Panel != DefaultSettings().Panel {
		panel = &panelRecord{Domain: s.Panel.Domain, IdleSeconds: s.Panel.IdleSeconds}
	}
	var alerts *alertSettingsRecord
	if s.Alerts != DefaultSettings().Alerts {
		alerts = &alertSettingsRecord{To: s.Alerts.To, Road: s.Alerts.Road, EveryHours: s.Alerts.EveryHours}
	}
	var password *passwordRecord
	if pw := s.Password; pw != (PasswordSettings{}) {
		password = &passwordRecord{Username: pw.Username, Secret: pw.Secret, BasicAuthOK: pw.BasicAuthOK}
	}
	var mx *mxRecord
	if m := s.MX; m.Host != "" || m.Port != mxPort || len(m.AcceptedDomains) > 0 || m.RequireTLS || m.CABundle != "" {
		mx = &mxRecord{Host: m.Host, Port: m.Port, AcceptedDomains: m.AcceptedDomains, RequireTLS: m.RequireTLS, CABundle: m.CABundle}
	}
	return settingsRecord{
		Road:     s.Road,
		Provider: s.Provider, Tenant: s.Tenant, ClientID: s.ClientID, DeviceAddress: s.DeviceAddress,
		Subject: s.Subject, Body: s.Body,
		Custom: customRecord{SMTPHost: c.SMTPHost, SMTPPort: c.SMTPPort, DeviceAuthURL: c.DeviceAuthURL, TokenURL: c.TokenURL, Scopes: c.Scopes, CABundle: c.CABundle},
		Scan: scanRecord{Mode: s.Scan.Mode, DPI: s.Scan.DPI, Format: s.Scan.Format, Quality: s.Scan.Quality, ToMe: s.Scan.ToMe, ToMeOnly: s.Scan.ToMeOnly, Blank: blankRecordOf(s.Scan.Blank),
			PDFA: s.Scan.PDFA, FileName: s.Scan.FileName},
		Limits:       limitsRecord{MessagesPerMinute: s.Limits.MessagesPerMinute, RecipientsPerDay: s.Limits.RecipientsPerDay},
		MaxMessageMB: s.MaxMessageMB, Oversize: s.Oversize,
		Spool:      spoolRecord{MaxMB: s.Spool.MaxMB, KeepFailedDays: s.Spool.KeepFailedDays},
		RetryHours: s.RetryHours,
		Jobs:       jobsSettingsRecord{Keep: s.Jobs.Keep, KeepDays: s.Jobs.KeepDays},
		Panel:      panel,
		Alerts:     alerts,
		Password:   password,
		MX:         mx,
	}
}

func (r settingsRecord) settings() Settings {
	c := r.Custom
	panel := DefaultSettings().Panel
	if p := r.Panel; p != nil {
		panel = PanelSettings{Domain: p.Domain, IdleSeconds: p.IdleSeconds}
	}
	alerts := DefaultSettings().Alerts
	if a := r.Alerts; a != nil {
		alerts = AlertSettings{To: a.To, Road: a.Road, EveryHours: a.EveryHours}
	}
	var password PasswordSettings
	if p := r.Password; p != nil {
		password = PasswordSettings{Username: p.Username, Secret: p.Secret, BasicAuthOK: p.BasicAuthOK}
	}
	mx := DefaultSettings().MX
	if m := r.MX; m != nil {
		mx = MXSettings{Host: m.Host, Port: m.Port, AcceptedDomains: m.AcceptedDomains, RequireTLS: m.RequireTLS, CABundle: m.CABundle}
	}
	return Settings{
		Road:     r.Road,
		Provider: r.Provider, Tenant: r.Tenant, ClientID: r.ClientID, DeviceAddress: r.DeviceAddress,
		Subject: r.Subject, Body: r.Body,
		Custom: CustomProvider{SMTPHost: c.SMTPHost, SMTPPort: c.SMTPPort, DeviceAuthURL: c.DeviceAuthURL, TokenURL: c.TokenURL, Scopes: c.Scopes, CABundle: c.CABundle},
		Scan: ScanSettings{Mode: r.Scan.Mode, DPI: r.Scan.DPI, Format: r.Scan.Format, Quality: r.Scan.Quality, ToMe: r.Scan.ToMe, ToMeOnly: r.Scan.ToMeOnly, Blank: r.Scan.Blank.settings(),
			PDFA: r.Scan.PDFA, FileName: r.Scan.FileName},
		Limits:       mailer.Limits{MessagesPerMinute: r.Limits.MessagesPerMinute, RecipientsPerDay: r.Limits.RecipientsPerDay},
		MaxMessageMB: r.MaxMessageMB, Oversize: r.Oversize,
		Spool:      SpoolSettings{MaxMB: r.Spool.MaxMB, KeepFailedDays: r.Spool.KeepFailedDays},
		RetryHours: r.RetryHours,
		Jobs:       JobsSettings{Keep: r.Jobs.Keep, KeepDays: r.Jobs.KeepDays},
		Panel:      panel,
		Alerts:     alerts,
		Password:   password,
		MX:         mx,
	}
}

func blankRecordOf(b BlankSettings) *blankRecord {
	if b == DefaultSettings().Scan.Blank {
		return nil
	}
	return &blankRecord{Remove: b.Remove, Darkness: b.Darkness, Dust: b.Dust}
}

func (r *blankRecord) settings() BlankSettings {
	if r == nil {
		return DefaultSettings().Scan.Blank
	}
	return BlankSettings{Remove: r.Remove, Darkness: r.Darkness, Dust: r.Dust}
}

// throttleRecord is what the sending limits have counted, in the limits
// bucket.
type throttleRecord struct {
	Sends   []time.Time             `json:"sends"`
	Buckets []recipientBucketRecord `json:"buckets"`
}

type recipientBucketRecord struct {
	Minute     time.Time `json:"minute"`
	Recipients int       `json:"recipients"`
}

func throttleRecordOf(ts mailer.ThrottleState) throttleRecord {
	r := throttleRecord{Sends: ts.Sends}
	if ts.Buckets != nil {
		r.Buckets = make([]recipientBucketRecord, len(ts.Buckets))
		for i, b := range ts.Buckets {
			r.Buckets[i] = recipientBucketRecord{Minute: b.Minute, Recipients: b.Recipients}
		}
	}
	return r
}

func (r throttleRecord) state() mailer.ThrottleState {
	ts := mailer.ThrottleState{Sends: r.Sends}
	if r.Buckets != nil {
		ts.Buckets = make([]mailer.RecipientBucket, len(r.Buckets))
		for i, b := range r.Buckets {
			ts.Buckets[i] = mailer.RecipientBucket{Minute: b.Minute, Recipients: b.Recipients}
		}
	}
	return ts
}

// getSettings reads the settings record over the defaults.
func getSettings(b *bolt.Bucket) (Settings, error) {
	r := settingsRecordOf(DefaultSettings())
	_, err := getJSON(b, keySettings, &r)
	return r.settings(), err
}

func putSettings(b *bolt.Bucket, s Settings) error {
	return putJSON(b, keySettings, settingsRecordOf(s))
}

// getAccount reads the account record; ok is false when there is none.
func getAccount(b *bolt.Bucket) (Account, bool, error) {
	var r accountRecord
	ok, err := getJSON(b, keyAccount, &r)
	return r.account(), ok, err
}

func putAccount(b *bolt.Bucket, a Account) error {
	return putJSON(b, keyAccount, accountRecordOf(a))
}

// decodeJob reads a job record.
func decodeJob(data []byte) (apitype.Job, error) {
	var r jobRecord
	err := json.Unmarshal(data, &r)
	return r.job(), err
}
