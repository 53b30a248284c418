package apitype

import "fmt"

// The verdicts on the scanner link's line, in LinkQuality.Verdict. What
// counts is the share of frames damaged or resent, whichever is larger
// (LinkQuality.Share): under 0.1 % the line is clean; under 1 % it has
// some noise, which the link repairs at a small cost; from 1 % it is
// noisy: a cable that is loose, damaged, or run next to the motors or
// the fuser's wiring.
const (
	LinkClean     = "clean"
	LinkSomeNoise = "some noise"
	LinkNoisy     = "noisy"
)

// LinkQuality is what the line to the scanner engine did, as the
// controller's end of the scanner link counted it: in a Job, while it
// scanned; in Status, since the daemon started. It tells a bad cable
// (frames damaged) from a bad engine (a clean line, and the engine's own
// error).
type LinkQuality struct {
	// Frames is how many frames arrived whole and in order.
	Frames int64 `json:"frames"`
	// Damaged is how many arrived damaged or not at all, as far as the
	// controller could tell (protocol 1.2 counts them; with a 1.1 engine
	// only Resent shows the damage).
	Damaged int64 `json:"damaged"`
	// Resent is how many frames the engine sent again.
	Resent int64 `json:"resent"`
	// StripSize is the largest strip in use, in bytes: at the job's end,
	// or now; 0 when unknown. StripChanges counts the changes the
	// controller asked for as the line got worse or better.
	StripSize    int   `json:"strip_size,omitempty"`
	StripChanges int64 `json:"strip_changes,omitempty"`
	// Verdict is LinkClean, LinkSomeNoise or LinkNoisy, or empty before
	// the first frame; Hint says what to do about it.
	Verdict string `json:"verdict"`
	Hint    string `json:"hint,omitempty"`
}

// Share is the share of frames damaged or resent, whichever is larger:
// 0.021 for 2.1 %.
func (q LinkQuality) Share() float64 {
	share := func(n int64) float64 {
		if n <= 0 {
			return 0
		}
		return float64(n) / float64(q.Frames+n)
	}
	return max(share(q.Damaged), share(q.Resent))
}

// Text is the line's quality in a line: "2.1 % of frames damaged, 312
// resent, strips 1 KiB (noisy: check the cable)"; with an engine that
// does not count damage (protocol 1.1), "148 frames resent (2.4 %), ...";
// on a clean line "1176 frames, none damaged, ... (clean)".
func (q LinkQuality) Text() string {
	var s string
	switch {
	case q.Frames == 0 && q.Damaged == 0 && q.Resent == 0:
		return "no frames yet"
	case q.Damaged > 0:
		s = fmt.Sprintf("%s of frames damaged, %d resent", percent(q.Damaged, q.Frames), q.Resent)
	case q.Resent > 0:
		s = fmt.Sprintf("%d frames resent (%s)", q.Resent, percent(q.Resent, q.Frames))
	default:
		s = fmt.Sprintf("%d frames, none damaged", q.Frames)
	}
	if q.StripSize > 0 {
		s += ", strips " + byteSize(q.StripSize)
	}
	s += " (" + q.Verdict
	if q.Verdict == LinkNoisy {
		s += ": check the cable"
	}
	return s + ")"
}

// percent is n as a share of n and whole more.
func percent(n, whole int64) string {
	p := 100 * float64(n) / float64(n+whole)
	if p < 0.1 {
		return "< 0.1 %"
	}
	return fmt.Sprintf("%.1f %%", p)
}

func byteSize(n int) string {
	if n >= 1024 && n%1024 == 0 {
		return fmt.Sprintf("%d KiB", n/1024)
	}
	return fmt.Sprintf("%d bytes", n)
}
