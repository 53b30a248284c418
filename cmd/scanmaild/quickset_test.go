package main

import (
	"path/filepath"
	"regexp"
	"testing"
)

// TestQuickSetCommandLine: Quick Sets from the command line: added with
// addresses, address book entries, groups and options, listed, refused
// with what to do, deleted.
func TestQuickSetCommandLine(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	start(t, dir, "-db", filepath.Join(dir, "scanmail.db"))
	waitSocket(t, sock)
	mustCLI(t, sock, "book", "add", "--name", "Ann Lee", "--address", "ann@contoso.example", "--group", "sales")
	steps := []struct {
		args []string
		code int
		want string // a regexp the output must match
	}{
		{[]string{"quickset"}, 0, `^no Quick Sets\n$`},
		{[]string{"quickset", "add", "--name", "Sales", "--to", "bob@contoso.example", "--entry", "1", "--group", "sales",
			"--mode", "bw1", "--dpi", "200", "--format", "tiff", "--per-page", "--subject", "Sales {date}"}, 0,
			`^Quick Set 1: Sales, to bob@contoso.example,entry:1,group:sales\n$`},
		{[]string{"quickset", "add", "--name", "Desk", "--to", "desk@contoso.example"}, 0, `^Quick Set 2: Desk`},
		{[]string{"quickset", "add", "--name", "Both sides", "--to", "both@contoso.example", "--format", "pdf-compact", "--duplex"}, 0, `^Quick Set 3: Both sides`},
		{[]string{"quickset", "add", "--help"}, 2, `(?s)--duplex.*2-sided.*pdf, pdf-compact, tiff or jpeg`},
		{[]string{"quickset", "add", "--name", "sales", "--to", "x@contoso.example"}, 1, `Another Quick Set is named "Sales"`},
		{[]string{"quickset", "add", "--name", "Bad", "--to", "x@contoso.example", "--dpi", "250"}, 1, `250 dpi is not offered`},
		{[]string{"quickset", "add", "--name", "Nobody"}, 1, `No destination`},
		{[]string{"quickset", "list"}, 0, `(?m)^3 +Both sides +both@contoso.example +pdf-compact 2-sided\n2 +Desk +desk@contoso.example +\(the settings'\)\n1 +Sales +bob@contoso.example,entry:1,group:sales +bw1 tiff 200 dpi a file a page "Sales \{date\}"$`},
		{[]string{"quickset", "--json"}, 0, `(?s)"name": "Both sides".*"format": "pdf-compact",\s*"duplex": true`},
		{[]string{"config", "export"}, 0, `(?s)"quicksets": \[.*"name": "Both sides".*"duplex": true.*"name": "Desk".*"entries": \[\s*"ann@contoso.example"`},
		{[]string{"quickset", "delete", "2"}, 0, `^Quick Set 2 deleted: Desk\n$`},
		{[]string{"quickset", "delete", "2"}, 1, `No Quick Set 2(?s:.*)run: scanmaild quickset`},
		{[]string{"quickset", "list"}, 0, `^ID +NAME +TO +OPTIONS\n3 +Both sides .*\n1 +Sales`},
	}
	for _, s := range steps {
		out, code := runCLI(t, sock, s.args...)
		if code != s.code || !regexp.MustCompile(s.want).MatchString(out) {
			t.Fatalf("%q: exit %d, want %d, output matching %q:\n%s", s.args, code, s.code, s.want, out)
		}
	}
}
