package apitype

// Kinds of setting, for a front end to choose the input it shows.
const (
	KindString  = "string"  // free text
	KindInt     = "int"     // a whole number from Min to Max
	KindChoice  = "choice"  // one of Choices
	KindAddress = "address" // a plain e-mail address, or empty
	KindURL     = "url"     // an https URL (http only to a loopback address)
	KindHost    = "host"    // a DNS host name
	KindWords   = "words"   // words separated by spaces
	KindPEM     = "pem"     // PEM certificates; the value shown is a summary
	// KindSecret is written, never read back: the value shown is
	// "(set)" or empty. Setting it to "" clears it, so a form that
	// keeps it leaves its key out of the change.
	KindSecret = "secret"
)

// SettingInfo describes one setting, so that a front end renders its form
// from data.
type SettingInfo struct {
	Key  string `json:"key"`
	Kind string `json:"kind"`
	// Choices are the values accepted, for KindChoice.
	Choices []string `json:"choices,omitempty"`
	// Min and Max bound a KindInt setting.
	Min *int `json:"min,omitempty"`
	Max *int `json:"max,omitempty"`
	// Unit of a number: MB, days, hours, dpi, jobs, per minute, per day.
	Unit string `json:"unit,omitempty"`
	// Secret settings are never shown, logged nor exported.
	Secret bool `json:"secret,omitempty"`
	// Providers are the provider IDs the setting applies to; empty
	// means every provider.
	Providers []string `json:"providers,omitempty"`
	// Roads are the roads (RoadOAuth...) the setting applies to; empty
	// means every road.
	Roads []string `json:"roads,omitempty"`
	Help  string   `json:"help"`
	// Default is a new device's value.
	Default string `json:"default"`
}

// ConfigDescription describes every setting, in the order config lists
// them.
type ConfigDescription struct {
	Settings []SettingInfo `json:"settings"`
}

// ConfigFormat and ConfigVersion mark a configuration export.
const (
	ConfigFormat  = "scanmail-config"
	ConfigVersion = 1
)

// ConfigExport is a device's configuration, to set up another device
// like it: every setting but the secret ones and the device address (the
// account's own, set by each device's sign-in), and the address book. It
// never holds a token, password or key.
type ConfigExport struct {
	Format   string            `json:"format"`
	Version  int               `json:"version"`
	Settings map[string]string `json:"settings"`
	Book     []BookEntry       `json:"book"`
	// QuickSets have no ID, and name their address book entries by
	// address, since each device numbers its own. None when missing.
	QuickSets []QuickSet `json:"quicksets,omitempty"`
}

// ConfigImportRequest imports a ConfigExport.
type ConfigImportRequest struct {
	Config ConfigExport `json:"config"`
	// DryRun checks the import and says what it would change, changing
	// nothing.
	DryRun bool `json:"dry_run,omitempty"`
}

// ConfigImport is what an import changed, or would change on a dry run.
// The settings it names and the address book are changed in one
// transaction; the address book is merged by address and the Quick Sets
// by name (those not in the import are kept).
type ConfigImport struct {
	DryRun    bool            `json:"dry_run,omitempty"`
	Settings  []SettingChange `json:"settings"`
	Book      BookImport      `json:"book"`
	QuickSets QuickSetImport  `json:"quicksets"`
}

// QuickSetImport counts the Quick Sets an import adds, changes (one of
// the same name, ignoring case) and leaves as they were.
type QuickSetImport struct {
	Added     int `json:"added"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
}

// SettingChange is a setting an import changes.
type SettingChange struct {
	Key string `json:"key"`
	Old string `json:"old"`
	New string `json:"new"`
}
