package device

import (
	"errors"

	"scanmail/mailer"
)

// ErrSignInNeeded means the device holds no usable sign-in: nobody signed in
// yet, or the provider ended the sign-in (revoked, expired, policy). Only an
// admin signing in again cures it, so callers stop retrying.
var ErrSignInNeeded = errors.New("sign-in needed")

// Error is a failure with words for the person at the panel (Summary) and
// the fix for the admin (Hint).
type Error struct {
	Summary string
	Hint    string
	// Temporary is set when trying again later may work by itself.
	Temporary bool
	Err       error
}

func (e *Error) Error() string {
	// The sentinels would only repeat the summary.
	if e.Err == nil || e.Err == ErrSignInNeeded || e.Err == ErrAddressMismatch || e.Err == ErrScanCanceled {
		return e.Summary
	}
	return e.Summary + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Explain gives the summary and hint of any error the device returns.
func Explain(err error) (summary, hint string) {
	if err == nil {
		return "", ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Error(), e.Hint
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
