package webui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"testing"

	"scanmail/device/apitype"
)

// TestConfigExportIsTheDevicesExport: the download is the device's
// export and nothing more: no secret setting, no device address.
func TestConfigExportIsTheDevicesExport(t *testing.T) {
	r := newRig(t)
	r.signIn(t, "scanner@contoso.example")
	ctx := context.Background()
	if _, err := r.c.PutBookEntry(ctx, apitype.BookEntry{Name: "Bob", Address: "bob@fabrikam.example"}); err != nil {
		t.Fatal(err)
	}
	c := r.login(t, r.tls)
	res, body := get(t, c, r.tls.URL+"/config/scanmail-config.json")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Disposition") != `attachment; filename="scanmail-config.json"` {
		t.Fatalf("export: %s %q", res.Status, res.Header.Get("Content-Disposition"))
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	want, err := r.c.ExportConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wb, _ := json.Marshal(want)
	var wantMap map[string]any
	json.Unmarshal(wb, &wantMap)
	if !reflect.DeepEqual(got, wantMap) {
		t.Errorf("the download is not the device's export:\n%s\nwant\n%s", body, wb)
	}
	desc, err := r.c.DescribeConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	settings, _ := got["settings"].(map[string]any)
	for _, info := range desc.Settings {
		if _, ok := settings[info.Key]; ok && (info.Secret || info.Key == "device_address") {
			t.Errorf("the export holds %s", info.Key)
		}
	}
}

func TestConfigImportDryRunThenImport(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	cfg, err := r.c.ExportConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Settings["subject"] = "From the 3rd floor"
	cfg.Book = append(cfg.Book, apitype.BookEntry{Name: "Carol", Address: "carol@fabrikam.example"})
	file, _ := json.Marshal(cfg)
	c := r.login(t, r.tls)

	_, body := upload(t, c, r.tls.URL+"/config/import", "file", "scanmail-config.json", file)
	contains(t, body, "What the import changes", `<td>Subject <span class="key">subject</span></td><td>Scanned document</td><td>From the 3rd floor</td>`, "Address book: 1 to add", `id="confirm-import"`)
	if got := r.settingValue(t, "subject"); got != "Scanned document" {
		t.Fatalf("the check changed the subject to %q", got)
	}
	m := regexp.MustCompile(`(?s)<textarea name="config" hidden>(.*?)</textarea>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no file to confirm:\n%s", body)
	}
	res, err := c.PostForm(r.tls.URL+"/config/import", url.Values{"config": {htmlUnescape(m[1])}, "confirm": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, res)
	contains(t, body, "The configuration is imported.")
	if got := r.settingValue(t, "subject"); got != "From the 3rd floor" {
		t.Errorf("subject after the import: %q", got)
	}
	if l, _ := r.c.Book(ctx, "carol", 5); l.Matches != 1 {
		t.Errorf("the book after the import: %+v", l)
	}

	res, body = upload(t, c, r.tls.URL+"/config/import", "file", "notes.json", []byte(`{"hello": 1}`))
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("a file that is no configuration: %s", res.Status)
	}
	contains(t, body, "not a scanmail configuration")
}
