package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/mstest"
)

// TestFleetCommandLine: what a fleet tool scripts. One daemon, set up and
// signed in, exports its configuration; a second daemon on a fresh state
// file refuses bad files without a change, shows a dry run without a
// change, imports the export, and then shows the same config (less the
// device address) and the same address book; after its own sign-in, the
// same config show. The --json outputs read back as the API's types.
func TestFleetCommandLine(t *testing.T) {
	const upn = "scanner@contoso.example"
	ms := fakeMicrosoft(t, mstest.Options{})
	idp := ms.IdP
	dir1, dir2 := t.TempDir(), t.TempDir()
	sock1, sock2 := filepath.Join(dir1, "scanmaild.sock"), filepath.Join(dir2, "scanmaild.sock")
	start(t, dir1, "-db", filepath.Join(dir1, "scanmail.db"))
	start(t, dir2, "-db", filepath.Join(dir2, "scanmail.db"))
	waitSocket(t, sock1)
	waitSocket(t, sock2)
	configureRig(t, dir1, sock1, ms)
	signInCLI(t, dir1, sock1, idp, upn)
	mustCLI(t, sock1, "book", "add", "--name", "Ana", "--address", "ana@fabrikam.example", "--favourite", "--group", "board")
	mustCLI(t, sock1, "book", "add", "--name", "Bo", "--address", "bo@fabrikam.example")

	// Several settings at once, all or none.
	show1 := mustCLI(t, sock1, "config", "show")
	if out, code := runCLI(t, sock1, "config", "set", "jobs.keep", "500", "scan.quality", "101"); code != 1 || !strings.Contains(out, "scan.quality") {
		t.Fatalf("batch with a bad value: exit %d\n%s", code, out)
	}
	if again := mustCLI(t, sock1, "config", "show"); again != show1 {
		t.Fatalf("a refused batch changed the config:\n%s", again)
	}
	if out := mustCLI(t, sock1, "config", "set", "jobs.keep", "500", "limits.oversize", "refuse"); !strings.Contains(out, "jobs.keep = 500\nlimits.oversize = refuse\n") {
		t.Fatalf("batch: %s", out)
	}

	export := mustCLI(t, sock1, "config", "export")
	var doc map[string]any
	if err := json.Unmarshal([]byte(export), &doc); err != nil || doc["format"] != apitype.ConfigFormat || doc["version"] != float64(1) {
		t.Fatalf("export is not a versioned document (%v):\n%s", err, export)
	}
	if strings.Contains(export, "device_address") || strings.Contains(export, upn) {
		t.Errorf("the export holds the device address:\n%s", export)
	}
	good := filepath.Join(dir2, "config.json")
	os.WriteFile(good, []byte(export), 0o600)

	fresh := mustCLI(t, sock2, "config", "show")
	freshBook := mustCLI(t, sock2, "book")
	bad := func(name, from, to string) string {
		if !strings.Contains(export, from) {
			t.Fatalf("%s: the export has no %q", name, from)
		}
		p := filepath.Join(dir2, name+".json")
		os.WriteFile(p, []byte(strings.Replace(export, from, to, 1)), 0o600)
		return p
	}
	for _, tt := range []struct{ file, want string }{
		{bad("malformed", "{", "["), "not a configuration export"},
		{bad("version", `"version": 1`, `"version": 2`), "version 2"},
		{bad("setting", `"scan.quality": "75"`, `"scan.quality": "101"`), "scan.quality"},
		{bad("book", `"bo@fabrikam.example"`, `"bo at fabrikam.example"`), "entry 2"},
		{bad("unknown", `"format"`, `"formats"`), "unknown field"},
	} {
		out, code := runCLI(t, sock2, "config", "import", tt.file)
		if code != 1 || !strings.Contains(out, tt.want) {
			t.Errorf("import %s: exit %d, want 1 and %q:\n%s", filepath.Base(tt.file), code, tt.want, out)
		}
		if show := mustCLI(t, sock2, "config", "show"); show != fresh {
			t.Fatalf("import %s changed the config:\n%s", filepath.Base(tt.file), show)
		}
		if b := mustCLI(t, sock2, "book"); b != freshBook {
			t.Fatalf("import %s changed the address book:\n%s", filepath.Base(tt.file), b)
		}
	}
	if out := mustCLI(t, sock2, "config", "import", "--dry-run", good); !regexp.MustCompile(`(?s)^dry run: .*\njobs.keep: "1000" -> "500"\n.*address book: 2 added, 0 changed`).MatchString(out) {
		t.Errorf("dry run:\n%s", out)
	}
	if show := mustCLI(t, sock2, "config", "show"); show != fresh {
		t.Fatalf("a dry run changed the config:\n%s", show)
	}
	mustCLI(t, sock2, "config", "import", good)

	noAddress := regexp.MustCompile(`(?m)^device_address .*\n|^warning: .*\n`)
	show1 = mustCLI(t, sock1, "config", "show")
	if show2 := mustCLI(t, sock2, "config", "show"); noAddress.ReplaceAllString(show2, "") != noAddress.ReplaceAllString(show1, "") {
		t.Errorf("config show after import:\n%s\nwant (less the device address)\n%s", show2, show1)
	}
	book := regexp.MustCompile(`(?m)^\d+ `) // the IDs are each device's
	if b1, b2 := mustCLI(t, sock1, "book"), mustCLI(t, sock2, "book"); book.ReplaceAllString(b1, "") != book.ReplaceAllString(b2, "") {
		t.Errorf("address book after import:\n%s\nwant\n%s", b2, b1)
	}
	signInCLI(t, dir2, sock2, idp, upn)
	if show2 := mustCLI(t, sock2, "config", "show"); show2 != show1 {
		t.Errorf("config show after the second device's sign-in:\n%s\nwant\n%s", show2, show1)
	}
	if out := mustCLI(t, sock2, "scan", "--to-group", "board", "--pages", "1"); !strings.Contains(out, "sent") {
		t.Errorf("scan from the imported device:\n%s", out)
	}

	// --json: the API's types and field names.
	var st apitype.Status
	decode(t, mustCLI(t, sock2, "status", "--json"), &st)
	if !st.Ready || st.Account == nil || st.Account.UPN != upn || st.LastJob == nil {
		t.Errorf("status --json: %+v", st)
	}
	var jobs []apitype.Job
	decode(t, mustCLI(t, sock2, "jobs", "--json"), &jobs)
	if len(jobs) != 1 || jobs[0].State != apitype.JobSent || jobs[0].SMTPLog != nil {
		t.Errorf("jobs --json: %+v", jobs)
	}
	var job apitype.Job
	decode(t, mustCLI(t, sock2, "jobs", "--json", "-log", "1"), &job)
	if len(job.SMTPLog) == 0 {
		t.Errorf("jobs --json -log 1: no log: %+v", job)
	}
	if out := mustCLI(t, sock2, "jobs", "-log", "1"); !strings.Contains(out, "MAIL FROM") {
		t.Errorf("jobs -log 1:\n%s", out)
	}
	if out, code := runCLI(t, sock2, "jobs", "-log", "99"); code != 1 || !strings.Contains(out, "no job 99") {
		t.Errorf("jobs -log 99: exit %d\n%s", code, out)
	}
	var cfg apitype.Config
	decode(t, mustCLI(t, sock2, "config", "show", "--json"), &cfg)
	// The road comes first, then the provider.
	if len(cfg.Settings) < 2 || cfg.Settings[0].Key != "road" || cfg.Settings[1].Key != "provider" || cfg.Settings[1].Value != "custom" {
		t.Errorf("config show --json: %+v", cfg)
	}
	var d apitype.ConfigDescription
	decode(t, mustCLI(t, sock2, "config", "describe", "--json"), &d)
	if len(d.Settings) != len(cfg.Settings) {
		t.Errorf("config describe --json: %d settings, config show %d", len(d.Settings), len(cfg.Settings))
	}
	var l apitype.BookList
	decode(t, mustCLI(t, sock2, "book", "--json"), &l)
	if l.Matches != 2 || l.Entries[0].Name != "Ana" || !l.Entries[0].Favourite {
		t.Errorf("book --json: %+v", l)
	}

	if out := mustCLI(t, sock2, "signout"); !strings.Contains(out, "Signed out") {
		t.Errorf("signout:\n%s", out)
	}
	st = apitype.Status{}
	decode(t, mustCLI(t, sock2, "status", "--json"), &st)
	if st.Account != nil || st.ProblemCode != apitype.CodeSignInNeeded {
		t.Errorf("status after signout: %+v", st)
	}
}

func decode(t *testing.T, out string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%v in:\n%s", err, out)
	}
}
