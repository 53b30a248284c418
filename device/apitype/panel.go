package apitype

import "time"

// ScanOptions are a job's choices; a zero field takes the device's
// setting.
type ScanOptions struct {
	Mode   string `json:"mode,omitempty"`   // bw1, gray8, rgb24, jpeg (scan.mode)
	DPI    int    `json:"dpi,omitempty"`    // 75 … 600 (scan.dpi)
	Format string `json:"format,omitempty"` // pdf, pdf-compact, tiff, jpeg (scan.format)
	// PerPage attaches one file a page instead of one file (a JPEG job
	// always has one file a page).
	PerPage bool `json:"per_page,omitempty"`
	// Subject replaces the subject setting; {pages} and {date} are
	// filled in.
	Subject string `json:"subject,omitempty"`
	// Duplex is "2-sided": both sides of every sheet in the feeder, in
	// the order front, back, front, back (not from the glass).
	Duplex bool `json:"duplex,omitempty"`
}

// JobMore answers a flatbed job waiting with Job.MorePages: More scans
// another page into the same document; otherwise the document is ended
// and sent.
type JobMore struct {
	ID   uint64 `json:"id"`
	More bool   `json:"more"`
}

// QuickSet is a named destination with its options, set up by an admin,
// that an operator picks on the panel in one step.
type QuickSet struct {
	// ID is stable for the Quick Set's life; empty when creating one.
	ID      string      `json:"id,omitempty"`
	Name    string      `json:"name"`
	To      []string    `json:"to,omitempty"`
	Entries []string    `json:"entries,omitempty"` // address book entry IDs
	Groups  []string    `json:"groups,omitempty"`
	Options ScanOptions `json:"options,omitzero"`
}

// QuickSetList is every Quick Set, by name.
type QuickSetList struct {
	QuickSets []QuickSet `json:"quicksets"`
}

// QuickSetDelete names the Quick Set to delete.
type QuickSetDelete struct {
	ID string `json:"id"`
}

// PINState says whether the device has an admin PIN, and whether wrong
// tries hold the next one back.
type PINState struct {
	Set bool `json:"set"`
	// Failures counts wrong PINs since the last right one.
	Failures int `json:"failures,omitempty"`
	// RetryAt is when the next try is taken; zero when at once.
	RetryAt time.Time `json:"retry_at,omitzero"`
}

// PINCheck asks whether PIN is the admin PIN. A wrong one answers
// CodePINWrong and holds the next try back, longer after each.
type PINCheck struct {
	PIN string `json:"pin"`
}

// PINSet sets the admin PIN: Old must be the current one, unless none is
// set yet.
type PINSet struct {
	Old string `json:"old,omitempty"`
	New string `json:"new"`
}
