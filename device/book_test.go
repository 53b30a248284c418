package device

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
	"scanmail/scan/scansim"
)

// newBookDevice is a device on a fresh state file, for the address book,
// which needs no sign-in.
func newBookDevice(t testing.TB) *Device {
	t.Helper()
	dir := t.TempDir()
	st, err := OpenStore(filepath.Join(dir, "scanmail.db"))
	if err != nil {
		t.Fatal(err)
	}
	dev, err := New(Config{Store: st, Scanner: &scansim.Scanner{}, SpoolDir: filepath.Join(dir, "spool")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		dev.Close()
		st.Close()
	})
	return dev
}

// bookCSV is a CSV file of n entries: person<i>, every tenth a favourite,
// every entry in a group by i mod 3.
func bookCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("name,address,favourite,groups\n")
	for i := range n {
		fav := "no"
		if i%10 == 0 {
			fav = "yes"
		}
		fmt.Fprintf(&b, "Person %04d,person%04d@contoso.example,%s,team%d;all\n", i, i, fav, i%3)
	}
	return b.Bytes()
}

func importCSV(t testing.TB, dev *Device, data []byte, dryRun bool) apitype.BookImport {
	t.Helper()
	rep, err := dev.ImportBook(data, dryRun)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return rep
}

// TestBookImport5000: 5,000 rows with one bad row import nothing and name
// the row's line; the good file then imports whole; a dry run changes
// nothing; importing the same file again changes nothing.
func TestBookImport5000(t *testing.T) {
	t.Parallel()
	dev := newBookDevice(t)
	good := bookCSV(5000)
	// Line 2502 is the 2,501st row, after the header.
	bad := bytes.Replace(good, []byte("person2500@contoso.example"), []byte("person2500@@contoso.example"), 1)
	rep := importCSV(t, dev, bad, false)
	if len(rep.Errors) != 1 || rep.Errors[0].Line != 2502 || !strings.Contains(rep.Errors[0].Error, "person2500@@contoso.example") {
		t.Fatalf("bad import: %+v, want one error on line 2502", rep)
	}
	if l := dev.Book("", 10); l.Matches != 0 {
		t.Fatalf("a bad import left %d entries", l.Matches)
	}

	rep = importCSV(t, dev, good, true)
	if rep.Added != 5000 || !rep.DryRun || dev.Book("", 1).Matches != 0 {
		t.Fatalf("dry run %+v; book has %d entries", rep, dev.Book("", 1).Matches)
	}
	rep = importCSV(t, dev, good, false)
	if rep.Added != 5000 || rep.Changed != 0 || len(rep.Errors) != 0 {
		t.Fatalf("good import: %+v", rep)
	}
	if l := dev.Book("", 10); l.Matches != 5000 || !slices.Equal(l.Groups, []string{"all", "team0", "team1", "team2"}) {
		t.Fatalf("book after import: %d entries, groups %q", l.Matches, l.Groups)
	}

	changed := bytes.Replace(good, []byte("Person 0007"), []byte("Person Seven"), 1)
	rep = importCSV(t, dev, changed, false)
	if rep.Added != 0 || rep.Changed != 1 || rep.Unchanged != 4999 {
		t.Fatalf("second import: %+v", rep)
	}
	if l := dev.Book("seven", 10); len(l.Entries) != 1 || l.Entries[0].Address != "person0007@contoso.example" {
		t.Fatalf("changed entry: %+v", l)
	}
}

// TestBookImportErrors: every bad row is named by its line, whatever is
// wrong with it, and nothing is imported.
func TestBookImportErrors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", maxBookName+1)
	tests := []struct {
		name string
		csv  string
		want []string // "line: words of the error"
	}{
		{"empty", "", []string{"1: header"}},
		{"no address column", "name,email\nA,a@x.example\n", []string{`1: unknown column "email"`, "1: name and address"}},
		{"column twice", "name,address,name\n", []string{"1: twice"}},
		{"semicolons", "name;address\nA;a@x.example\n", []string{"1: not separated by commas", "1: name and address"}},
		{"field count", "name,address\nA,a@x.example,extra\nB\n", []string{"2: 3 fields", "3: 1 fields"}},
		{"bad favourite", "name,address,favourite\nA,a@x.example,maybe\n", []string{`2: "maybe"`}},
		{"empty name", "name,address\n ,a@x.example\n", []string{"2: name is empty"}},
		{"display name in address", "name,address\nA,A <a@x.example>\n", []string{"2: not a plain"}},
		{"control character", "name,address\n\"A\x07\",a@x.example\n", []string{"2: control"}},
		{"long name", "name,address\n" + long + ",a@x.example\n", []string{"2: longer than 128"}},
		{"not UTF-8", "name,address\nA\xff,a@x.example\n", []string{"2: UTF-8"}},
		{"same address twice", "name,address\nA,a@x.example\nB,A@X.example\n", []string{"3: already on line 2"}},
		{"bare quote, then a good row, then a bad one", "name,address\nA\"b,a@x.example\nB,b@x.example\nC,c\n", []string{"2: bare", "4: c"}},
		{"quoted field over two lines", "name,address\n\"A\nB\",a@x.example\nC,c\n", []string{"2: control", "4: c"}},
		{"too many rows", "name,address\n" + strings.Repeat("A,a@x.example\n", maxBookRows+1), nil}, // checked below
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dev := newBookDevice(t)
			rep := importCSV(t, dev, []byte(tt.csv), false)
			if tt.want == nil {
				// Repeated addresses are named too: only the bound
				// on rows, last, matters here.
				if n := len(rep.Errors); n == 0 || rep.MoreErrors == 0 || rep.Errors[0].Line != 3 {
					t.Errorf("errors %+v", rep.Errors[:min(3, n)])
				}
			}
			var got []string
			for _, e := range rep.Errors {
				got = append(got, fmt.Sprintf("%d: %s", e.Line, e.Error))
			}
			for i, w := range tt.want {
				line, words, _ := strings.Cut(w, ": ")
				if i >= len(got) || !strings.HasPrefix(got[i], line+": ") || !strings.Contains(got[i], words) {
					t.Errorf("errors %q, want %q", got, tt.want)
					break
				}
			}
			if len(tt.want) > 0 && len(got) != len(tt.want) {
				t.Errorf("errors %q, want %q", got, tt.want)
			}
			if n := dev.Book("", 1).Matches; n != 0 {
				t.Errorf("%d entries imported", n)
			}
		})
	}
}

// TestBookImportLimits: a file too large is refused whole; a BOM is not
// part of the first column's name; the row bound names the line past it.
func TestBookImportLimits(t *testing.T) {
	t.Parallel()
	dev := newBookDevice(t)
	huge := append([]byte("name,address\n"), bytes.Repeat([]byte("A,a@x.example\n"), maxBookCSV/14+1)...)
	if _, err := dev.ImportBook(huge, false); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Errorf("%d bytes: %v, want refused", len(huge), err)
	}

	rep := importCSV(t, dev, []byte("\uFEFFName,Address\nA,a@x.example\n"), false)
	if rep.Added != 1 || len(rep.Errors) != 0 {
		t.Errorf("with a BOM: %+v", rep)
	}

	many := bookCSV(maxBookRows + 1)
	rep = importCSV(t, dev, many, false)
	if len(rep.Errors) != 1 || rep.Errors[0].Line != maxBookRows+2 || !strings.Contains(rep.Errors[0].Error, "more than") {
		t.Errorf("%d rows: %+v", maxBookRows+1, rep)
	}
	// The book itself is bounded too.
	rep, err := dev.ImportBook(bookCSV(maxBookRows), false)
	if err == nil || !strings.Contains(err.Error(), "would hold") {
		t.Errorf("%d more entries: %+v, %v", maxBookRows, rep, err)
	}
}

func TestBookSearch(t *testing.T) {
	t.Parallel()
	dev := newBookDevice(t)
	importCSV(t, dev, []byte(`name,address,favourite,groups
Bob Smith,bob.smith@contoso.example,no,sales
Alice Jones,alice@fabrikam.example,no,
Zoë O'Brien,zoe@contoso.example,yes,sales;board
Bobby Tables,tables@school.example,no,
Émile Zola,emile@lit.example,no,
`), false)
	tests := []struct {
		q     string
		limit int
		want  []string // names, in order
	}{
		{"bob", 10, []string{"Bob Smith", "Bobby Tables"}},
		{"BOB", 10, []string{"Bob Smith", "Bobby Tables"}},
		{"smi", 10, []string{"Bob Smith"}},
		{"bob.sm", 10, []string{"Bob Smith"}},
		{"contoso", 10, []string{"Zoë O'Brien", "Bob Smith"}}, // the favourite first
		{"zo", 10, []string{"Zoë O'Brien", "Émile Zola"}},
		{"brien", 10, []string{"Zoë O'Brien"}},
		{"o'b", 10, []string{"Zoë O'Brien"}},
		{"émile", 10, []string{"Émile Zola"}},
		{"ÉMILE", 10, []string{"Émile Zola"}},
		{"bob tab", 10, []string{"Bobby Tables"}},
		{"tab bob", 10, []string{"Bobby Tables"}},
		{"bob x", 10, nil},
		{"mith", 10, nil}, // prefixes, not substrings
		{"", 10, []string{"Zoë O'Brien", "Alice Jones", "Bob Smith", "Bobby Tables", "Émile Zola"}},
		{"", 2, []string{"Zoë O'Brien", "Alice Jones"}},
	}
	for _, tt := range tests {
		l := dev.Book(tt.q, tt.limit)
		var got []string
		for _, e := range l.Entries {
			got = append(got, e.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("search %q (limit %d): %q, want %q", tt.q, tt.limit, got, tt.want)
		}
		if tt.q == "" && l.Matches != 5 {
			t.Errorf("search %q: %d matches, want 5", tt.q, l.Matches)
		}
	}
}

// TestBookPutDelete: entries are created, changed and deleted through the
// device, one per address, and are there after a restart.
func TestBookPutDelete(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "scanmail.db")
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := New(Config{Store: st, Scanner: &scansim.Scanner{}, SpoolDir: filepath.Join(filepath.Dir(path), "spool")})
	if err != nil {
		t.Fatal(err)
	}
	a, err := dev.PutBookEntry(apitype.BookEntry{Name: " Alice ", Address: "alice@x.example", Groups: []string{"b", "a", "B", " "}})
	if err != nil || a.ID == "" || a.Name != "Alice" || !slices.Equal(a.Groups, []string{"a", "b"}) {
		t.Fatalf("create: %+v, %v", a, err)
	}
	if _, err := dev.PutBookEntry(apitype.BookEntry{Name: "Other", Address: "ALICE@x.example"}); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("same address again: %v", err)
	}
	b, err := dev.PutBookEntry(apitype.BookEntry{Name: "Bob", Address: "bob@x.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dev.PutBookEntry(apitype.BookEntry{ID: b.ID, Name: "Bob", Address: "alice@x.example"}); err == nil {
		t.Error("an entry changed to another's address")
	}
	a.Favourite, a.Name = true, "Alice A."
	if got, err := dev.PutBookEntry(a); err != nil || got.ID != a.ID || !got.Favourite {
		t.Errorf("update: %+v, %v", got, err)
	}
	if _, err := dev.PutBookEntry(apitype.BookEntry{ID: "999", Name: "X", Address: "x@x.example"}); err == nil {
		t.Error("update of an unknown entry accepted")
	}
	if _, err := dev.DeleteBookEntry(b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.DeleteBookEntry(b.ID); err == nil {
		t.Error("deleted twice")
	}
	dev.Close()
	st.Close()

	st, err = OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dev, err = New(Config{Store: st, Scanner: &scansim.Scanner{}, SpoolDir: filepath.Join(filepath.Dir(path), "spool")})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	l := dev.Book("", 10)
	if len(l.Entries) != 1 || l.Entries[0].ID != a.ID || l.Entries[0].Name != "Alice A." || !l.Entries[0].Favourite {
		t.Fatalf("after a restart: %+v", l.Entries)
	}
	// The next entry gets a new ID, never a deleted one's.
	c, err := dev.PutBookEntry(apitype.BookEntry{Name: "Carol", Address: "bob@x.example"})
	if err != nil || c.ID == b.ID || c.ID == a.ID {
		t.Errorf("new entry %+v (%v) after %s and %s", c, err, a.ID, b.ID)
	}
}

// TestBookExportImport: the CSV export imported into a fresh state file
// gives the same book.
func TestBookExportImport(t *testing.T) {
	t.Parallel()
	src := newBookDevice(t)
	importCSV(t, src, bookCSV(300), false)
	for _, e := range []apitype.BookEntry{
		{Name: `Smith, "Bob"`, Address: "bob@x.example", Groups: []string{"a,b", "c d"}},
		{Name: "Zoë; O'Brien", Address: "zoe@x.example", Favourite: true},
		{Name: "=1+2", Address: "formula@x.example"},
	} {
		if _, err := src.PutBookEntry(e); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := src.ExportBook(&out, apitype.BookCSV); err != nil {
		t.Fatal(err)
	}
	dst := newBookDevice(t)
	rep := importCSV(t, dst, out.Bytes(), false)
	if rep.Added != 303 || len(rep.Errors) != 0 {
		t.Fatalf("import of the export: %+v", rep)
	}
	if a, b := bookSet(src), bookSet(dst); !slices.Equal(a, b) {
		t.Fatalf("books differ:\n%q\n%q", a[:5], b[:5])
	}
}

// bookSet is the book without its IDs, sorted.
func bookSet(dev *Device) []string {
	var set []string
	for _, e := range dev.Book("", maxBookEntries).Entries {
		set = append(set, fmt.Sprintf("%s|%s|%v|%q", e.Name, e.Address, e.Favourite, e.Groups))
	}
	slices.Sort(set)
	return set
}

func TestBookVCard(t *testing.T) {
	t.Parallel()
	dev := newBookDevice(t)
	longName := strings.Repeat("Ünïcødé ", 9) + "Family"
	for _, e := range []apitype.BookEntry{
		{Name: `Bob "B" Smith, Jr.`, Address: "bob@x.example", Groups: []string{"a,b", `c\d`}},
		{Name: longName, Address: "long@x.example"},
	} {
		if _, err := dev.PutBookEntry(e); err != nil {
			t.Fatal(err)
		}
	}
	// The semicolon separates groups in CSV, so it is refused in one.
	if _, err := dev.PutBookEntry(apitype.BookEntry{Name: "B", Address: "b2@x.example", Groups: []string{"e;f"}}); err == nil {
		t.Error("a group with a semicolon accepted")
	}
	var out bytes.Buffer
	if err := dev.ExportBook(&out, apitype.BookVCard); err != nil {
		t.Fatal(err)
	}
	raw := out.String()
	if strings.Contains(strings.ReplaceAll(raw, "\r\n", ""), "\n") || !strings.HasSuffix(raw, "\r\n") {
		t.Fatalf("not CRLF lines:\n%q", raw)
	}
	for _, l := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
	}
	unfolded := strings.Split(strings.ReplaceAll(strings.TrimSuffix(raw, "\r\n"), "\r\n ", ""), "\r\n")
	want := []string{
		"BEGIN:VCARD",
		"VERSION:3.0",
		`FN:Bob "B" Smith\, Jr.`,
		`N:Jr.;Bob "B" Smith\,;;;`,
		"EMAIL;TYPE=INTERNET:bob@x.example",
		`CATEGORIES:a\,b,c\\d`,
		"END:VCARD",
		"BEGIN:VCARD",
		"VERSION:3.0",
		"FN:" + longName,
		"N:Family;" + strings.TrimSpace(strings.Repeat("Ünïcødé ", 9)) + ";;;",
		"EMAIL;TYPE=INTERNET:long@x.example",
		"END:VCARD",
	}
	if !slices.Equal(unfolded, want) {
		t.Errorf("unfolded cards:\n%q\nwant\n%q", unfolded, want)
	}
	if err := dev.ExportBook(&out, "ldif"); err == nil {
		t.Error("unknown format accepted")
	}
}

// TestScanToBook: a scan goes to address book entries and groups, each
// address once; an unknown entry or an empty group is refused before
// anything is scanned.
func TestScanToBook(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	r.configure(map[string]string{"device_address": testUPN})
	r.signedIn(testUPN)
	importCSV(t, r.dev, []byte(`name,address,groups
A,a@fabrikam.example,sales
B,b@fabrikam.example,sales;board
C,c@fabrikam.example,board
`), false)
	c := r.dev.Book("c@", 1).Entries[0]

	for _, req := range []apitype.ScanRequest{
		{Entries: []string{"999"}, Pages: 1},
		{Groups: []string{"nobody"}, Pages: 1},
		{Entries: []string{"x"}, Pages: 1},
	} {
		if _, err := r.dev.Scan(context.Background(), req, nil); err == nil {
			t.Errorf("scan %+v accepted", req)
		}
	}
	if jobs, _ := r.dev.Jobs(10); len(jobs) != 0 {
		t.Fatalf("refused scans left jobs: %+v", jobs)
	}

	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{
		To: []string{"B@fabrikam.example"}, Groups: []string{"SALES"}, Entries: []string{c.ID}, Pages: 1,
	}, nil)
	if err != nil || job.State != apitype.JobSent {
		t.Fatalf("scan: %+v, %v", job, err)
	}
	// Those given first, then entries, then groups.
	want := []string{"B@fabrikam.example", "c@fabrikam.example", "a@fabrikam.example"}
	msgs := r.mail.Messages()
	if len(msgs) != 1 || !slices.Equal(msgs[0].To, want) || !slices.Equal(job.To, want) {
		t.Fatalf("%d messages, the first to %q (job %q), want one to %q", len(msgs), msgs[0].To, job.To, want)
	}
}

// BenchmarkBookChange: storing one entry in a book of 5,000, which builds
// the search index again.
func BenchmarkBookChange(b *testing.B) {
	dev := newBookDevice(b)
	importCSV(b, dev, bookCSV(5000), false)
	e := dev.Book("person0123@contoso.example", 1).Entries[0]
	for b.Loop() {
		e.Favourite = !e.Favourite
		if _, err := dev.PutBookEntry(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBookSearch: a search in a book of 5,000 entries, as the panel
// makes on every key.
func BenchmarkBookSearch(b *testing.B) {
	dev := newBookDevice(b)
	importCSV(b, dev, bookCSV(5000), false)
	for _, q := range []string{"p", "person01", "person0123@contoso.example", "person01 contoso", "nobody"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				dev.Book(q, 20)
			}
		})
	}
}

// TestBookUnreadableRecord: an entry the state file cannot give back is
// left out; the rest of the book, and the daemon, go on.
func TestBookUnreadableRecord(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "scanmail.db")
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"a@x.example", "b@x.example"} {
		if _, err := st.putBookEntry(bookRecord{Name: "N", Address: addr}); err != nil {
			t.Fatal(err)
		}
	}
	st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketBook).Put(jobKey(1), []byte("{not json")) })
	st.Close()

	st, err = OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs, n := st.bookIndex().search("", 10)
	if n != 1 || recs[0].Address != "b@x.example" || st.book.unreadable != 1 {
		t.Fatalf("book %+v, %d unreadable", recs, st.book.unreadable)
	}
}

// TestBookSearchWhileChanging: searches run beside changes (for the race
// detector).
func TestBookSearchWhileChanging(t *testing.T) {
	t.Parallel()
	dev := newBookDevice(t)
	importCSV(t, dev, bookCSV(200), false)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			dev.PutBookEntry(apitype.BookEntry{Name: fmt.Sprint("New ", i), Address: fmt.Sprintf("new%d@x.example", i)})
		}
	}()
	for {
		select {
		case <-done:
			if n := dev.Book("new", 100).Matches; n != 50 {
				t.Fatalf("%d new entries found", n)
			}
			return
		default:
			dev.Book("person 01", 20)
		}
	}
}

// TestBookIndexIncremental: the index a change builds from the one before
// is the index built from scratch.
func TestBookIndexIncremental(t *testing.T) {
	t.Parallel()
	st, err := OpenStore(filepath.Join(t.TempDir(), "scanmail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rnd := rand.New(rand.NewPCG(1, 2))
	names := []string{"Ann Lee", "ann", "Bob O'Neil", "Zoë", "Émile Zola", "Lee Ann"}
	for i := range 300 {
		r := bookRecord{
			Name:      names[rnd.IntN(len(names))],
			Address:   fmt.Sprintf("u%d@d%d.example", rnd.IntN(40), rnd.IntN(3)),
			Favourite: rnd.IntN(4) == 0,
		}
		ix := st.bookIndex()
		switch op := rnd.IntN(4); {
		case op == 0 && len(ix.entries) > 0:
			_, err = st.deleteBookEntry(ix.entries[rnd.IntN(len(ix.entries))].ID)
		case op == 1 && len(ix.entries) > 0:
			r.ID = ix.entries[rnd.IntN(len(ix.entries))].ID
			_, err = st.putBookEntry(r)
		case op == 2:
			_, err = st.mergeBook([]bookRecord{r, {Name: "M", Address: fmt.Sprintf("m%d@x.example", i%7)}}, false)
		default:
			_, err = st.putBookEntry(r)
		}
		if err != nil && !strings.Contains(err.Error(), "already") {
			t.Fatal(err)
		}
		got := st.bookIndex()
		want := newBookIndex(got.entries, nil)
		if !slices.EqualFunc(got.entries, want.entries, func(a, b bookRecord) bool { return a.ID == b.ID && a.same(b) }) {
			t.Fatalf("step %d: entries differ", i)
		}
		if !slices.IsSortedFunc(got.keys, func(a, b bookKey) int { return strings.Compare(a.key, b.key) }) {
			t.Fatalf("step %d: keys not sorted", i)
		}
		if !slices.Equal(keyStrings(got), keyStrings(want)) {
			t.Fatalf("step %d: keys\n%q\nwant\n%q", i, keyStrings(got), keyStrings(want))
		}
	}
}

// keyStrings are an index's keys with the address of their entry, sorted:
// the order of entries within one key does not matter to a search.
func keyStrings(ix *bookIndex) []string {
	var out []string
	for _, k := range ix.keys {
		out = append(out, k.key+" "+ix.entries[k.pos].Address)
	}
	slices.Sort(out)
	return out
}

// TestBookWatched: a change of the address book, one entry or an import,
// reaches the device's watchers, so that a panel and a web page showing
// the book show the same.
func TestBookWatched(t *testing.T) {
	t.Parallel()
	dev := newBookDevice(t)
	w := dev.watchQueued(16)
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if n, err := w.Next(ctx); err != nil || n.Kind != apitype.NotifySnapshot {
		t.Fatalf("first: %+v, %v", n, err)
	}
	next := func() apitype.Notify {
		t.Helper()
		for {
			n, err := w.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n.Kind != apitype.NotifyStatus {
				return n
			}
		}
	}
	e, err := dev.PutBookEntry(apitype.BookEntry{Name: "Reception", Address: "reception@contoso.example"})
	if err != nil {
		t.Fatal(err)
	}
	if n := next(); n.Kind != apitype.NotifyBook || n.Book == nil || n.Book.ID != e.ID {
		t.Errorf("after a put: %+v", n)
	}
	if _, err := dev.ImportBook([]byte("name,address\nSales,sales@contoso.example\n"), false); err != nil {
		t.Fatal(err)
	}
	if n := next(); n.Kind != apitype.NotifyBook || n.Book != nil {
		t.Errorf("after an import: %+v", n)
	}
	if _, err := dev.DeleteBookEntry(e.ID); err != nil {
		t.Fatal(err)
	}
	if n := next(); n.Kind != apitype.NotifyBook || n.Book == nil || n.Book.Address != e.Address {
		t.Errorf("after a delete: %+v", n)
	}
}
