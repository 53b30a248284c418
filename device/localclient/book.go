package localclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"scanmail/device/apitype"
)

// Book searches the address book for entries whose words begin with the
// words of q (every entry when q is empty), favourites first, up to limit.
func (c *Client) Book(ctx context.Context, q string, limit int) (apitype.BookList, error) {
	var l apitype.BookList
	v := url.Values{"q": {q}, "limit": {strconv.Itoa(limit)}}
	return l, c.call(ctx, http.MethodGet, "book?"+v.Encode(), nil, &l)
}

// PutBookEntry creates an entry (no ID) or changes the one with e's ID.
func (c *Client) PutBookEntry(ctx context.Context, e apitype.BookEntry) (apitype.BookEntry, error) {
	var out apitype.BookEntry
	return out, c.call(ctx, http.MethodPost, "book/put", e, &out)
}

// DeleteBookEntry deletes an entry and returns it.
func (c *Client) DeleteBookEntry(ctx context.Context, id string) (apitype.BookEntry, error) {
	var out apitype.BookEntry
	return out, c.call(ctx, http.MethodPost, "book/delete", apitype.BookDelete{ID: id}, &out)
}

// ImportBook imports CSV into the address book, or on a dry run says what
// it would do. When the answer has Errors, nothing was imported.
func (c *Client) ImportBook(ctx context.Context, csv []byte, dryRun bool) (apitype.BookImport, error) {
	var rep apitype.BookImport
	return rep, c.call(ctx, http.MethodPost, "book/import", apitype.BookImportRequest{CSV: string(csv), DryRun: dryRun}, &rep)
}

// ExportBook writes the whole address book to w as format
// (apitype.BookCSV or apitype.BookVCard).
func (c *Client) ExportBook(ctx context.Context, w io.Writer, format string) error {
	res, err := c.do(ctx, http.MethodGet, "book/export?"+url.Values{"format": {format}}.Encode(), nil)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(w, res.Body); err != nil {
		return fmt.Errorf("local API book/export: %w", err)
	}
	return nil
}
