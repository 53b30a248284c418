package device

import (
	"errors"
	"syscall"
	"time"

	"scanmail/device/apitype"
	"scanmail/mailer"
	"scanmail/scan/link"
)

// ErrSignInNeeded means the device holds no usable sign-in: nobody signed in
// yet, or the provider ended the sign-in (revoked, expired, policy). Only an
// admin signing in again cures it, so callers stop retrying.
var ErrSignInNeeded = errors.New("sign-in needed")

// Error is a failure with words for the person at the panel (Summary) and
// the fix for the admin (Hint). The words suit any front end: they name no
// command and no setting key; a front end adds its own way to act, chosen
// by the error's code (CodeOf).
type Error struct {
	Summary string
	Hint    string
	// Temporary is set when trying again later may work by itself.
	Temporary bool
	Err       error
	// Code is set where no wrapped cause says what went wrong (see
	// CodeOf); a cause in Err that does wins over it.
	Code apitype.ErrorCode
	// Key is the setting concerned, for the setting codes.
	Key string
	// RetryAt is when a try held back is taken, for CodePINLocked.
	RetryAt time.Time
}

func (e *Error) Error() string {
	// The sentinels would only repeat the summary.
	if e.Err == nil || e.Err == ErrSignInNeeded || e.Err == ErrAddressMismatch || e.Err == ErrScanCanceled || e.Err == errRoadSetup {
		return e.Summary
	}
	return e.Summary + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// causes give the code of an error from what it wraps, so that an error
// site that wraps one of these needs no code of its own. The first match
// wins.
var causes = []struct {
	code  apitype.ErrorCode
	match func(error) bool
}{
	{apitype.CodeShuttingDown, is(ErrClosed)},
	{apitype.CodeBusy, is(ErrBusy)},
	{apitype.CodeNoJob, is(ErrNoJob)},
	{apitype.CodeCanceled, is(ErrScanCanceled)},
	{apitype.CodeSignInNeeded, is(ErrSignInNeeded)},
	{apitype.CodeUPNMismatch, is(ErrAddressMismatch)},
	{apitype.CodeSetupNeeded, is(errRoadSetup)},
	{apitype.CodeSpoolFull, is(ErrSpoolFull)},
	{apitype.CodeSpoolFull, is(syscall.ENOSPC)},
	{apitype.CodeBusy, is(link.ErrBusy)},
	{apitype.CodeScannerJam, is(link.ErrPaperJam)},
	{apitype.CodeScannerCoverOpen, is(link.ErrCoverOpen)},
	{apitype.CodeScannerFeederEmpty, is(link.ErrFeederEmpty)},
	{apitype.CodeScannerFailed, is(errScannerSilent)},
	{apitype.CodeScannerFailed, isType[*link.EngineError]},
	{apitype.CodeScannerFailed, isType[*link.LinkError]},
	{apitype.CodeScannerFailed, isType[*link.VersionError]},
	{apitype.CodeTooLarge, mailer.TooLarge},
	{apitype.CodeProviderRefused, isType[*mailer.LimitError]},
	{apitype.CodeProviderRefused, isType[*mailer.RefusedError]},
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func isType[T error](err error) bool {
	_, ok := errors.AsType[T](err)
	return ok
}

// CodeOf is the code of any error the device returns: from the cause it
// wraps, else from the device Error's own Code, else from the mail
// server's answer; CodeInternal for anything else. It is "" for nil.
func CodeOf(err error) apitype.ErrorCode {
	if err == nil {
		return ""
	}
	for _, c := range causes {
		if c.match(err) {
			return c.code
		}
	}
	if e, ok := errors.AsType[*Error](err); ok && e.Code != "" {
		return e.Code
	}
	if e, ok := errors.AsType[*mailer.Error](err); ok {
		if e.Temporary() {
			return apitype.CodeProviderUnavailable
		}
		return apitype.CodeProviderRefused
	}
	return apitype.CodeInternal
}

// Describe is err as the local API answers it: words, code and the
// setting concerned.
func Describe(err error) apitype.Error {
	summary, hint := Explain(err)
	out := apitype.Error{Error: summary, Hint: hint, Code: CodeOf(err)}
	if e, ok := errors.AsType[*Error](err); ok {
		out.Key, out.RetryAt = e.Key, e.RetryAt
	}
	return out
}

// Explain gives the summary and hint of any error the device returns.
func Explain(err error) (summary, hint string) {
	if err == nil {
		return "", ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Error(), e.Hint
	}
	if errors.Is(err, ErrClosed) {
		return "The device is shutting down", "Try again once it has started again."
	}
	if e, ok := errors.AsType[*mailer.RefusedError](err); ok {
		return "Sent, but not to everyone: " + e.Error(), e.Refused[0].Hint
	}
	if e, ok := errors.AsType[*mailer.Error](err); ok {
		if d := e.Detail(); d != "" {
			return e.Summary + " (" + d + ")", e.Hint
		}
		return e.Summary, e.Hint
	}
	return err.Error(), ""
}
