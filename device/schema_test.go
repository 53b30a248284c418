package device

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/oauth2"

	"scanmail/device/apitype"
	"scanmail/mailer"
)

var writeStateFixture = flag.Bool("write-state-fixture", false, "rewrite testdata/state-v2.db from stateV2 (only ever for a new schema's own fixture)")

// stateV2Path is a state file written by schema 2, checked in so that a
// change of the code cannot silently change what it holds: every daemon
// from now on must read it as it was written.
const stateV2Path = "testdata/state-v2.db"

// stateV2 is what testdata/state-v2.db holds.
type stateV2 struct {
	settings     Settings // before the sign-in sets the device address
	account      Account
	domainTenant string
	jobs         []apitype.Job // IDs 1 to n, in order
	throttle     mailer.ThrottleState
	book         []bookRecord // IDs 1 to n, in order
}

func stateV2Values() stateV2 {
	at := func(min int) time.Time { return time.Date(2026, 11, 30, 9, min, 7, 250_000_000, time.UTC) }
	s := DefaultSettings()
	s.Provider = "custom"
	s.Tenant = "contoso.onmicrosoft.com"
	s.ClientID = "0d5c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
	s.Subject = "Scan from the 2nd floor"
	s.Body = "Scanned on {date}: {pages} page(s)."
	s.Custom = CustomProvider{
		SMTPHost:      "smtp.example.net",
		SMTPPort:      2525,
		DeviceAuthURL: "https://login.example.net/devicecode",
		TokenURL:      "https://login.example.net/token",
		Scopes:        []string{"offline_access", "https://outlook.office.com/SMTP.Send"},
		CABundle:      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
	}
	// Blank-page removal came after schema 2: its defaults are what a schema 2 record reads as.
	s.Scan = ScanSettings{Mode: "bw1", DPI: 200, Format: "tiff", Quality: 60, Blank: s.Scan.Blank}
	s.Limits = mailer.Limits{MessagesPerMinute: 20, RecipientsPerDay: -1}
	s.MaxMessageMB = 25
	s.Oversize = OversizeRefuse
	s.Spool = SpoolSettings{MaxMB: 256, KeepFailedDays: 3}
	s.RetryHours = 12
	s.Jobs = JobsSettings{Keep: 500, KeepDays: 30}
	return stateV2{
		settings: s,
		account: Account{
			UPN:      "scanner@contoso.com",
			Provider: "custom",
			Tenant:   "contoso.onmicrosoft.com",
			ClientID: "0d5c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
			TenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
			Endpoints: &Endpoints{
				DeviceAuthURL: "https://login.example.net/devicecode",
				TokenURL:      "https://login.example.net/token",
				SMTPHost:      "smtp.example.net",
				CABundle:      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
				Scopes:        []string{"offline_access", "https://outlook.office.com/SMTP.Send"},
			},
			Token: &oauth2.Token{
				AccessToken:  "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.access",
				TokenType:    "Bearer",
				RefreshToken: "0.AXoA-refresh",
				Expiry:       at(59),
				ExpiresIn:    3599,
			},
			SignedInAt:  at(0),
			LastRefresh: at(1),
			Ended: &Ended{
				Summary: "The sign-in of scanner@contoso.com has ended",
				Hint:    "Sign in again.",
				Detail:  "AADSTS700082: The refresh token has expired due to inactivity.",
				At:      at(2),
			},
		},
		domainTenant: "Contoso.onmicrosoft.com",
		jobs: []apitype.Job{
			{ID: 1, Created: at(3), To: []string{"a@contoso.com"}, Pages: 1, State: apitype.JobScanning},
			{ID: 2, Created: at(4), To: []string{"a@contoso.com", "b@contoso.com"}, Pages: 3, Format: "pdf", Size: 123456,
				State: apitype.JobQueued, MessageID: "<2.1@scanner.contoso.com>", Attempts: 2, NextAttempt: at(30),
				Error: "The mail server is busy", Hint: "It is tried again.", ErrorCode: apitype.ErrorCode("server-busy")},
			{ID: 3, Created: at(5), To: []string{"c@contoso.com"}, Pages: 2, Format: "tiff", Size: 2048,
				State: apitype.JobSending, MessageID: "<3.1@scanner.contoso.com>", Attempts: 1},
			{ID: 4, Created: at(6), Finished: at(7), To: []string{"d@contoso.com"}, Pages: 1, Format: "jpeg", Size: 999,
				State: apitype.JobSent, MessageID: "<4.1@scanner.contoso.com>", Attempts: 1,
				SMTPLog: []string{"S: 220 smtp.example.net ESMTP", "C: EHLO scanner", "C: AUTH XOAUTH2 (credentials left out)", "S: 235 2.7.0 Authentication successful", "S: 250 2.0.0 OK queued"}},
			{ID: 5, Created: at(8), Finished: at(9), To: []string{"e@contoso.com"}, Pages: 4, Format: "pdf", Size: 77,
				State: apitype.JobFailed, MessageID: "<5.1@scanner.contoso.com>", Attempts: 5, Resent: at(8),
				Error: "The mail server refused the recipient", Hint: "Check the address.", ErrorCode: apitype.ErrorCode("recipient-refused"),
				SMTPLog: []string{"S: 550 5.1.1 User unknown"}},
			{ID: 6, Created: at(10), Finished: at(11), To: []string{"f@contoso.com"}, Pages: 1, Format: "pdf", Size: 10,
				State: apitype.JobCanceled, MessageID: "<6.1@scanner.contoso.com>"},
			{ID: 7, Created: at(12), To: []string{"g@contoso.com"}, Pages: 90, Format: "pdf", Size: 60 << 20,
				State: apitype.JobQueued, MessageID: "<7.1@scanner.contoso.com>", Attempts: 1, NextAttempt: at(40),
				Parts: []apitype.JobPart{
					{First: 1, Last: 45, MessageID: "<7.1@scanner.contoso.com>", Sent: true},
					{First: 46, Last: 90, MessageID: "<7.2@scanner.contoso.com>"},
				}},
		},
		throttle: mailer.ThrottleState{
			Sends: []time.Time{at(20), at(21)},
			Buckets: []mailer.RecipientBucket{
				{Minute: time.Date(2026, 11, 30, 9, 20, 0, 0, time.UTC), Recipients: 3},
				{Minute: time.Date(2026, 11, 30, 9, 21, 0, 0, time.UTC), Recipients: 1},
			},
		},
		book: []bookRecord{
			{ID: 1, Name: "Accounts payable", Address: "ap@contoso.com", Favourite: true, Groups: []string{"Finance"}},
			{ID: 2, Name: "Bea Muster", Address: "bea@contoso.com"},
			{ID: 3, Name: "Carl Beispiel", Address: "carl@contoso.com", Groups: []string{"Finance", "Board"}},
		},
	}
}

// writeStateV2 writes v into a new state file at path through the store.
func writeStateV2(t *testing.T, path string, v stateV2) {
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.UpdateSettings(func(s *Settings) error { *s = v.settings; return nil }); err != nil {
		t.Fatal(err)
	}
	acct := v.account
	// What the provider said beside the token (the id_token) is not kept.
	acct.Token = acct.Token.WithExtra(map[string]any{"id_token": "eyJ.id.token"})
	if err := st.SaveSignIn(acct, v.domainTenant); err != nil {
		t.Fatal(err)
	}
	for _, j := range v.jobs {
		j.ID = 0
		if _, err := st.NewJob(j); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SaveThrottleState(v.throttle); err != nil {
		t.Fatal(err)
	}
	for _, r := range v.book {
		r.ID = 0
		if _, err := st.putBookEntry(r); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWriteStateFixture rewrites the fixture when asked to, and only then.
func TestWriteStateFixture(t *testing.T) {
	if !*writeStateFixture {
		t.Skip("run with -write-state-fixture to rewrite " + stateV2Path)
	}
	tmp := filepath.Join(t.TempDir(), "state.db")
	writeStateV2(t, tmp, stateV2Values())
	data, err := os.ReadFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stateV2Path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyState copies the fixture to a scratch file, since opening a state
// file writes to it.
func copyState(t *testing.T, from string) string {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "scanmail.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSchemaV2 opens a state file written by schema 2 and finds in it
// every value as it was written, before and after this daemon has opened
// it once; and the same file as schema 1 had it, which the opening
// upgrades.
func TestSchemaV2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		as   func(*bolt.Tx) error // makes the fixture an older schema's
	}{
		{"schema 2", nil},
		{"schema 1, before the outbox index", func(tx *bolt.Tx) error {
			if err := tx.Bucket(bucketMeta).Put(keySchema, []byte("1")); err != nil {
				return err
			}
			return tx.DeleteBucket(bucketOutbox)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := copyState(t, stateV2Path)
			if got := rawSchema(t, path); got != "2" {
				t.Fatalf("fixture has schema %s, want 2", got)
			}
			if tt.as != nil {
				updateRaw(t, path, tt.as)
			}
			for _, round := range []string{"first open", "reopen"} {
				st, err := OpenStore(path)
				if err != nil {
					t.Fatalf("%s: %v", round, err)
				}
				checkStateV2(t, round, st, stateV2Values())
				st.Close()
				if got, want := rawSchema(t, path), fmt.Sprint(schemaVersion); got != want {
					t.Errorf("%s: schema %s, want %s", round, got, want)
				}
			}
		})
	}
}

func checkStateV2(t *testing.T, round string, st *Store, want stateV2) {
	t.Helper()
	wantSettings := want.settings
	wantSettings.DeviceAddress = want.account.UPN
	if s, err := st.Settings(); err != nil || !reflect.DeepEqual(s, wantSettings) {
		t.Errorf("%s: settings\n%+v (%v), want\n%+v", round, s, err, wantSettings)
	}
	acct, ok, err := st.Account()
	if err != nil || !ok {
		t.Errorf("%s: account %v, %v", round, ok, err)
	} else {
		if !reflect.DeepEqual(acct.Token, want.account.Token) {
			t.Errorf("%s: token\n%+v, want\n%+v", round, acct.Token, want.account.Token)
		}
		if v, _ := acct.Token.Extra("id_token").(string); v != "" {
			t.Errorf("%s: the id_token was kept", round)
		}
		acct.Token, want.account.Token = nil, nil
		if !reflect.DeepEqual(acct, want.account) {
			t.Errorf("%s: account\n%+v, want\n%+v", round, acct, want.account)
		}
	}
	if id, err := st.TenantID("contoso.ONMICROSOFT.com"); err != nil || id != want.account.TenantID {
		t.Errorf("%s: tenant ID %q, %v, want %q", round, id, err, want.account.TenantID)
	}
	jobs, err := st.Jobs(100)
	slices.Reverse(jobs)
	if err != nil || !reflect.DeepEqual(jobs, want.jobs) {
		t.Errorf("%s: jobs\n%+v (%v), want\n%+v", round, jobs, err, want.jobs)
	}
	for _, j := range want.jobs {
		if got, ok, err := st.Job(j.ID); err != nil || !ok || !reflect.DeepEqual(got, j) {
			t.Errorf("%s: job %d: %+v, %v, %v", round, j.ID, got, ok, err)
		}
	}
	var wantOutbox []uint64
	for _, j := range want.jobs {
		if !ended(j.State) {
			wantOutbox = append(wantOutbox, j.ID)
		}
	}
	unfinished, err := st.Unfinished()
	var outbox []uint64
	for _, j := range unfinished {
		outbox = append(outbox, j.ID)
	}
	if err != nil || !slices.Equal(outbox, wantOutbox) {
		t.Errorf("%s: outbox %v (%v), want %v", round, outbox, err, wantOutbox)
	}
	if ts, err := st.ThrottleState(); err != nil || !reflect.DeepEqual(ts, want.throttle) {
		t.Errorf("%s: throttle state %+v (%v), want %+v", round, ts, err, want.throttle)
	}
	book := slices.Clone(st.bookIndex().entries)
	slices.SortFunc(book, func(a, b bookRecord) int { return int(a.ID) - int(b.ID) })
	if !reflect.DeepEqual(book, want.book) || st.book.unreadable != 0 {
		t.Errorf("%s: book %+v (%d unreadable), want %+v", round, book, st.book.unreadable, want.book)
	}
	if n := st.CorruptJobs(); n != 0 {
		t.Errorf("%s: %d job records unreadable", round, n)
	}
}

// TestSchemaNewerRefused: a state file from a newer daemon is refused in
// words that say so, and left as it was.
func TestSchemaNewerRefused(t *testing.T) {
	t.Parallel()
	path := copyState(t, stateV2Path)
	updateRaw(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, []byte("99")) })
	_, err := OpenStore(path)
	if err == nil || !strings.Contains(err.Error(), "written by a newer scanmaild (schema 99") {
		t.Fatalf("got %v, want a refusal naming a newer scanmaild", err)
	}
	if got := rawSchema(t, path); got != "99" {
		t.Errorf("schema after the refusal %s, want 99 left alone", got)
	}
}

func rawSchema(t *testing.T, path string) string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	db.View(func(tx *bolt.Tx) error {
		v = string(tx.Bucket(bucketMeta).Get(keySchema))
		return nil
	})
	return v
}

// updateRaw changes the state file at path as fn does, under the store.
func updateRaw(t *testing.T, path string, fn func(*bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}
