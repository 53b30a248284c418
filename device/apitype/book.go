package apitype

// BookEntry is one entry of the device's address book. The address is
// unique in the book: importing an address already there changes that
// entry.
type BookEntry struct {
	// ID is stable for the entry's life; empty when creating one.
	ID        string   `json:"id,omitempty"`
	Name      string   `json:"name"`
	Address   string   `json:"address"`
	Favourite bool     `json:"favourite,omitempty"`
	Groups    []string `json:"groups,omitempty"`
}

// BookList is an address book search: favourites first, then by name.
type BookList struct {
	Entries []BookEntry `json:"entries"`
	// Matches counts every entry that matched, of which Entries holds
	// up to the limit asked for.
	Matches int `json:"matches"`
	// Groups names every group in the book.
	Groups []string `json:"groups"`
}

// BookDelete names the entry to delete.
type BookDelete struct {
	ID string `json:"id"`
}

// BookImportRequest imports CSV with a header row (name, address,
// favourite, groups; groups separated by ";").
type BookImportRequest struct {
	CSV string `json:"csv"`
	// DryRun reports what the import would do and changes nothing.
	DryRun bool `json:"dry_run,omitempty"`
}

// BookImport is what an import did, or would do on a dry run. When Errors
// is not empty nothing was imported.
type BookImport struct {
	DryRun    bool           `json:"dry_run,omitempty"`
	Added     int            `json:"added"`
	Changed   int            `json:"changed"`
	Unchanged int            `json:"unchanged"`
	Errors    []BookRowError `json:"errors,omitempty"`
	// MoreErrors counts the bad rows left out of Errors.
	MoreErrors int `json:"more_errors,omitempty"`
}

// BookRowError is a bad row of an import: its line in the file (1 is the
// header) and why.
type BookRowError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// Book export formats.
const (
	BookCSV   = "csv"
	BookVCard = "vcard" // vCard 3.0 (RFC 2426)
)
