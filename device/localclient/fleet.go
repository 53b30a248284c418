package localclient

import (
	"context"
	"net/http"

	"scanmail/device/apitype"
)

// ExportConfig is the device's configuration, to set up another device
// like it: every setting but the device address and the secret ones, and
// the address book.
func (c *Client) ExportConfig(ctx context.Context) (apitype.ConfigExport, error) {
	var cfg apitype.ConfigExport
	return cfg, c.call(ctx, http.MethodGet, "config/export", nil, &cfg)
}

// ImportConfig sets the device up from an export, all or nothing, or on a
// dry run says what it would change.
func (c *Client) ImportConfig(ctx context.Context, cfg apitype.ConfigExport, dryRun bool) (apitype.ConfigImport, error) {
	var rep apitype.ConfigImport
	return rep, c.call(ctx, http.MethodPost, "config/import", apitype.ConfigImportRequest{Config: cfg, DryRun: dryRun}, &rep)
}
