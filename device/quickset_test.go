package device

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"scanmail/device/apitype"
)

// TestQuickSetRefused: what a Quick Set may not be, each refused with
// words and a code, and nothing stored.
func TestQuickSetRefused(t *testing.T) {
	r := newPINRig(t)
	ann, err := r.dev.PutBookEntry(apitype.BookEntry{Name: "Ann Lee", Address: "ann@contoso.example", Groups: []string{"sales"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.dev.PutQuickSet(apitype.QuickSet{Name: "Sales", Groups: []string{"sales"}}); err != nil {
		t.Fatal(err)
	}
	ok := apitype.QuickSet{Name: "Scans", To: []string{"b@contoso.example"}}
	with := func(f func(q *apitype.QuickSet)) apitype.QuickSet {
		q := ok
		f(&q)
		return q
	}
	for _, tc := range []struct {
		name string
		q    apitype.QuickSet
		code apitype.ErrorCode
		want string
	}{
		{"no name", with(func(q *apitype.QuickSet) { q.Name = "  " }), apitype.CodeInvalidRequest, "name is empty"},
		{"long name", with(func(q *apitype.QuickSet) { q.Name = strings.Repeat("é", 41) }), apitype.CodeInvalidRequest, "longer than 40"},
		{"control in name", with(func(q *apitype.QuickSet) { q.Name = "Sales\x1b[2J" }), apitype.CodeInvalidRequest, "cannot show"},
		{"bidi in name", with(func(q *apitype.QuickSet) { q.Name = "Sales\u202e" }), apitype.CodeInvalidRequest, "cannot show"},
		{"name taken", with(func(q *apitype.QuickSet) { q.Name = "SALES" }), apitype.CodeInvalidRequest, `named "Sales"`},
		{"no destination", with(func(q *apitype.QuickSet) { q.To = nil }), apitype.CodeInvalidAddress, "No destination"},
		{"bad address", with(func(q *apitype.QuickSet) { q.To = []string{"b@"} }), apitype.CodeInvalidAddress, "not an e-mail address"},
		{"unknown entry", with(func(q *apitype.QuickSet) { q.Entries = []string{"999"} }), apitype.CodeNoEntry, "No address book entry 999"},
		{"bad entry ID", with(func(q *apitype.QuickSet) { q.Entries = []string{"ann"} }), apitype.CodeInvalidRequest, "not an address book entry ID"},
		{"empty group", with(func(q *apitype.QuickSet) { q.Groups = []string{"board"} }), apitype.CodeNoEntry, `No one is in the group "board"`},
		{"mode", with(func(q *apitype.QuickSet) { q.Options.Mode = "cmyk" }), apitype.CodeInvalidRequest, "cmyk"},
		{"dpi", with(func(q *apitype.QuickSet) { q.Options.DPI = 250 }), apitype.CodeInvalidRequest, "250 dpi is not offered"},
		{"format", with(func(q *apitype.QuickSet) { q.Options.Format = "docx" }), apitype.CodeInvalidRequest, "docx"},
		{"subject", with(func(q *apitype.QuickSet) { q.Options.Subject = "Scan\r\nBcc: x@evil.example" }), apitype.CodeInvalidRequest, "subject"},
		{"long subject", with(func(q *apitype.QuickSet) { q.Options.Subject = strings.Repeat("s", 201) }), apitype.CodeInvalidRequest, "at most 200"},
		{"unknown ID", with(func(q *apitype.QuickSet) { q.ID = "77" }), apitype.CodeNoQuickSet, "No Quick Set 77"},
		{"bad ID", with(func(q *apitype.QuickSet) { q.ID = "x" }), apitype.CodeInvalidRequest, "not a Quick Set ID"},
	} {
		_, err := r.dev.PutQuickSet(tc.q)
		summary, hint := Explain(err)
		if CodeOf(err) != tc.code || !strings.Contains(summary, tc.want) || hint == "" || strings.Contains(summary+hint, "scan.") {
			t.Errorf("%s: %q / %q (%s), want code %s and %q", tc.name, summary, hint, CodeOf(err), tc.code, tc.want)
		}
	}
	if l, _ := r.dev.QuickSets(); len(l.QuickSets) != 1 {
		t.Errorf("%d Quick Sets after the refusals, want 1", len(l.QuickSets))
	}
	// An entry deleted later leaves the Quick Set listed; a scan with it
	// is refused then, with words.
	q, err := r.dev.PutQuickSet(apitype.QuickSet{Name: "Ann", Entries: []string{ann.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.dev.DeleteBookEntry(ann.ID); err != nil {
		t.Fatal(err)
	}
	l, err := r.dev.QuickSets()
	if err != nil || len(l.QuickSets) != 2 || l.QuickSets[0].ID != q.ID || l.QuickSets[0].Entries[0] != ann.ID {
		t.Fatalf("after the entry's deletion: %+v %v", l, err)
	}
	if _, err := r.dev.scanRecipients(apitype.ScanRequest{Entries: q.Entries}); CodeOf(err) != apitype.CodeNoEntry {
		t.Errorf("a scan to the deleted entry: %v", err)
	}
}

// TestQuickSetLife: stored, listed by name, changed, deleted, kept across
// a restart, at most 100; the watchers hear of each change.
func TestQuickSetLife(t *testing.T) {
	r := newPINRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := r.dev.Watch()
	defer w.Close()
	if n, err := w.Next(ctx); err != nil || n.Kind != apitype.NotifySnapshot {
		t.Fatalf("first: %+v %v", n, err)
	}
	heard := func(want apitype.QuickSet, deleted bool) {
		t.Helper()
		n, err := w.Next(ctx)
		for err == nil && (n.Kind == apitype.NotifyStatus || n.Kind == apitype.NotifyBook) {
			n, err = w.Next(ctx) // what else changed meanwhile
		}
		if err != nil || n.Kind != apitype.NotifyQuickSet || n.QuickSet == nil || n.QuickSet.ID != want.ID || n.QuickSet.Name != want.Name || n.Deleted != deleted {
			t.Fatalf("heard %+v (%+v) %v, want %+v deleted %v", n, n.QuickSet, err, want, deleted)
		}
	}
	ann, err := r.dev.PutBookEntry(apitype.BookEntry{Name: "Ann Lee", Address: "ann@contoso.example", Groups: []string{"Sales"}})
	if err != nil {
		t.Fatal(err)
	}

	in := apitype.QuickSet{
		Name:    "  Sales team ",
		To:      []string{"Bob <bob@contoso.example>", "bob@contoso.example, carl@contoso.example"},
		Entries: []string{ann.ID, " " + ann.ID},
		Groups:  []string{"Sales", "sales", " "},
		Options: apitype.ScanOptions{Mode: "bw1", DPI: 200, Format: "tiff", PerPage: true, Subject: "Sales {date}"},
	}
	sales, err := r.dev.PutQuickSet(in)
	if err != nil {
		t.Fatal(err)
	}
	want := apitype.QuickSet{ID: sales.ID, Name: "Sales team", To: []string{"bob@contoso.example", "carl@contoso.example"},
		Entries: []string{ann.ID}, Groups: []string{"Sales"}, Options: in.Options}
	if fmt.Sprint(sales) != fmt.Sprint(want) {
		t.Fatalf("stored %+v, want %+v", sales, want)
	}
	heard(sales, false)
	accounts, err := r.dev.PutQuickSet(apitype.QuickSet{Name: "accounts", To: []string{"acc@contoso.example"}})
	if err != nil {
		t.Fatal(err)
	}
	heard(accounts, false)
	// Changed in place: its ID stays; its own name in another case is
	// no conflict.
	sales.Name = "SALES TEAM"
	sales.Options = apitype.ScanOptions{}
	if sales, err = r.dev.PutQuickSet(sales); err != nil || sales.ID != want.ID {
		t.Fatalf("change: %+v %v", sales, err)
	}
	heard(sales, false)

	r.reopen()
	w = r.dev.Watch()
	defer w.Close()
	w.Next(ctx)
	l, err := r.dev.QuickSets()
	if err != nil || len(l.QuickSets) != 2 || l.QuickSets[0].Name != "accounts" || fmt.Sprint(l.QuickSets[1]) != fmt.Sprint(sales) {
		t.Fatalf("after a restart: %+v %v", l, err)
	}
	if _, err := r.dev.DeleteQuickSet(accounts.ID); err != nil {
		t.Fatal(err)
	}
	heard(accounts, true)
	if _, err := r.dev.DeleteQuickSet(accounts.ID); CodeOf(err) != apitype.CodeNoQuickSet {
		t.Errorf("deleted twice: %v", err)
	}
	for i := 1; i < maxQuickSets; i++ {
		if _, err := r.dev.PutQuickSet(apitype.QuickSet{Name: fmt.Sprintf("Set %03d", i), To: []string{"a@contoso.example"}}); err != nil {
			t.Fatalf("Quick Set %d: %v", i+1, err)
		}
	}
	_, err = r.dev.PutQuickSet(apitype.QuickSet{Name: "One more", To: []string{"a@contoso.example"}})
	if summary, _ := Explain(err); !strings.Contains(summary, "as many Quick Sets") {
		t.Errorf("the 101st: %v", err)
	}
	// A new ID is never an old one's.
	if l, _ := r.dev.QuickSets(); hasQuickSet(l, accounts.ID) {
		t.Errorf("the deleted ID %s was given again", accounts.ID)
	}
}

func hasQuickSet(l apitype.QuickSetList, id string) bool {
	for _, q := range l.QuickSets {
		if q.ID == id {
			return true
		}
	}
	return false
}
