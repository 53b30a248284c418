package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"scanmail/device/apitype"
)

func TestQuickSetsAddEditDelete(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	bob, err := r.c.PutBookEntry(ctx, apitype.BookEntry{Name: "Bob Durand", Address: "bob@fabrikam.example", Groups: []string{"Accounts"}})
	if err != nil {
		t.Fatal(err)
	}
	c := r.login(t, r.tls)
	_, body := get(t, c, r.tls.URL+"/quicksets")
	contains(t, body, "No Quick Set yet.", `name="entry" value="`+bob.ID+`"`, `name="group" value="Accounts"`, "<option>rgb24</option>", "<option>600</option>", "<option>tiff</option>", "<option>pdf-compact</option>", `name="duplex" value="1"> 2-sided`)

	post := func(path string, form url.Values) (*http.Response, string) {
		t.Helper()
		res, err := c.PostForm(r.tls.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		return res, readBody(t, res)
	}
	_, body = post("/quicksets", url.Values{"name": {"Invoices"}, "to": {"ap@fabrikam.example, archive@fabrikam.example"}, "entry": {bob.ID}, "group": {"Accounts"},
		"mode": {"gray8"}, "dpi": {"200"}, "format": {"pdf-compact"}, "per_page": {"1"}, "duplex": {"1"}, "subject": {"Invoices {date}"}})
	contains(t, body, "The Quick Set is saved.", "Invoices", "ap@fabrikam.example, archive@fabrikam.example, Bob Durand, group Accounts", "gray8 200 dpi pdf-compact a file a page 2-sided")
	list, err := r.c.QuickSets(ctx)
	if err != nil || len(list.QuickSets) != 1 {
		t.Fatalf("quick sets: %v %+v", err, list)
	}
	q := list.QuickSets[0]
	want := apitype.ScanOptions{Mode: "gray8", DPI: 200, Format: "pdf-compact", PerPage: true, Duplex: true, Subject: "Invoices {date}"}
	if q.Name != "Invoices" || len(q.To) != 2 || len(q.Entries) != 1 || q.Entries[0] != bob.ID || len(q.Groups) != 1 || q.Options != want {
		t.Errorf("saved: %+v", q)
	}

	// A refused one (no destination) keeps what was typed.
	res, body := post("/quicksets", url.Values{"name": {"Nowhere"}, "subject": {"kept"}, "duplex": {"1"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("no destination: %s", res.Status)
	}
	contains(t, body, `class="problem"`, `value="Nowhere"`, `value="kept"`, `name="duplex" value="1" checked`)

	// Edit: the form holds it.
	_, body = get(t, c, r.tls.URL+"/quicksets?edit="+q.ID)
	contains(t, body, "Change Invoices", `name="entry" value="`+bob.ID+`" checked`, `<option selected>200</option>`, `name="per_page" value="1" checked`, `name="duplex" value="1" checked`, `<option selected>pdf-compact</option>`)
	post("/quicksets", url.Values{"id": {q.ID}, "name": {"Invoices"}, "to": {"ap@fabrikam.example"}})
	list, _ = r.c.QuickSets(ctx)
	if len(list.QuickSets) != 1 || len(list.QuickSets[0].To) != 1 || list.QuickSets[0].Options != (apitype.ScanOptions{}) {
		t.Errorf("after the edit: %+v", list.QuickSets)
	}

	_, body = post("/quicksets/delete", url.Values{"id": {q.ID}})
	contains(t, body, "The Quick Set is deleted.", "No Quick Set yet.")
	if strings.Contains(body, "ap@fabrikam.example") {
		t.Error("the deleted Quick Set is listed")
	}
}
