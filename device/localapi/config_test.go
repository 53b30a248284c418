package localapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/localapi"
	"scanmail/device/localclient"
)

// TestSettingsDescribed: every setting config lists is described, and the
// description is what Set accepts: an int's min and max are taken and one
// past either is refused; every choice is taken and another value
// refused; the default is a new device's value. A front end renders its
// forms from this, so a description that lies is a form that fails.
func TestSettingsDescribed(t *testing.T) {
	c := serve(t)
	ctx := context.Background()
	cfg, err := c.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var shown, described []string
	for _, s := range cfg.Settings {
		shown = append(shown, s.Key)
	}
	for _, s := range d.Settings {
		described = append(described, s.Key)
	}
	if !slices.Equal(shown, described) {
		t.Fatalf("config shows %q, describe has %q", shown, described)
	}
	kinds := []string{apitype.KindString, apitype.KindInt, apitype.KindChoice, apitype.KindAddress,
		apitype.KindURL, apitype.KindHost, apitype.KindWords, apitype.KindPEM, apitype.KindSecret}
	var providers []string
	for _, s := range d.Settings {
		if s.Key == "provider" {
			providers = s.Choices
		}
	}
	accept := func(key, v string) {
		t.Helper()
		if _, err := c.SetConfig(ctx, key, v); err != nil {
			t.Errorf("%s = %q refused, but described as allowed: %v", key, v, err)
		}
	}
	refuse := func(key, v string) {
		t.Helper()
		if _, err := c.SetConfig(ctx, key, v); localclient.ErrorCode(err) != apitype.CodeInvalidSetting {
			t.Errorf("%s = %q: %v, want %s as the description says", key, v, err, apitype.CodeInvalidSetting)
		}
	}
	for i, s := range d.Settings {
		if !slices.Contains(kinds, s.Kind) || s.Help == "" {
			t.Errorf("%s: kind %q, help %q", s.Key, s.Kind, s.Help)
		}
		if want := cfg.Settings[i].Value; s.Default != want && !s.Secret {
			t.Errorf("%s: default %q, a new device has %q", s.Key, s.Default, want)
		}
		for _, p := range s.Providers {
			if !slices.Contains(providers, p) {
				t.Errorf("%s applies to provider %q, which is not one", s.Key, p)
			}
		}
		for _, r := range s.Roads {
			if !slices.Contains(apitype.Roads(), r) {
				t.Errorf("%s applies to road %q, which is not one", s.Key, r)
			}
		}
		switch s.Kind {
		case apitype.KindInt:
			if s.Min == nil || s.Max == nil {
				t.Errorf("%s: int without bounds", s.Key)
				continue
			}
			accept(s.Key, strconv.Itoa(*s.Min))
			accept(s.Key, strconv.Itoa(*s.Max))
			refuse(s.Key, strconv.Itoa(*s.Min-1))
			refuse(s.Key, strconv.Itoa(*s.Max+1))
		case apitype.KindChoice:
			if len(s.Choices) == 0 {
				t.Errorf("%s: choice without choices", s.Key)
			}
			for _, v := range s.Choices {
				accept(s.Key, v)
			}
			refuse(s.Key, "none-of-these")
		}
		accept(s.Key, s.Default) // and back to the default
	}
	byKey := map[string]apitype.SettingInfo{}
	for _, s := range d.Settings {
		byKey[s.Key] = s
	}
	// The provider rules a front end hides settings by.
	for key, want := range map[string][]string{
		"custom.smtp_host": {"custom"},
		"custom.ca_bundle": {"custom"},
		"client_id":        nil,
	} {
		if got := byKey[key].Providers; !slices.Equal(got, want) {
			t.Errorf("%s applies to %q, want %q", key, got, want)
		}
	}
	if p := byKey["tenant"].Providers; slices.Contains(p, "outlook") || !slices.Contains(p, "exchange-online") {
		t.Errorf("tenant applies to %q: want exchange-online, not outlook (its tenant is fixed)", p)
	}
	if s := byKey["scan.dpi"]; s.Unit != "dpi" || byKey["spool.max_mb"].Unit != "MB" {
		t.Errorf("units: scan.dpi %q, spool.max_mb %q", s.Unit, byKey["spool.max_mb"].Unit)
	}
}

// TestConfigBatch: several settings in one call are set all or none; the
// refusal names the key refused.
func TestConfigBatch(t *testing.T) {
	c := serve(t)
	ctx := context.Background()
	before, err := c.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		kvs []apitype.SettingValue
		key string
	}{
		{[]apitype.SettingValue{{Key: "client_id", Value: "app-2"}, {Key: "scan.quality", Value: "101"}, {Key: "subject", Value: "Changed"}}, "scan.quality"},
		{[]apitype.SettingValue{{Key: "client_id", Value: "app-2"}, {Key: "colour", Value: "blue"}}, "colour"},
		{[]apitype.SettingValue{{Key: "client_id", Value: "app-2"}, {Key: "subject", Value: "Changed"}, {Key: "custom.smtp_port", Value: "465"}}, "custom.smtp_port"},
	} {
		_, err := c.SetConfigs(ctx, bad.kvs)
		var le *localclient.Error
		if !errors.As(err, &le) || le.Code != apitype.CodeInvalidSetting || le.Key != bad.key || le.Status != http.StatusUnprocessableEntity {
			t.Errorf("batch %v: %v (%+v), want a 422 invalid-setting naming %s", bad.kvs, err, le, bad.key)
		}
		after, err := c.Config(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("a refused batch changed the settings:\n%+v\nwant\n%+v", after, before)
		}
	}
	cfg, err := c.SetConfigs(ctx, []apitype.SettingValue{{Key: "client_id", Value: "app-2"}, {Key: "scan.quality", Value: "90"}, {Key: "subject", Value: "Changed"}})
	if err != nil {
		t.Fatal(err)
	}
	if value(cfg, "client_id") != "app-2" || value(cfg, "scan.quality") != "90" || value(cfg, "subject") != "Changed" {
		t.Errorf("good batch: %+v", cfg)
	}
	if _, err := c.SetConfigs(ctx, nil); localclient.ErrorCode(err) != apitype.CodeInvalidRequest {
		t.Errorf("empty batch: %v, want %s", err, apitype.CodeInvalidRequest)
	}
}

// TestConfigSetForms: the single key and value form still works (older
// clients); a request with both forms is refused.
func TestConfigSetForms(t *testing.T) {
	dev, _ := newDevice(t)
	h := localapi.NewHandler(dev, nil)
	for _, tt := range []struct {
		body string
		want int
	}{
		{`{"key":"subject","value":"One"}`, http.StatusOK},
		{`{"settings":[{"key":"subject","value":"Two"},{"key":"body","value":"B"}]}`, http.StatusOK},
		{`{"key":"subject","value":"Three","settings":[{"key":"body","value":"C"}]}`, http.StatusBadRequest},
		{`{}`, http.StatusBadRequest},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", apitype.PathPrefix+"config/set", strings.NewReader(tt.body)))
		if rec.Code != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.body, rec.Code, rec.Body, tt.want)
		}
	}
	cfg, _ := dev.Config()
	if value(cfg, "subject") != "Two" || value(cfg, "body") != "B" {
		t.Errorf("after: subject %q, body %q", value(cfg, "subject"), value(cfg, "body"))
	}
}

// TestJobByID: one job by ID carries its SMTP log; the list does not (a
// thousand 16 KB logs would be 16 MB); a job that is not there is no-job.
func TestJobByID(t *testing.T) {
	dev, c, _ := signedIn(t)
	ctx := context.Background()
	job, err := c.Scan(ctx, apitype.ScanRequest{To: []string{"a@fabrikam.example"}, Pages: 1}, nil)
	if err != nil || job.State != apitype.JobSent {
		t.Fatalf("scan: %+v, %v", job, err)
	}
	got, err := c.Job(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != job.ID || !slices.ContainsFunc(got.SMTPLog, func(l string) bool { return strings.Contains(l, "MAIL FROM") }) {
		t.Errorf("job %d: %+v, want its SMTP log", job.ID, got)
	}
	jobs, err := c.Jobs(ctx, 10)
	if err != nil || len(jobs) != 1 || jobs[0].ID != job.ID || jobs[0].SMTPLog != nil {
		t.Errorf("list: %+v, %v; want the job without its log", jobs, err)
	}
	if st, err := c.Status(ctx); err != nil || st.LastJob == nil || st.LastJob.SMTPLog != nil {
		t.Errorf("status: last job %+v, %v; want it without its log", st.LastJob, err)
	}
	_, err = c.Job(ctx, job.ID+1)
	var le *localclient.Error
	if !errors.As(err, &le) || le.Code != apitype.CodeNoJob || le.Status != http.StatusNotFound {
		t.Errorf("job %d: %v, want a 404 %s", job.ID+1, err, apitype.CodeNoJob)
	}
	h := localapi.NewHandler(dev, nil)
	for _, q := range []string{"", "0", "x", "-1"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", apitype.PathPrefix+"jobs/get?id="+q, nil))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"code":"invalid-request"`) {
			t.Errorf("id %q: %d %s, want a 400 invalid-request", q, rec.Code, rec.Body)
		}
	}
}

// TestSignOut: signing out forgets the account; the device then asks for
// a sign-in.
func TestSignOut(t *testing.T) {
	_, c, _ := signedIn(t)
	ctx := context.Background()
	if st, err := c.Status(ctx); err != nil || st.Account == nil {
		t.Fatalf("before: %+v, %v", st, err)
	}
	st, err := c.SignOut(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Account != nil || st.Ready || st.ProblemCode != apitype.CodeSignInNeeded {
		t.Errorf("after sign-out: account %+v, ready %v, problem %s", st.Account, st.Ready, st.ProblemCode)
	}
	if _, err := c.Scan(ctx, apitype.ScanRequest{To: []string{"a@fabrikam.example"}}, nil); !localclient.IsSignInNeeded(err) {
		t.Errorf("scan after sign-out: %v, want %s", err, apitype.CodeSignInNeeded)
	}
}
