package localapi_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

func bookFile(n int, bad int) []byte {
	var b bytes.Buffer
	b.WriteString("name,address,favourite,groups\n")
	for i := range n {
		at := "@"
		if i == bad {
			at = " at "
		}
		fmt.Fprintf(&b, "Person %04d,person%04d%scontoso.example,%v,team%d\n", i, i, at, i%7 == 0, i%3)
	}
	return b.Bytes()
}

// TestBookOverSocket: the address book through the local API as the CLI,
// the panel and the web page use it: a 5,000-row import with a bad row
// imports nothing and names the line, the good one imports, searches
// answer, and the export imported into a fresh state file gives the same
// book.
func TestBookOverSocket(t *testing.T) {
	c := serve(t)
	ctx := context.Background()

	rep, err := c.ImportBook(ctx, bookFile(5000, 4321), false)
	if err != nil || len(rep.Errors) != 1 || rep.Errors[0].Line != 4323 {
		t.Fatalf("import with a bad row: %+v, %v", rep, err)
	}
	if l, err := c.Book(ctx, "", 1); err != nil || l.Matches != 0 {
		t.Fatalf("after a bad import: %+v, %v", l, err)
	}
	if rep, err := c.ImportBook(ctx, bookFile(5000, -1), true); err != nil || rep.Added != 5000 || !rep.DryRun {
		t.Fatalf("dry run: %+v, %v", rep, err)
	}
	if l, _ := c.Book(ctx, "", 1); l.Matches != 0 {
		t.Fatalf("a dry run imported %d entries", l.Matches)
	}
	if rep, err := c.ImportBook(ctx, bookFile(5000, -1), false); err != nil || rep.Added != 5000 {
		t.Fatalf("good import: %+v, %v", rep, err)
	}

	l, err := c.Book(ctx, "PERSON 012", 3)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range l.Entries {
		names = append(names, e.Name)
	}
	// 0120 to 0129 match; the favourites (multiples of 7) come first.
	if want := []string{"Person 0126", "Person 0120", "Person 0121"}; l.Matches != 10 || !slices.Equal(names, want) {
		t.Fatalf("search: %d matches, %q, want 10, %q", l.Matches, names, want)
	}

	e, err := c.PutBookEntry(ctx, apitype.BookEntry{Name: "Zoë", Address: "zoe@contoso.example", Groups: []string{"board"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBookEntry(ctx, apitype.BookEntry{Name: "Bad", Address: "bad"}); !isBadRequest(err) {
		t.Errorf("bad address: %v, want a 400", err)
	}
	if _, err := c.DeleteBookEntry(ctx, "12345678"); localclient.ErrorCode(err) != apitype.CodeNoEntry {
		t.Errorf("unknown entry: %v, want %s", err, apitype.CodeNoEntry)
	}
	if _, err := c.Book(ctx, "", 5000); !isBadRequest(err) {
		t.Errorf("limit 5000: %v, want a 400", err)
	}

	var csv, vcard bytes.Buffer
	if err := c.ExportBook(ctx, &csv, apitype.BookCSV); err != nil {
		t.Fatal(err)
	}
	if err := c.ExportBook(ctx, &vcard, apitype.BookVCard); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(vcard.String(), "BEGIN:VCARD\r\n"); n != 5001 || !strings.Contains(vcard.String(), "FN:Zoë\r\n") {
		t.Errorf("vCard export: %d cards", n)
	}
	if err := c.ExportBook(ctx, &vcard, "ldif"); !isBadRequest(err) {
		t.Errorf("format ldif: %v, want a 400", err)
	}

	fresh := serve(t)
	if rep, err := fresh.ImportBook(ctx, csv.Bytes(), false); err != nil || rep.Added != 5001 || len(rep.Errors) != 0 {
		t.Fatalf("import of the export: %+v, %v", rep, err)
	}
	// The export is in the book's order, which IDs do not change (the
	// address is unique): the same book exports the same bytes.
	var again bytes.Buffer
	if err := fresh.ExportBook(ctx, &again, apitype.BookCSV); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(csv.Bytes(), again.Bytes()) || strings.Count(again.String(), "\n") != 5002 {
		t.Fatalf("the fresh state file's export differs: %d and %d bytes", csv.Len(), again.Len())
	}

	if _, err := c.DeleteBookEntry(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if l, _ := c.Book(ctx, "zoë", 5); len(l.Entries) != 0 {
		t.Errorf("deleted entry still found: %+v", l.Entries)
	}
}

// TestBookImportTooLarge: a file over the bound is refused whole, in the
// request or by the device.
func TestBookImportTooLarge(t *testing.T) {
	c := serve(t)
	for _, size := range []int{1<<20 + 1, 5 << 20} {
		_, err := c.ImportBook(context.Background(), bytes.Repeat([]byte("a"), size), false)
		var le *localclient.Error
		if !errors.As(err, &le) || le.Status != http.StatusRequestEntityTooLarge || le.Code != apitype.CodeTooLarge {
			t.Errorf("%d bytes: %v, want a 413, %s", size, err, apitype.CodeTooLarge)
		}
	}
}

func isBadRequest(err error) bool {
	var le *localclient.Error
	return errors.As(err, &le) && le.Status == http.StatusBadRequest
}
