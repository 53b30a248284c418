package webui_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"scanmail/device/apitype"
)

func TestBookAddEditDelete(t *testing.T) {
	r := newRig(t)
	c := r.login(t, r.tls)
	post := func(path string, form url.Values) (*http.Response, string) {
		t.Helper()
		res, err := c.PostForm(r.tls.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		return res, readBody(t, res)
	}
	_, body := post("/book/put", url.Values{"name": {"Alice Martin"}, "address": {"alice@fabrikam.example"}, "favourite": {"1"}, "groups": {"Sales, Paris"}})
	contains(t, body, "The entry is saved.", "Alice Martin", "alice@fabrikam.example", "Paris, Sales", `aria-label="Favourite"`)
	post("/book/put", url.Values{"name": {"Bob Durand"}, "address": {"bob@fabrikam.example"}, "groups": {"Paris"}})

	// A refused entry keeps what was typed, with the device's words.
	res, body := post("/book/put", url.Values{"name": {"Carol"}, "address": {"not an address"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad address: %s", res.Status)
	}
	contains(t, body, `class="problem"`, `value="Carol"`, `value="not an address"`)

	// Search, and the groups.
	_, body = get(t, c, r.tls.URL+"/book?q=bob")
	contains(t, body, "bob@fabrikam.example")
	if strings.Contains(body, "alice@fabrikam.example") {
		t.Error("the search for bob lists alice")
	}
	_, body = get(t, c, r.tls.URL+"/book?group=Sales")
	contains(t, body, "alice@fabrikam.example", `href="/book?group=Sales" aria-current="true"`)
	if strings.Contains(body, "bob@fabrikam.example") {
		t.Error("the group Sales lists bob")
	}

	// Edit: the form holds the entry; saved under the same ID.
	list, err := r.c.Book(context.Background(), "alice", 10)
	if err != nil || len(list.Entries) != 1 {
		t.Fatalf("book: %v %+v", err, list)
	}
	id := list.Entries[0].ID
	_, body = get(t, c, r.tls.URL+"/book?edit="+id)
	contains(t, body, "Change Alice Martin", `name="id" value="`+id+`"`, `value="Paris, Sales"`, `name="favourite" value="1" checked`)
	post("/book/put", url.Values{"id": {id}, "name": {"Alice Martin-Leroy"}, "address": {"alice@fabrikam.example"}, "groups": {"Sales"}})
	list, _ = r.c.Book(context.Background(), "alice", 10)
	if got := list.Entries[0]; got.ID != id || got.Name != "Alice Martin-Leroy" || got.Favourite || strings.Join(got.Groups, ",") != "Sales" {
		t.Errorf("after the edit: %+v", got)
	}

	// Delete.
	_, body = post("/book/delete", url.Values{"id": {id}})
	contains(t, body, "The entry is deleted.")
	if strings.Contains(body, "alice@fabrikam.example") {
		t.Error("the deleted entry is listed")
	}
}

// TestBookMarkupInert: a name holding markup is shown as text, in the
// list and in the edit form.
func TestBookMarkupInert(t *testing.T) {
	r := newRig(t)
	e, err := r.c.PutBookEntry(context.Background(), apitype.BookEntry{Name: `<script>alert(1)</script>"><img src=x>`, Address: "mallory@fabrikam.example"})
	if err != nil {
		t.Fatal(err)
	}
	c := r.login(t, r.tls)
	for _, path := range []string{"/book", "/book?edit=" + e.ID, "/quicksets"} {
		_, body := get(t, c, r.tls.URL+path)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s: markup from a name reached the page:\n%s", path, body)
		}
		contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	}
}

func upload(t *testing.T, c *http.Client, u, field, name string, content []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	res, err := c.Post(u, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	return res, readBody(t, res)
}

func TestBookImportDryRunThenImport(t *testing.T) {
	r := newRig(t)
	c := r.login(t, r.tls)
	count := func() int {
		l, err := r.c.Book(context.Background(), "", 100)
		if err != nil {
			t.Fatal(err)
		}
		return l.Matches
	}

	// A bad row: listed by its line, nothing imported.
	bad := "name,address,favourite,groups\nAlice,alice@fabrikam.example,yes,Sales\nBob,not-an-address,no,\n"
	res, body := upload(t, c, r.tls.URL+"/book/import", "file", "book.csv", []byte(bad))
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad row: %s", res.Status)
	}
	contains(t, body, "The file cannot be imported", "Nothing was imported")
	if !regexp.MustCompile(`<tr><td>3</td><td>[^<]+</td></tr>`).MatchString(body) {
		t.Errorf("the bad row's line is not listed:\n%s", body)
	}
	if strings.Contains(body, `id="confirm-import"`) {
		t.Error("a file with a bad row may be imported")
	}
	if n := count(); n != 0 {
		t.Fatalf("%d entries after a refused file", n)
	}

	// A good file: checked, nothing imported yet; then imported.
	good := "name,address,favourite,groups\nAlice,alice@fabrikam.example,yes,Sales\nBob,bob@fabrikam.example,no,Sales;Paris\n"
	_, body = upload(t, c, r.tls.URL+"/book/import", "file", "book.csv", []byte(good))
	contains(t, body, "The file is ready to import", "2 to add, 0 to change", `id="confirm-import"`)
	if n := count(); n != 0 {
		t.Fatalf("%d entries after the check", n)
	}
	m := regexp.MustCompile(`(?s)<textarea name="csv" hidden>(.*?)</textarea>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no file to confirm:\n%s", body)
	}
	res, err := c.PostForm(r.tls.URL+"/book/import", url.Values{"csv": {htmlUnescape(m[1])}, "confirm": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, res)
	contains(t, body, "The file is imported.", "bob@fabrikam.example")
	if n := count(); n != 2 {
		t.Errorf("%d entries after the import, want 2", n)
	}

	// Exports are downloads with a file name.
	for _, tt := range []struct{ path, ctype, disp, has string }{
		{"/book/address-book.csv", "text/csv", `attachment; filename="address-book.csv"`, "bob@fabrikam.example"},
		{"/book/address-book.vcf", "text/vcard", `attachment; filename="address-book.vcf"`, "BEGIN:VCARD"},
	} {
		res, body := get(t, c, r.tls.URL+tt.path)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), tt.ctype) || res.Header.Get("Content-Disposition") != tt.disp {
			t.Errorf("%s: %s %q %q", tt.path, res.Status, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
		}
		contains(t, body, tt.has)
	}
}
