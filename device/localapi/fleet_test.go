package localapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/localapi"
	"scanmail/device/localclient"
)

// bookOf is the address book as another device would hold it: without
// the IDs, which each device numbers.
func bookOf(t *testing.T, c *localclient.Client) []apitype.BookEntry {
	t.Helper()
	l, err := c.Book(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i := range l.Entries {
		l.Entries[i].ID = ""
	}
	return l.Entries
}

// withoutDeviceAddress is a config show less the device address, which
// each device's own sign-in sets.
func withoutDeviceAddress(cfg apitype.Config) apitype.Config {
	cfg.Settings = slices.DeleteFunc(slices.Clone(cfg.Settings), func(s apitype.Setting) bool { return s.Key == "device_address" })
	cfg.Warning = ""
	return cfg
}

// TestConfigExportImport: a signed-in device's export, imported into a
// fresh device, gives the same config show (less the device address) and
// address book; a dry run changes nothing; and the fresh device, after
// its own sign-in, sends as the first one does.
func TestConfigExportImport(t *testing.T) {
	ctx := context.Background()
	_, src, _ := signedIn(t)
	if _, err := src.SetConfigs(ctx, []apitype.SettingValue{{Key: "subject", Value: "Fleet scan"}, {Key: "jobs.keep", Value: "500"}, {Key: "limits.oversize", Value: "refuse"}}); err != nil {
		t.Fatal(err)
	}
	for _, e := range []apitype.BookEntry{
		{Name: "Ana", Address: "ana@fabrikam.example", Favourite: true, Groups: []string{"sales", "board"}},
		{Name: "Bo", Address: "bo@fabrikam.example"},
	} {
		if _, err := src.PutBookEntry(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	export, err := src.ExportConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if export.Format != apitype.ConfigFormat || export.Version != apitype.ConfigVersion {
		t.Fatalf("export header: %q %d", export.Format, export.Version)
	}
	if _, ok := export.Settings["device_address"]; ok {
		t.Errorf("the device address is exported: it is the account's")
	}
	if !strings.Contains(export.Settings["custom.ca_bundle"], "BEGIN CERTIFICATE") {
		t.Errorf("custom.ca_bundle exported as %q, want the PEM itself", export.Settings["custom.ca_bundle"])
	}

	dstDev, dir := newDevice(t)
	dst := serveDevice(t, dstDev, dir)
	fresh, _ := dst.Config(ctx)
	rep, err := dst.ImportConfig(ctx, export, true)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.DryRun || len(rep.Settings) == 0 || rep.Book.Added != 2 {
		t.Errorf("dry run: %+v", rep)
	}
	if after, _ := dst.Config(ctx); !reflect.DeepEqual(after, fresh) || len(bookOf(t, dst)) != 0 {
		t.Fatalf("a dry run changed the device")
	}
	rep, err = dst.ImportConfig(ctx, export, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rep.Settings, func(c apitype.SettingChange) bool {
		return c.Key == "subject" && c.New == "Fleet scan" && c.Old == value(fresh, "subject")
	}) || rep.Book.Added != 2 {
		t.Errorf("import: %+v", rep)
	}
	want, _ := src.Config(ctx)
	got, _ := dst.Config(ctx)
	if !reflect.DeepEqual(withoutDeviceAddress(got), withoutDeviceAddress(want)) {
		t.Errorf("config show after import:\n%+v\nwant\n%+v", got, want)
	}
	if b, w := bookOf(t, dst), bookOf(t, src); !reflect.DeepEqual(b, w) {
		t.Errorf("address book after import: %+v, want %+v", b, w)
	}
	// Again: nothing to change.
	if rep, err := dst.ImportConfig(ctx, export, false); err != nil || len(rep.Settings) != 0 || rep.Book.Unchanged != 2 {
		t.Errorf("second import: %+v, %v", rep, err)
	}

	// Its own sign-in (the same identity provider approves) and it sends.
	if _, err := dstDev.StartSignIn(ctx, apitype.SignInRequest{}); err != nil {
		t.Fatal(err)
	}
	for {
		st, changed := dstDev.SignIn()
		if st.Done() {
			if st.State != apitype.SignInDone {
				t.Fatalf("sign-in of the imported device: %+v", st)
			}
			break
		}
		<-changed
	}
	got, _ = dst.Config(ctx)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config show after its sign-in:\n%+v\nwant\n%+v", got, want)
	}
	job, err := dst.Scan(ctx, apitype.ScanRequest{Groups: []string{"board"}, Pages: 1}, nil)
	if err != nil || job.State != apitype.JobSent {
		t.Fatalf("scan from the imported device: %+v, %v", job, err)
	}
}

// TestConfigImportRefused: a bad file changes nothing, and says what is
// wrong.
func TestConfigImportRefused(t *testing.T) {
	ctx := context.Background()
	dev, dir := newDevice(t)
	c := serveDevice(t, dev, dir)
	if _, err := c.PutBookEntry(ctx, apitype.BookEntry{Name: "Kept", Address: "kept@fabrikam.example"}); err != nil {
		t.Fatal(err)
	}
	good, err := c.ExportConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	good.Settings["subject"] = "Changed"
	good.Book = append(good.Book, apitype.BookEntry{Name: "New", Address: "new@fabrikam.example"})
	beforeCfg, _ := c.Config(ctx)
	beforeBook := bookOf(t, c)

	edit := func(f func(*apitype.ConfigExport)) apitype.ConfigExport {
		var e apitype.ConfigExport
		data, _ := json.Marshal(good)
		json.Unmarshal(data, &e)
		f(&e)
		return e
	}
	for _, tt := range []struct {
		name string
		cfg  apitype.ConfigExport
		code apitype.ErrorCode
		key  string
	}{
		{"version 2", edit(func(e *apitype.ConfigExport) { e.Version = 2 }), apitype.CodeInvalidRequest, ""},
		{"other format", edit(func(e *apitype.ConfigExport) { e.Format = "other" }), apitype.CodeInvalidRequest, ""},
		{"bad setting", edit(func(e *apitype.ConfigExport) { e.Settings["scan.quality"] = "101" }), apitype.CodeInvalidSetting, "scan.quality"},
		{"unknown setting", edit(func(e *apitype.ConfigExport) { e.Settings["colour"] = "blue" }), apitype.CodeInvalidSetting, "colour"},
		{"device address", edit(func(e *apitype.ConfigExport) { e.Settings["device_address"] = "x@fabrikam.example" }), apitype.CodeInvalidSetting, "device_address"},
		{"bad book entry", edit(func(e *apitype.ConfigExport) { e.Book[1].Address = "not an address" }), apitype.CodeInvalidRequest, ""},
		{"twice the same address", edit(func(e *apitype.ConfigExport) { e.Book[1].Address = "KEPT@fabrikam.example" }), apitype.CodeInvalidRequest, ""},
	} {
		for _, dry := range []bool{true, false} {
			_, err := c.ImportConfig(ctx, tt.cfg, dry)
			var le *localclient.Error
			if !errors.As(err, &le) || le.Code != tt.code || le.Key != tt.key {
				t.Errorf("%s (dry run %v): %v (%+v), want %s %q", tt.name, dry, err, le, tt.code, tt.key)
			}
		}
		if cfg, _ := c.Config(ctx); !reflect.DeepEqual(cfg, beforeCfg) {
			t.Errorf("%s: the settings changed", tt.name)
		}
		if b := bookOf(t, c); !reflect.DeepEqual(b, beforeBook) {
			t.Errorf("%s: the address book changed: %+v", tt.name, b)
		}
	}

	// Malformed: the request is refused before the device sees it.
	h := localapi.NewHandler(dev, nil)
	for _, body := range []string{`{"config":`, `{"config":{"format":"scanmail-config","version":1,"settings":{"subject":1}}}`, `{"cfg":{}}`} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", apitype.PathPrefix+"config/import", strings.NewReader(body)))
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", body, rec.Code, rec.Body)
		}
	}
	if cfg, _ := c.Config(ctx); !reflect.DeepEqual(cfg, beforeCfg) {
		t.Errorf("malformed: the settings changed")
	}

	// The good one goes in whole.
	if _, err := c.ImportConfig(ctx, good, false); err != nil {
		t.Fatal(err)
	}
	if cfg, _ := c.Config(ctx); value(cfg, "subject") != "Changed" || len(bookOf(t, c)) != 2 {
		t.Errorf("good import: subject %q, book %+v", value(cfg, "subject"), bookOf(t, c))
	}
}
