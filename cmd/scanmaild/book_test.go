package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBookCommandLine: the address book from the command line: a 5,000-row
// import with a bad row imports nothing and names the line, the good file
// imports, searches answer, and the export imported by another daemon on a
// fresh state file exports the same.
func TestBookCommandLine(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	start(t, dir, "-db", filepath.Join(dir, "scanmail.db"))
	waitSocket(t, sock)

	var good strings.Builder
	good.WriteString("name,address,favourite,groups\n")
	for i := range 5000 {
		fmt.Fprintf(&good, "Person %04d,person%04d@contoso.example,%v,team%d\n", i, i, i%100 == 0, i%3)
	}
	bad := strings.Replace(good.String(), "person1234@contoso.example", "person1234@", 1)
	goodFile, badFile := filepath.Join(dir, "good.csv"), filepath.Join(dir, "bad.csv")
	os.WriteFile(goodFile, []byte(good.String()), 0o600)
	os.WriteFile(badFile, []byte(bad), 0o600)

	steps := []struct {
		args []string
		code int
		want string // a regexp the output must match
	}{
		{[]string{"book", "import", badFile}, 1, `bad\.csv:1236: .*person1234@(?s:.*)nothing imported: 1 bad row`},
		{[]string{"book"}, 0, `^no entries\n$`},
		{[]string{"book", "import", "--dry-run", goodFile}, 0, `would add 5000, change 0, leave 0 unchanged`},
		{[]string{"book"}, 0, `^no entries\n$`},
		{[]string{"book", "import", goodFile}, 0, `added 5000, changed 0, unchanged 0`},
		{[]string{"book", "add", "--name", "Zoë Example", "--address", "zoe@contoso.example", "--favourite", "--group", "board"}, 0, `entry \d+: Zoë Example <zoe@contoso.example>`},
		{[]string{"book", "add", "--name", "Again", "--address", "ZOE@contoso.example"}, 1, `already in the address book`},
		{[]string{"book", "-n", "2", "person", "01"}, 0, `\* +Person 0100 .*\n\d+ +Person 0101 .*\n\(2 of 100 entries`},
		{[]string{"book", "search", "ZO"}, 0, `\* +Zoë Example +zoe@contoso.example +board`},
		{[]string{"book", "import", goodFile}, 0, `added 0, changed 0, unchanged 5000`},
		{[]string{"scan", "--to-group", "nobody"}, 1, `No one is in the group "nobody"`},
		{[]string{"scan", "--to-entry", "99999"}, 1, `No address book entry 99999`},
		{[]string{"book", "export", "--format", "vcard"}, 0, `(?s)^BEGIN:VCARD\r\nVERSION:3\.0\r\nFN:Person 0000\r\n.*FN:Zoë Example\r\nN:Example;Zoë;;;\r\nEMAIL;TYPE=INTERNET:zoe@contoso.example\r\nCATEGORIES:board\r\nEND:VCARD\r\n`},
	}
	for _, s := range steps {
		out, code := runCLI(t, sock, s.args...)
		if code != s.code || !regexp.MustCompile(s.want).MatchString(out) {
			t.Fatalf("%q: exit %d, want %d, output matching %q:\n%.2000s", s.args, code, s.code, s.want, out)
		}
	}

	id := regexp.MustCompile(`(?m)^(\d+) +\* +Zoë`).FindStringSubmatch(mustCLI(t, sock, "book", "zoë"))
	if id == nil {
		t.Fatal("no ID for Zoë")
	}
	mustCLI(t, sock, "book", "edit", id[1], "--name", "Zoë Edited", "--address", "zoe@contoso.example", "--group", "board", "--group", "sales")
	if out := mustCLI(t, sock, "book", "zoë"); !regexp.MustCompile(`Zoë Edited +zoe@contoso.example +board;sales`).MatchString(out) || strings.Contains(out, "*") {
		t.Fatalf("after edit:\n%s", out)
	}
	export := mustCLI(t, sock, "book", "export")

	// Another daemon, on a fresh state file, imports the export.
	dir2 := t.TempDir()
	sock2 := filepath.Join(dir2, "scanmaild.sock")
	start(t, dir2, "-db", filepath.Join(dir2, "scanmail.db"))
	waitSocket(t, sock2)
	exportFile := filepath.Join(dir2, "export.csv")
	os.WriteFile(exportFile, []byte(export), 0o600)
	if out := mustCLI(t, sock2, "book", "import", exportFile); !strings.Contains(out, "added 5001, changed 0") {
		t.Fatalf("import of the export: %s", out)
	}
	if again := mustCLI(t, sock2, "book", "export"); again != export {
		t.Fatalf("the fresh state file exports %d bytes, the first %d", len(again), len(export))
	}

	mustCLI(t, sock, "book", "delete", id[1])
	if out := mustCLI(t, sock, "book", "zoë"); out != "no entries\n" {
		t.Fatalf("after delete:\n%s", out)
	}
}

func mustCLI(t *testing.T, sock string, args ...string) string {
	t.Helper()
	out, code := runCLI(t, sock, args...)
	if code != 0 {
		t.Fatalf("%q: exit %d\n%s", args, code, out)
	}
	return out
}
