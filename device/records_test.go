package device

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/oauth2"

	"scanmail/device/apitype"
	"scanmail/mailer"
)

// TestSchemaWritesV2: what this daemon writes is, byte for byte, what
// schema 2 wrote for the same values. It fails when a JSON tag of a type
// the store is given (apitype.Job, oauth2.Token, mailer.Limits, …) leaks
// into the state file and someone changes it.
func TestSchemaWritesV2(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "scanmail.db")
	writeStateV2(t, path, stateV2Values())
	got, want := dumpState(t, path), dumpState(t, copyState(t, stateV2Path))
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			t.Errorf("%s:\n got %s\nwant %s", k, got[k], want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: %s, not in schema 2", k, got[k])
		}
	}
}

// dumpState is every bucket's sequence and every value of the state file
// at path, by bucket and key.
func dumpState(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{}
	db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			out[fmt.Sprintf("%s sequence", name)] = fmt.Sprint(b.Sequence())
			return b.ForEach(func(k, v []byte) error {
				out[fmt.Sprintf("%s/%x", name, k)] = string(v)
				return nil
			})
		})
	})
	return out
}

// TestRecordsKeepEveryField: every field of the types the store is given
// comes back from the state file, so a field added to one of them is not
// silently dropped for want of a place in its record.
func TestRecordsKeepEveryField(t *testing.T) {
	t.Parallel()
	var job apitype.Job
	var acct Account
	var settings Settings
	var throttle mailer.ThrottleState
	var f filler
	for _, v := range []any{&job, &acct, &settings, &throttle} {
		f.fill(t, reflect.ValueOf(v).Elem())
	}
	st, err := OpenStore(filepath.Join(t.TempDir(), "scanmail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	if err := st.PutJob(job); err != nil {
		t.Fatal(err)
	}
	if got, _, err := st.Job(job.ID); err != nil || !reflect.DeepEqual(got, job) {
		t.Errorf("job\n%+v (%v), want\n%+v", got, err, job)
	}

	if _, err := st.UpdateSettings(func(s *Settings) error { *s = settings; return nil }); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Settings(); err != nil || !reflect.DeepEqual(got, settings) {
		t.Errorf("settings\n%+v (%v), want\n%+v", got, err, settings)
	}

	if err := st.SaveSignIn(acct, ""); err != nil {
		t.Fatal(err)
	}
	got, _, err := st.Account()
	if err != nil || !reflect.DeepEqual(got.Token, acct.Token) {
		t.Errorf("token\n%+v (%v), want\n%+v", got.Token, err, acct.Token)
	}
	got.Token, acct.Token = nil, nil
	if !reflect.DeepEqual(got, acct) {
		t.Errorf("account\n%+v, want\n%+v", got, acct)
	}

	if err := st.SaveThrottleState(throttle); err != nil {
		t.Fatal(err)
	}
	if got, err := st.ThrottleState(); err != nil || !reflect.DeepEqual(got, throttle) {
		t.Errorf("throttle state\n%+v (%v), want\n%+v", got, err, throttle)
	}
}

// filler sets every exported field to a value of its own, not zero.
type filler struct{ n int }

func (f *filler) fill(t *testing.T, v reflect.Value) {
	t.Helper()
	f.n++
	switch {
	case v.Type() == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Date(2026, 1, 1, 0, 0, f.n, f.n*1000, time.UTC)))
		return
	case v.Type() == reflect.TypeFor[oauth2.Token]():
		// Its unexported fields are what the provider sent beside the
		// token, which is not kept.
		v.Set(reflect.ValueOf(oauth2.Token{}))
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("v%d", f.n))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(f.n))
	case reflect.Uint64:
		v.SetUint(uint64(f.n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(t, v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			f.fill(t, v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(t, v.Field(i))
			}
		}
	default:
		t.Fatalf("filler: a %s (%s) needs a case", v.Type(), v.Kind())
	}
}

// TestRecordsJSON: a record's JSON is its own; a sample of it pinned.
func TestRecordsJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		record any
		want   string
	}{
		{jobRecordOf(apitype.Job{ID: 9, State: apitype.JobQueued, ErrorCode: "x"}),
			`{"id":9,"created":"0001-01-01T00:00:00Z","to":null,"pages":0,"size":0,"state":"queued","error_code":"x"}`},
		{jobRecordOf(apitype.Job{ID: 9, State: apitype.JobScanning, MorePages: true, PerPage: true, Subject: "S {pages}"}),
			`{"id":9,"created":"0001-01-01T00:00:00Z","to":null,"pages":0,"size":0,"state":"scanning","more_pages":true,"per_page":true,"subject":"S {pages}"}`},
		{accountRecordOf(Account{UPN: "a@b.c", Token: &oauth2.Token{AccessToken: "at", RefreshToken: "rt"}}),
			`{"upn":"a@b.c","provider":"","tenant":"","client_id":"","token":{"access_token":"at","refresh_token":"rt","expiry":"0001-01-01T00:00:00Z"},"signed_in_at":"0001-01-01T00:00:00Z"}`},
		{settingsRecordOf(Settings{Limits: mailer.Limits{MessagesPerMinute: 1, RecipientsPerDay: 2}}).Limits,
			`{"MessagesPerMinute":1,"RecipientsPerDay":2}`},
		{throttleRecordOf(mailer.ThrottleState{}), `{"sends":null,"buckets":null}`},
		// The roads' settings: absent while they are the defaults, so
		// that the settings record stays as schema 2 wrote it.
		{settingsRecordOf(DefaultSettings()).Password, `null`},
		{settingsRecordOf(DefaultSettings()).MX, `null`},
		{settingsRecordOf(Settings{Password: PasswordSettings{Secret: "s"}, MX: MXSettings{Port: 25, AcceptedDomains: []string{"contoso.com"}}}).Password,
			`{"secret":"s"}`},
		{settingsRecordOf(Settings{MX: MXSettings{Port: 25, AcceptedDomains: []string{"contoso.com"}}}).MX,
			`{"port":25,"accepted_domains":["contoso.com"]}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.record)
		if err != nil || string(got) != tt.want {
			t.Errorf("%T:\n got %s (%v)\nwant %s", tt.record, got, err, tt.want)
		}
	}
}
