package device

import (
	"encoding/json"
	"strings"
	"testing"

	"scanmail/device/apitype"
)

// TestQuickSetExportImport: an export carries the Quick Sets with their
// entries named by address; another device, which numbers its entries
// otherwise, imports them by name (a dry run first), in one transaction
// with the settings and the address book; a Quick Set whose entry is in
// neither book refuses the whole import.
func TestQuickSetExportImport(t *testing.T) {
	a := newBookDevice(t)
	put := func(dev *Device, e apitype.BookEntry) apitype.BookEntry {
		t.Helper()
		e, err := dev.PutBookEntry(e)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	putQS := func(dev *Device, q apitype.QuickSet) apitype.QuickSet {
		t.Helper()
		q, err := dev.PutQuickSet(q)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	ann := put(a, apitype.BookEntry{Name: "Ann", Address: "ann@contoso.example", Groups: []string{"sales"}})
	bob := put(a, apitype.BookEntry{Name: "Bob", Address: "bob@contoso.example"})
	carl := put(a, apitype.BookEntry{Name: "Carl", Address: "carl@contoso.example"})
	putQS(a, apitype.QuickSet{Name: "Sales", To: []string{"x@contoso.example"}, Entries: []string{ann.ID}, Groups: []string{"sales"}, Options: apitype.ScanOptions{DPI: 200, Duplex: true}})
	putQS(a, apitype.QuickSet{Name: "Bob", Entries: []string{bob.ID}})
	putQS(a, apitype.QuickSet{Name: "Carl", Entries: []string{carl.ID}})
	if _, err := a.DeleteBookEntry(carl.ID); err != nil {
		t.Fatal(err)
	}
	exp, err := a.ExportConfig()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(exp.QuickSets)
	if want := `[{"name":"Bob","entries":["bob@contoso.example"]},{"name":"Sales","to":["x@contoso.example"],"entries":["ann@contoso.example"],"groups":["sales"],"options":{"dpi":200,"duplex":true}}]`; string(data) != want {
		t.Fatalf("exported:\n%s\nwant\n%s", data, want)
	}

	b := newBookDevice(t)
	put(b, apitype.BookEntry{Name: "Zed", Address: "zed@contoso.example"}) // B's entry 1
	old := putQS(b, apitype.QuickSet{Name: "SALES", To: []string{"old@contoso.example"}})
	rep, err := b.ImportConfig(exp, true)
	if err != nil || rep.QuickSets != (apitype.QuickSetImport{Added: 1, Changed: 1}) {
		t.Fatalf("dry run: %+v %v", rep.QuickSets, err)
	}
	if l, _ := b.QuickSets(); len(l.QuickSets) != 1 {
		t.Fatalf("a dry run stored Quick Sets: %+v", l)
	}
	if rep, err = b.ImportConfig(exp, false); err != nil || rep.QuickSets != (apitype.QuickSetImport{Added: 1, Changed: 1}) {
		t.Fatalf("import: %+v %v", rep.QuickSets, err)
	}
	l, err := b.QuickSets()
	if err != nil || len(l.QuickSets) != 2 {
		t.Fatalf("after the import: %+v %v", l, err)
	}
	bookB := b.Book("", 10)
	idOf := func(addr string) string {
		for _, e := range bookB.Entries {
			if e.Address == addr {
				return e.ID
			}
		}
		t.Fatalf("%s not in B's book", addr)
		return ""
	}
	gotBob, gotSales := l.QuickSets[0], l.QuickSets[1]
	if gotBob.Name != "Bob" || len(gotBob.Entries) != 1 || gotBob.Entries[0] != idOf("bob@contoso.example") || gotBob.Entries[0] == bob.ID {
		t.Errorf("Bob imported as %+v; B's entry for bob is %s", gotBob, idOf("bob@contoso.example"))
	}
	if gotSales.ID != old.ID || gotSales.Name != "Sales" || gotSales.Entries[0] != idOf("ann@contoso.example") || gotSales.Options.DPI != 200 || !gotSales.Options.Duplex {
		t.Errorf("Sales imported as %+v, want the ID %s kept and A's content", gotSales, old.ID)
	}
	if rep, err = b.ImportConfig(exp, false); err != nil || rep.QuickSets != (apitype.QuickSetImport{Unchanged: 2}) {
		t.Fatalf("again: %+v %v", rep.QuickSets, err)
	}
	// 2-sided or not is the Quick Set's content: 1-sided, it changes.
	oneSided := exp
	oneSided.QuickSets = []apitype.QuickSet{exp.QuickSets[1]}
	oneSided.QuickSets[0].Options.Duplex = false
	if rep, err = b.ImportConfig(oneSided, false); err != nil || rep.QuickSets != (apitype.QuickSetImport{Changed: 1}) {
		t.Fatalf("1-sided: %+v %v", rep.QuickSets, err)
	}
	if l, _ := b.QuickSets(); l.QuickSets[1].Name != "Sales" || l.QuickSets[1].Options.Duplex {
		t.Errorf("imported 1-sided: %+v", l.QuickSets[1])
	}

	// An entry in neither book: nothing is imported, settings neither.
	bad := exp
	bad.Settings = map[string]string{"subject": "Changed"}
	bad.QuickSets = []apitype.QuickSet{{Name: "Dora", Entries: []string{"dora@contoso.example"}}}
	_, err = b.ImportConfig(bad, false)
	if summary, _ := Explain(err); CodeOf(err) != apitype.CodeInvalidRequest || !strings.Contains(summary, "dora@contoso.example is not in the address book") {
		t.Fatalf("an unknown entry: %v", err)
	}
	if s, _ := b.store.Settings(); s.Subject == "Changed" {
		t.Error("a refused import changed a setting")
	}
	bad.QuickSets = []apitype.QuickSet{{Name: "Dup", To: []string{"a@contoso.example"}}, {Name: "dup", To: []string{"b@contoso.example"}}}
	if _, err := b.ImportConfig(bad, true); CodeOf(err) != apitype.CodeInvalidRequest {
		t.Fatalf("two of a name: %v", err)
	}
}

// TestQuickSetEmptiedGroupExport: a group that lost its last member since
// a Quick Set named it is left out of the export, so that the device (or
// another) takes its own export back.
func TestQuickSetEmptiedGroupExport(t *testing.T) {
	a := newBookDevice(t)
	ann, err := a.PutBookEntry(apitype.BookEntry{Name: "Ann", Address: "ann@contoso.example", Groups: []string{"sales"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []apitype.QuickSet{
		{Name: "Sales and me", To: []string{"me@contoso.example"}, Groups: []string{"sales"}},
		{Name: "Sales", Groups: []string{"sales"}},
	} {
		if _, err := a.PutQuickSet(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.DeleteBookEntry(ann.ID); err != nil {
		t.Fatal(err)
	}
	exp, err := a.ExportConfig()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(exp.QuickSets)
	if want := `[{"name":"Sales and me","to":["me@contoso.example"]}]`; string(data) != want {
		t.Errorf("exported:\n%s\nwant\n%s", data, want)
	}
	if _, err := a.ImportConfig(exp, false); err != nil {
		t.Errorf("the device refuses its own export: %v", err)
	}
}
