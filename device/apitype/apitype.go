// Package apitype holds the types that cross the daemon's local API, shared
// by the daemon and its command-line client. It imports nothing heavy, so the
// client stays small.
//
// The JSON field names of these types are a contract: the local API and
// every `scanmaild ... --json` output use them, and fleet scripts read
// them. A field's name and meaning never change; fields may be added, so
// a reader ignores the fields it does not know.
package apitype

import (
	"fmt"
	"time"
)

// SocketName is the local API's Unix socket, in the state directory.
const SocketName = "scanmaild.sock"

// BoardDir is the state directory on the board; BoardSocket is where the
// daemon listens there, and where a client with no other word calls.
const (
	BoardDir    = "/var/lib/scanmail"
	BoardSocket = BoardDir + "/" + SocketName
)

// PathPrefix begins every local API route.
const PathPrefix = "/localapi/v0/"

// Status is the device at a glance.
type Status struct {
	Provider      string `json:"provider"`
	ProviderName  string `json:"provider_name"`
	SMTPServer    string `json:"smtp_server"`
	DeviceAddress string `json:"device_address"`

	// Account is the signed-in account, nil before the first sign-in.
	Account *Account `json:"account,omitempty"`
	// Ready says whether a scan can be sent now; Problem and Hint say why not.
	Ready   bool   `json:"ready"`
	Problem string `json:"problem,omitempty"`
	Hint    string `json:"hint,omitempty"`
	// ProblemCode is Problem for programs.
	ProblemCode ErrorCode `json:"problem_code,omitempty"`

	SignIn  SignIn `json:"signin"`
	LastJob *Job   `json:"last_job,omitempty"`
	// Waiting counts the jobs not sent yet (queued, or being sent).
	Waiting   int    `json:"waiting"`
	Spool     Spool  `json:"spool"`
	StateFile string `json:"state_file"`

	// Scanner is whether the scanner answers: ScannerPresent, ScannerAbsent
	// (ScannerProblem says why), ScannerBusy while it scans, or
	// ScannerUnknown for one that cannot be asked without scanning.
	Scanner        string `json:"scanner"`
	ScannerProblem string `json:"scanner_problem,omitempty"`
	// ScannerLink is the line to a scanner engine on the scanner link
	// since the daemon started, with the strip size now; nil for a
	// scanner without one (the simulator).
	ScannerLink *LinkQuality `json:"scanner_link,omitempty"`
	// LimitWait is when a message held for the provider's sending limits
	// may go; zero when none waits.
	LimitWait time.Time `json:"limit_wait,omitzero"`

	// CorruptJobs counts job records in the state file that could not be
	// read: they are skipped, and the daemon's log names each.
	CorruptJobs int `json:"corrupt_jobs,omitempty"`

	// Web is where the admin's web pages are, and their certificate's
	// fingerprint.
	Web Web `json:"web,omitzero"`

	// Road is how the device sends (RoadOAuth...), RoadName in words.
	// RoadWarning, when set, is a standing warning about it, such as
	// Microsoft retiring password sign-in for SMTP AUTH.
	Road        string `json:"road"`
	RoadName    string `json:"road_name"`
	RoadWarning string `json:"road_warning,omitempty"`
	// Alerts are those not acknowledged yet, oldest first.
	Alerts []Alert `json:"alerts,omitempty"`
}

// Spool is the room documents waiting to be sent take.
type Spool struct {
	Documents int   `json:"documents"`
	Bytes     int64 `json:"bytes"`
	MaxBytes  int64 `json:"max_bytes,omitempty"` // 0: only the disk bounds it
}

// Account is the signed-in account. It never carries a token.
type Account struct {
	UPN         string    `json:"upn"`
	Provider    string    `json:"provider"`
	SignedInAt  time.Time `json:"signed_in_at"`
	TokenExpiry time.Time `json:"token_expiry"`
	LastRefresh time.Time `json:"last_refresh,omitzero"`
	// NextKeepAlive is when the device refreshes the sign-in next if it
	// sends nothing before, so that the provider does not end it unused.
	NextKeepAlive time.Time `json:"next_keep_alive,omitzero"`
	// SignInNeeded says the provider ended the sign-in, or the settings no
	// longer match it: an admin signs in again (Status.Problem says why).
	SignInNeeded bool `json:"signin_needed,omitempty"`
}

// Scanner presence, in Status.Scanner.
const (
	ScannerPresent = "present"
	ScannerAbsent  = "absent"
	ScannerBusy    = "busy"
	ScannerUnknown = "unknown"
)

// Sign-in states.
const (
	SignInIdle     = "idle"
	SignInWaiting  = "waiting"   // the code is shown; someone signs in on a phone
	SignInDone     = "signed-in" // UPN is set
	SignInFailed   = "failed"    // Error and Hint say why
	SignInCanceled = "canceled"
)

// SignIn is the progress of a device-code sign-in.
type SignIn struct {
	State                   string    `json:"state"`
	VerificationURI         string    `json:"verification_uri,omitempty"`
	VerificationURIComplete string    `json:"verification_uri_complete,omitempty"`
	UserCode                string    `json:"user_code,omitempty"`
	ExpiresAt               time.Time `json:"expires_at,omitzero"`
	UPN                     string    `json:"upn,omitempty"`
	Error                   string    `json:"error,omitempty"`
	Hint                    string    `json:"hint,omitempty"`
	ErrorCode               ErrorCode `json:"error_code,omitempty"` // Error for programs
	// Replace is set on a sign-in that failed because it was another
	// account than the device's: one started with ReplaceAccount would
	// make it the device's account.
	Replace bool `json:"replace,omitempty"`
}

// SignInRequest starts a sign-in.
type SignInRequest struct {
	// ReplaceAccount lets the sign-in make another account than the
	// device address the device's account; without it such a sign-in
	// ends failed and changes nothing.
	ReplaceAccount bool `json:"replace_account,omitempty"`
}

// Done reports whether the sign-in has ended, well or not.
func (s SignIn) Done() bool {
	return s.State != SignInWaiting
}

// Job states.
const (
	JobScanning = "scanning"
	JobQueued   = "queued" // spooled, waiting to be sent or to be tried again
	JobSending  = "sending"
	JobSent     = "sent"
	JobFailed   = "failed"
	JobCanceled = "canceled" // by an operator or admin, before it was sent
)

// Job is one scan-to-email job.
type Job struct {
	ID        uint64    `json:"id"`
	Created   time.Time `json:"created"`
	Finished  time.Time `json:"finished,omitzero"`
	To        []string  `json:"to"`
	Pages     int       `json:"pages"`
	Format    string    `json:"format,omitempty"` // pdf, tiff, jpeg
	Size      int64     `json:"size"`
	State     string    `json:"state"`
	MessageID string    `json:"message_id,omitempty"` // the same on every attempt
	Attempts  int       `json:"attempts,omitempty"`
	// Resent is when an admin queued the failed job again; its retry
	// window counts from then.
	Resent time.Time `json:"resent,omitzero"`
	// NextAttempt is when a queued job is tried again; zero while it
	// waits for an admin (sign-in needed).
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	// Parts are the mails a document too large for one message was cut
	// into, by whole pages; empty when it goes as one message.
	Parts []JobPart `json:"parts,omitempty"`
	Error string    `json:"error,omitempty"`
	Hint  string    `json:"hint,omitempty"`
	// ErrorCode is Error for programs.
	ErrorCode ErrorCode `json:"error_code,omitempty"`
	// SMTPLog is the SMTP session of the last delivery attempt, for the
	// admin: commands and replies, without credentials or the message.
	SMTPLog []string `json:"smtp_log,omitempty"`
	// MorePages is set while a flatbed job, scanning, waits for the
	// operator to say whether another page follows (a JobMore call).
	MorePages bool `json:"more_pages,omitempty"`
	// PerPage and Subject are the job's own options (ScanOptions), kept
	// for every attempt to send it: one attachment a page; the subject,
	// with {pages} and {date} still to fill in (empty: the setting's).
	PerPage bool   `json:"per_page,omitempty"`
	Subject string `json:"subject,omitempty"`
	// BlankLeftOut counts the blank pages left out of the document
	// (scan.blank_pages remove); AllBlank says every page was blank and
	// the first was kept, so that the document is not empty.
	BlankLeftOut int  `json:"blank_left_out,omitempty"`
	AllBlank     bool `json:"all_blank,omitempty"`
	// Link is what the line to the scanner engine did while the job
	// scanned; nil for a scanner without a link (the simulator).
	Link *LinkQuality `json:"link,omitempty"`
}

// PagesText says how many pages the document has and how many blank ones
// were left out: "8 pages, 2 blank pages left out".
func (j Job) PagesText() string {
	if b := j.BlankText(); b != "" {
		return plural(j.Pages, "page") + ", " + b
	}
	return plural(j.Pages, "page")
}

// BlankText says what blank-page removal did: "2 blank pages left out",
// "all 3 pages blank: the first kept", or nothing.
func (j Job) BlankText() string {
	switch {
	case j.AllBlank:
		return fmt.Sprintf("all %d pages blank: the first kept", j.Pages+j.BlankLeftOut)
	case j.BlankLeftOut > 0:
		return plural(j.BlankLeftOut, "blank page") + " left out"
	}
	return ""
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// PartsSent counts the parts of a job sent in parts that have gone.
func (j Job) PartsSent() int {
	n := 0
	for _, p := range j.Parts {
		if p.Sent {
			n++
		}
	}
	return n
}

// JobPart is one mail of a job sent in parts: pages First to Last.
type JobPart struct {
	First     int    `json:"first"`
	Last      int    `json:"last"`
	MessageID string `json:"message_id"`
	Sent      bool   `json:"sent,omitempty"`
}

// JobAction names the job a cancel or resend is for.
type JobAction struct {
	ID uint64 `json:"id"`
}

// ScanRequest asks for a scan-to-email job.
type ScanRequest struct {
	To []string `json:"to"`
	// Entries (address book entry IDs) and Groups (every entry in each)
	// are recipients too.
	Entries []string `json:"entries,omitempty"`
	Groups  []string `json:"groups,omitempty"`
	// Pages is how many pages a simulated scanner produces; a real
	// scanner scans what is in its feeder.
	Pages int `json:"pages,omitempty"`
	// ScanOptions are this job's; a zero field takes the device's
	// setting (scan.mode, scan.dpi, scan.format, subject).
	ScanOptions
	// Flatbed scans one page at a time from the glass: after each page
	// the job waits (Job.MorePages) until MorePages says whether
	// another page follows.
	Flatbed bool `json:"flatbed,omitempty"`
}

// JobEvent is one step of a running job, streamed as it happens.
type JobEvent struct {
	Job  Job `json:"job"`
	Page int `json:"page,omitempty"` // pages scanned so far, while scanning
	// Note says why the job waits, e.g. for the provider's sending limit.
	Note string `json:"note,omitempty"`
	// Missed counts the events left out before this one because the
	// client did not read them in time; the job's last event is never
	// left out.
	Missed int `json:"missed,omitempty"`
}

// Kinds of Notify, the lines of the watch stream.
const (
	NotifySnapshot = "snapshot" // Status and Jobs: where a watcher starts, or starts again
	NotifyStatus   = "status"   // Status changed: readiness, account, spool, sending-limit wait
	NotifySignIn   = "signin"   // SignIn: a step of a sign-in
	NotifyJob      = "job"      // Job: a job changed, scanned a page, or says why it waits
	NotifySettings = "settings" // Setting: a setting changed
	NotifyBook     = "book"     // Book: the address book changed; search it again
	NotifyQuickSet = "quickset" // QuickSet: a Quick Set was stored or deleted
)

// Notify is one change of the device, as its watchers hear of it.
type Notify struct {
	Kind string    `json:"kind"`
	Time time.Time `json:"time"`
	// Missed, on a snapshot, counts the changes left out before it
	// because the watcher did not read them in time.
	Missed int     `json:"missed,omitempty"`
	Status *Status `json:"status,omitempty"`
	// Jobs, on a snapshot, are the jobs not ended, without their SMTP log.
	Jobs    []Job     `json:"jobs,omitempty"`
	SignIn  *SignIn   `json:"signin,omitempty"`
	Job     *JobEvent `json:"job,omitempty"` // without its SMTP log
	Setting *Setting  `json:"setting,omitempty"`
	// Book, on a book change, is the entry added, changed or deleted;
	// nil after an import, which may change many.
	Book *BookEntry `json:"book,omitempty"`
	// QuickSet, on a quickset change, is the Quick Set stored, or the
	// one deleted (with Deleted set).
	QuickSet *QuickSet `json:"quickset,omitempty"`
	Deleted  bool      `json:"deleted,omitempty"`
}

// Setting is one configuration key with its value and help.
type Setting struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Help  string `json:"help,omitempty"`
}

// Config is every setting.
type Config struct {
	Settings []Setting `json:"settings"`
	// Warning is set when the settings need attention, such as a device
	// address that is not the signed-in account.
	Warning string `json:"warning,omitempty"`
}

// ConfigSet changes one setting (Key and Value), or several (Settings),
// all or none: when one value is refused nothing is changed, and the
// error's Key names it.
type ConfigSet struct {
	Key      string         `json:"key,omitempty"`
	Value    string         `json:"value,omitempty"`
	Settings []SettingValue `json:"settings,omitempty"`
}

// SettingValue is one key and the value to set it to.
type SettingValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Error is the body of every failed request.
type Error struct {
	// Error says what happened and Hint what to do, in words for any
	// front end: they name no command and no setting key. Each front end
	// adds its own way to act, chosen by Code (and Key).
	Error string `json:"error"`
	Hint  string `json:"hint,omitempty"`
	// Code is what went wrong, for programs: one of the ErrorCode
	// constants. Empty only from a daemon older than codes.
	Code ErrorCode `json:"code,omitempty"`
	// Key is the setting concerned, for CodeInvalidSetting and
	// CodeSetupNeeded, when one setting is.
	Key string `json:"key,omitempty"`
	// RetryAt, for CodePINLocked and CodePasswordLocked, is when the
	// next try is taken.
	RetryAt time.Time `json:"retry_at,omitzero"`
}

// ErrorCode says what went wrong, for programs (front ends, fleet
// scripts). The codes are a stable contract: a code's meaning never
// changes and a code is never reused; new codes may be added, so a client
// treats an unknown code as it would CodeInternal.
type ErrorCode string

// The error codes. The HTTP status each is answered with is in
// device/localapi.
const (
	// CodeBusy: the scanner is busy with another job, or the job is
	// being worked on right now; try again once it is done.
	CodeBusy ErrorCode = "busy"
	// CodeNoJob: there is no job with that number.
	CodeNoJob ErrorCode = "no-job"
	// CodeNoEntry: there is no address book entry with that ID, or no one
	// in that group.
	CodeNoEntry ErrorCode = "no-entry"
	// CodeBookFull: the address book holds as many entries as it can.
	CodeBookFull ErrorCode = "book-full"
	// CodeBookConflict: another entry already has that address.
	CodeBookConflict ErrorCode = "book-conflict"
	// CodeJobState: the job is not in a state that allows this, such as
	// resending a job that has not failed, or canceling one that ended.
	CodeJobState ErrorCode = "job-state"
	// CodeDocumentGone: the job's scanned document is no longer kept.
	CodeDocumentGone ErrorCode = "document-gone"
	// CodeCanceled: the scan was canceled.
	CodeCanceled ErrorCode = "canceled"
	// CodeShuttingDown: the daemon is stopping.
	CodeShuttingDown ErrorCode = "shutting-down"

	// CodeSignInNeeded: the device holds no usable sign-in; an admin
	// must sign in.
	CodeSignInNeeded ErrorCode = "signin-needed"
	// CodeSignInFailed: a sign-in did not succeed: the sign-in service
	// refused it or its start, the code expired, or the service answered
	// in a way the device does not take.
	CodeSignInFailed ErrorCode = "signin-failed"
	// CodeUPNMismatch: the device address is not the signed-in account.
	CodeUPNMismatch ErrorCode = "upn-mismatch"

	// CodeSetupNeeded: the settings stored are not enough to do this;
	// Key names the setting to fill in, when one does.
	CodeSetupNeeded ErrorCode = "setup-needed"
	// CodeInvalidSetting: a setting's value was refused, or a stored
	// one is not valid; Key names it.
	CodeInvalidSetting ErrorCode = "invalid-setting"
	// CodeInvalidAddress: a destination address is missing or not an
	// e-mail address, or there are too many.
	CodeInvalidAddress ErrorCode = "invalid-address"
	// CodeInvalidRequest: the request itself is malformed.
	CodeInvalidRequest ErrorCode = "invalid-request"

	// CodeTooLarge: the document is too large to mail.
	CodeTooLarge ErrorCode = "too-large"
	// CodeSpoolFull: there is no room on the device for the document.
	CodeSpoolFull ErrorCode = "spool-full"

	// CodeScannerJam: paper is jammed in the scanner.
	CodeScannerJam ErrorCode = "scanner-jam"
	// CodeScannerCoverOpen: the scanner's cover is open.
	CodeScannerCoverOpen ErrorCode = "scanner-cover-open"
	// CodeScannerFeederEmpty: there is nothing in the feeder.
	CodeScannerFeederEmpty ErrorCode = "scanner-feeder-empty"
	// CodeScannerFailed: the scanner failed otherwise (fault, link,
	// silence).
	CodeScannerFailed ErrorCode = "scanner-failed"

	// CodeProviderRefused: the mail provider refused the message for
	// good (sign-in, sender, recipients, policy, limits).
	CodeProviderRefused ErrorCode = "provider-refused"
	// CodeProviderUnavailable: the mail provider or the sign-in service
	// could not be reached or answered that it is unavailable; trying
	// again later may work.
	CodeProviderUnavailable ErrorCode = "provider-unavailable"

	// CodePINWrong: the admin PIN given is not the device's.
	CodePINWrong ErrorCode = "pin-wrong"
	// CodePINLocked: too many wrong PINs; the next try is taken from
	// the error's RetryAt.
	CodePINLocked ErrorCode = "pin-locked"
	// CodePINNotSet: the device has no admin PIN yet; one must be set
	// first.
	CodePINNotSet ErrorCode = "pin-not-set"
	// CodeNoQuickSet: there is no Quick Set with that ID.
	CodeNoQuickSet ErrorCode = "no-quickset"

	// CodePasswordWrong: the admin password given is not the device's.
	CodePasswordWrong ErrorCode = "password-wrong"
	// CodePasswordLocked: too many wrong passwords; the next try is
	// taken from the error's RetryAt.
	CodePasswordLocked ErrorCode = "password-locked"
	// CodePasswordNotSet: the web pages have no admin password yet; the
	// first visit sets it.
	CodePasswordNotSet ErrorCode = "password-not-set"
	// CodeNoSession: the web session is unknown or has ended; log in.
	CodeNoSession ErrorCode = "no-session"

	// CodeUnknownCall: no such local API call.
	CodeUnknownCall ErrorCode = "unknown-call"
	// CodeWrongMethod: the call exists, with another HTTP method.
	CodeWrongMethod ErrorCode = "wrong-method"
	// CodeForbidden: the request came from a browser.
	CodeForbidden ErrorCode = "forbidden"
	// CodeInternal: anything else; the daemon's log says more.
	CodeInternal ErrorCode = "internal"
	// CodeExternalRecipient: direct send reaches only addresses in the
	// organisation's accepted domains, and a recipient is not in one.
	CodeExternalRecipient ErrorCode = "external-recipient"
	// CodeRelayCertInvalid: the client certificate or key offered for the
	// connector is not taken (Error says why: expired, key mismatch, a
	// name outside the organisation's domains).
	CodeRelayCertInvalid ErrorCode = "relay-cert-invalid"
	// CodeNoAlert: no alert of that kind is waiting.
	CodeNoAlert ErrorCode = "no-alert"
)
