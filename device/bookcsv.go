package device

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"scanmail/device/apitype"
)

// Bounds of an address book import, so that a hostile file cannot exhaust
// the board: the file is read whole, and a reply names every bad row.
const (
	maxBookCSV        = 1 << 20 // bytes
	maxBookRows       = maxBookEntries
	maxBookRowsErrors = 100 // bad rows named in a reply; the rest are counted
)

// bookColumns are the columns of the CSV format, in the order export
// writes them. name and address are required on import.
var bookColumns = []string{"name", "address", "favourite", "groups"}

// ImportBook reads CSV with a header row and merges its rows into the
// address book by address: a new address adds an entry, a known one
// changes that entry, and no entry is deleted. Any bad row and nothing is
// imported: the reply names every bad row by its line. A dry run reports
// what the import would do and changes nothing.
func (d *Device) ImportBook(data []byte, dryRun bool) (apitype.BookImport, error) {
	rep := apitype.BookImport{DryRun: dryRun}
	if len(data) > maxBookCSV {
		return rep, &Error{Summary: fmt.Sprintf("The file is larger than %d KiB", maxBookCSV>>10), Hint: "Import it in several files.", Code: apitype.CodeTooLarge}
	}
	recs, bad := readBookCSV(data)
	for i, e := range bad {
		if i == maxBookRowsErrors {
			rep.MoreErrors = len(bad) - i
			break
		}
		rep.Errors = append(rep.Errors, e)
	}
	if len(bad) > 0 {
		return rep, nil
	}
	m, err := d.store.mergeBook(recs, dryRun)
	if err != nil {
		return rep, err
	}
	rep.Added, rep.Changed, rep.Unchanged = m.added, m.changed, m.unchanged
	if !dryRun {
		d.log.Info("address book imported", "added", m.added, "changed", m.changed, "unchanged", m.unchanged)
		if m.added+m.changed > 0 {
			d.publish(apitype.Notify{Kind: apitype.NotifyBook})
		}
	}
	return rep, nil
}

// readBookCSV reads the rows of an import, and every bad one with its line.
func readBookCSV(data []byte) ([]bookRecord, []apitype.BookRowError) {
	var bad []apitype.BookRowError
	fail := func(line int, format string, args ...any) {
		bad = append(bad, apitype.BookRowError{Line: line, Error: fmt.Sprintf(format, args...)})
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1 // counted here, so that the error names the columns
	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			fail(1, "the file is empty; it needs a header row: %s", strings.Join(bookColumns, ","))
		} else {
			fail(1, "%v", csvError(err))
		}
		return nil, bad
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case strings.ContainsAny(h, ";\t"):
			// A spreadsheet set to another list separator.
			fail(1, "the header %q is not separated by commas", h)
		case !slices.Contains(bookColumns, h):
			fail(1, "unknown column %q in the header (the columns are %s)", h, strings.Join(bookColumns, ", "))
		case col[h] != 0:
			fail(1, "the column %q is there twice", h)
		}
		col[h] = i + 1 // 0 is absent
	}
	if col["name"] == 0 || col["address"] == 0 {
		fail(1, "the header must name the columns name and address (the columns are %s)", strings.Join(bookColumns, ", "))
	}
	if len(bad) > 0 {
		return nil, bad
	}
	field := func(row []string, name string) string {
		if i := col[name]; i != 0 {
			return row[i-1]
		}
		return ""
	}
	var recs []bookRecord
	seen := map[string]int{} // lower-case address → line
	for rows := 0; ; rows++ {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				fail(pe.StartLine, "%v", csvError(err))
				continue
			}
			fail(0, "%v", err)
			break
		}
		line, _ := r.FieldPos(0)
		if rows == maxBookRows {
			fail(line, "more than %d rows; import the rest in another file", maxBookRows)
			break
		}
		if len(row) != len(header) {
			fail(line, "%d fields, but the header has %d", len(row), len(header))
			continue
		}
		fav, ok := parseFavourite(field(row, "favourite"))
		if !ok {
			fail(line, "favourite is %q; want yes or no", field(row, "favourite"))
			continue
		}
		rec, err := bookRecordOf(apitype.BookEntry{
			Name:      field(row, "name"),
			Address:   field(row, "address"),
			Favourite: fav,
			Groups:    strings.Split(field(row, "groups"), ";"),
		})
		if err != nil {
			fail(line, "%v", err)
			continue
		}
		key := strings.ToLower(rec.Address)
		if first, dup := seen[key]; dup {
			fail(line, "%s is already on line %d", rec.Address, first)
			continue
		}
		seen[key] = line
		recs = append(recs, rec)
	}
	return recs, bad
}

// csvError is the reason of a CSV syntax error, without the line the reply
// gives anyway.
func csvError(err error) error {
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return pe.Err
	}
	return err
}

func parseFavourite(s string) (fav, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "no", "n", "false":
		return false, true
	case "1", "yes", "y", "true":
		return true, true
	}
	return false, false
}

// writeBookCSV writes entries in the format ImportBook reads.
func writeBookCSV(w io.Writer, entries []bookRecord) error {
	cw := csv.NewWriter(w)
	cw.Write(bookColumns)
	for _, e := range entries {
		fav := "no"
		if e.Favourite {
			fav = "yes"
		}
		cw.Write([]string{e.Name, e.Address, fav, strings.Join(e.Groups, ";")})
	}
	cw.Flush()
	return cw.Error()
}
