package link

import (
	"errors"
	"fmt"

	"scanmail/scan"
)

// ErrProtocol is wrapped by the errors for frames that are well formed but
// make no sense: a payload too short, a strip at the wrong offset, a frame
// of the wrong kind at that point. It means a bug at one end, not noise.
var ErrProtocol = errors.New("scanner link protocol error")

// EngineCode is the code of a STATUS frame: what the engine reports.
type EngineCode uint16

// The engine's status codes (PROTOCOL.md, "STATUS").
const (
	CodePaperJam    EngineCode = 1
	CodeCoverOpen   EngineCode = 2
	CodeFeederEmpty EngineCode = 3
	CodeEngineFault EngineCode = 4
	CodeUnsupported EngineCode = 5
	CodeBusy        EngineCode = 6
	CodeProtocol    EngineCode = 7
)

var codeMessages = map[EngineCode]string{
	CodePaperJam:    "Paper jam in the feeder: open the cover and remove the paper",
	CodeCoverOpen:   "The scanner cover is open: close it and scan again",
	CodeFeederEmpty: "The document feeder is empty: put the pages in and scan again",
	CodeEngineFault: "The scanner reported an internal error: switch the device off and on",
	CodeUnsupported: "The scanner cannot scan with these settings",
	CodeBusy:        "The scanner is busy with another job",
	CodeProtocol:    "The scanner refused the link protocol",
}

// EngineError is a condition the scanner engine reported, such as a paper
// jam. errors.Is matches it against an EngineError with the same Code, so
// errors.Is(err, link.ErrPaperJam) works whatever the engine's text.
type EngineError struct {
	Code EngineCode
	Text string // the engine's own words, may be empty
}

// The engine's conditions, for errors.Is.
var (
	ErrPaperJam    = &EngineError{Code: CodePaperJam}
	ErrCoverOpen   = &EngineError{Code: CodeCoverOpen}
	ErrFeederEmpty = &EngineError{Code: CodeFeederEmpty}
	ErrEngineFault = &EngineError{Code: CodeEngineFault}
	ErrUnsupported = &EngineError{Code: CodeUnsupported}
	ErrBusy        = &EngineError{Code: CodeBusy}
)

// Error is the operator's message, with the engine's text after it.
func (e *EngineError) Error() string {
	msg, ok := codeMessages[e.Code]
	if !ok {
		msg = fmt.Sprintf("The scanner reported condition %d", e.Code)
	}
	if e.Text != "" {
		msg += " (scanner: " + e.Text + ")"
	}
	return msg
}

// Is matches any *EngineError with the same Code; an unsupported setting
// is also scan.ErrUnsupported.
func (e *EngineError) Is(target error) bool {
	if target == scan.ErrUnsupported {
		return e.Code == CodeUnsupported
	}
	t, ok := target.(*EngineError)
	return ok && t.Code == e.Code
}

// LinkError means the link to the engine failed: too many frames in a row
// were lost or damaged, the engine stopped answering, or the byte stream
// itself failed (then Err is that error).
type LinkError struct {
	Failures int   // consecutive failed attempts, when that was the reason
	Err      error // the byte stream's error, if that was the reason
}

func (e *LinkError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("the scanner link failed: %v; check the cable", e.Err)
	}
	return fmt.Sprintf("the scanner link failed: %d frames in a row lost or damaged; check the cable", e.Failures)
}

func (e *LinkError) Unwrap() error { return e.Err }

// VersionError means the engine speaks a major version of the link
// protocol that this package does not.
type VersionError struct {
	Host, Engine Version
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("the scanner engine speaks link protocol %v and this daemon %d.x: update the daemon or the scanner firmware so that they match",
		e.Engine, e.Host.Major)
}
