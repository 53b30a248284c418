package panel

import "scanmail/device/apitype"

// CallKind names a local API call the machine asks for.
type CallKind int

const (
	CallConfig CallKind = iota + 1
	CallBook
	CallJobs
	CallJob
	CallQuickSets
	CallScan // streams: an Answer with Event for each step, then one with Done
	CallMorePages
	CallCancelJob
	CallSignIn // streams: an Answer with SignIn for each step, then one with Done
	CallCancelSignIn
	CallSignOut
	CallPIN
	CallCheckPIN
	CallSetPIN
	CallAckAlert
	// CallAbort stops the call numbered Abort that is still running
	// (cancels its context); it has no answer.
	CallAbort
)

var callNames = map[CallKind]string{
	CallConfig: "config", CallBook: "book", CallJobs: "jobs", CallJob: "jobs/get", CallQuickSets: "quicksets",
	CallScan: "scan", CallMorePages: "jobs/more", CallCancelJob: "jobs/cancel",
	CallSignIn: "signin", CallCancelSignIn: "signin/cancel", CallSignOut: "signout",
	CallPIN: "admin/pin", CallCheckPIN: "admin/pin/check", CallSetPIN: "admin/pin/set",
	CallAckAlert: "alerts/ack",
	CallAbort:    "abort",
}

func (k CallKind) String() string { return callNames[k] }

// Call is a local API call the machine asks the runner to make. Its
// answers come back to Machine.Answer carrying the same Call.
type Call struct {
	Kind CallKind
	// Seq numbers the call, so that the answer to a call the machine
	// no longer waits for is known as such.
	Seq int

	Scan    apitype.ScanRequest // CallScan
	Replace bool                // CallSignIn: apitype.SignInRequest.ReplaceAccount
	ID      uint64              // CallJob, CallMorePages, CallCancelJob
	More    bool                // CallMorePages
	Query   string              // CallBook
	Limit   int                 // CallBook, CallJobs
	PIN     string              // CallCheckPIN; CallSetPIN: the new one
	OldPIN  string              // CallSetPIN
	Alert   string              // CallAckAlert: the alert's kind
	Abort   int                 // CallAbort: the Seq of the call to stop
}

// Answer is what a call gave: a step of a streaming call, or its end
// (Done) with its result or error.
type Answer struct {
	Call Call
	// Done is set on the last answer of a call; Err is its error.
	Done bool
	Err  error

	Config    apitype.Config
	Book      apitype.BookList
	Jobs      []apitype.Job
	QuickSets apitype.QuickSetList
	Job       apitype.Job       // CallJob, CallScan's end, CallMorePages, CallCancelJob
	Event     *apitype.JobEvent // a step of CallScan
	SignIn    *apitype.SignIn   // a step, or the end, of CallSignIn; CallCancelSignIn
	Status    apitype.Status    // CallSignOut, CallAckAlert
	PINState  apitype.PINState  // CallPIN, CallCheckPIN, CallSetPIN
}

// Sound is a beep the machine asks for.
type Sound int

const (
	SoundNone  Sound = iota
	SoundBeep        // a key taken
	SoundError       // refused, or something went wrong
)

// Effects are what a step of the machine asks the runner to do.
type Effects struct {
	Calls []Call
	Sound Sound
}
