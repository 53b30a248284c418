package cli

import (
	"errors"
	"fmt"
	"io"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// action is the command that acts on a daemon error with this code (and
// setting key), printed after the daemon's hint: the daemon's words name
// no command, as they are shown on the panel and the web page too. It is
// "" where no command helps (a jam is cleared at the scanner).
func action(code apitype.ErrorCode, key string) string {
	switch code {
	case apitype.CodeSignInNeeded, apitype.CodeSignInFailed:
		return "scanmaild signin"
	case apitype.CodeUPNMismatch:
		return "scanmaild config set device_address ACCOUNT (or scanmaild signin as the device address)"
	case apitype.CodeSetupNeeded:
		if key != "" {
			return "scanmaild config set " + key + " VALUE"
		}
		return "scanmaild config show"
	case apitype.CodeInvalidSetting:
		return "scanmaild config show"
	case apitype.CodeBusy, apitype.CodeNoJob, apitype.CodeJobState:
		return "scanmaild jobs"
	case apitype.CodeSpoolFull:
		return "scanmaild jobs, then scanmaild jobs -cancel JOB for those that need not go"
	case apitype.CodeTooLarge:
		return "scanmaild config set limits.oversize split"
	case apitype.CodeNoQuickSet:
		return "scanmaild quickset"
	case apitype.CodePINNotSet:
		return "scanmaild pin set"
	case apitype.CodePINWrong, apitype.CodePINLocked:
		return "scanmaild pin reset, at the board, if the PIN is forgotten"
	case apitype.CodePasswordNotSet:
		return "scanmaild password set"
	case apitype.CodePasswordWrong, apitype.CodePasswordLocked:
		return "scanmaild password reset, at the board, if the password is forgotten"
	case apitype.CodeRelayCertInvalid:
		return "scanmaild relay-cert install CERT.pem KEY.pem"
	case apitype.CodeExternalRecipient:
		return "scanmaild config set road relay (a connector) or road oauth (sign-in) to reach outside addresses"
	case apitype.CodeProviderRefused, apitype.CodeProviderUnavailable:
		return "scanmaild jobs -log JOB for the mail server's answers"
	}
	return ""
}

// withAction gives err a command of its own, where its code alone does
// not choose the right one.
type withAction struct {
	error
	run string
}

func (e withAction) Unwrap() error { return e.error }

// explain prints what to do about err, and the command that does it.
func explain(w io.Writer, err error) {
	le, ok := errors.AsType[*localclient.Error](err)
	if !ok {
		return
	}
	if le.Hint != "" {
		fmt.Fprintf(w, "  what to do: %s\n", le.Hint)
	}
	run := action(le.Code, le.Key)
	if wa, ok := errors.AsType[withAction](err); ok {
		run = wa.run
	}
	if run != "" {
		fmt.Fprintf(w, "  run: %s\n", run)
	}
}
