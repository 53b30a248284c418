package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/device/localclient"
	"scanmail/device/mstest"
	"scanmail/mailer/smtptest"
)

// TestNoSecretsAnywhere runs the daemon through a device's life: sign-in,
// a job sent, one refused by the server, one retried after a passing
// failure, refreshes, a refresh refused (sign-in needed), a declined
// sign-in, a second sign-in that releases the waiting job, and a restart.
// Then it looks for every credential the identity provider ever issued, in
// every form it could take, in everything the daemon and its command line
// printed, in every file beside the state file and in the spool, in every
// bucket of the state file but the tokens bucket, and in the mail received.
// The tokens bucket must hold the current refresh token, and no credential
// but the current ones. The admin PINs and the web pages' passwords, set,
// mistyped and changed, are in nothing, and their hashes nowhere but in
// the admin bucket; the web session IDs are in nothing, and their hashes
// nowhere but in the sessions bucket. The password road's password, with
// which a job is sent, is nowhere but in the settings bucket, and the
// connector's client certificate key nowhere but in the relay bucket.
func TestNoSecretsAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("waits a minute for the outbox's first retry")
	}
	const upn = "scanner@contoso.example"
	// Access tokens live a minute, less than the device's refresh margin:
	// every job refreshes before it sends.
	mailDir := t.TempDir()
	// The password road's password, sent by a job at the end.
	const smtpPassword = "smtp password 4Kd8 for the password road"
	ms := fakeMicrosoft(t, mstest.Options{
		IdP:  idptest.Options{AccessTokenLifetime: time.Minute},
		SMTP: smtptest.Options{Dir: mailDir, Passwords: map[string]string{upn: smtpPassword}},
	})
	idp, mailSrv := ms.IdP, ms.SMTP

	dir := t.TempDir()
	db := filepath.Join(dir, "scanmail.db")
	sock := filepath.Join(dir, "scanmaild.sock")
	var printed []place // everything the daemon and the command line printed
	cli := func(args ...string) string {
		t.Helper()
		out, _ := runCLI(t, sock, args...)
		printed = append(printed, place{"scanmaild " + strings.Join(args, " "), []byte(out)})
		return out
	}
	scan := func(want string) {
		t.Helper()
		out := cli("scan", "--to", "alice@fabrikam.example", "--pages", "1")
		if !strings.Contains(out, want) {
			t.Fatalf("scan: want %q in\n%s", want, out)
		}
	}

	d := start(t, dir, "-v", "-db", db)
	waitSocket(t, sock)
	configureRig(t, dir, sock, ms)
	printed = append(printed, place{"scanmaild signin", []byte(signInCLI(t, dir, sock, idp, upn))})

	// The admin PIN: set, a wrong old one, changed, checked.
	const pin1, pin2 = "580317294613", "914275036852"
	for _, stdin := range []string{pin1 + "\n", pin2 + "\n" + pin1 + "\n", pin1 + "\n" + pin2 + "\n"} {
		out, _ := runCLIInput(t, sock, stdin, "pin", "set")
		printed = append(printed, place{"scanmaild pin set", []byte(out)})
	}
	if _, err := (&localclient.Client{Socket: sock}).CheckPIN(context.Background(), pin2); err != nil {
		t.Fatalf("the PIN set: %v", err)
	}
	cli("pin", "status", "--json")

	// The web pages' admin password: set, a wrong old one, changed; a
	// login with a wrong one, two sessions, one checked and logged out.
	const pw1, pw2 = "first web password 7Qz", "second web password 9Xw"
	for _, stdin := range []string{pw1 + "\n", pw2 + "\n" + pw1 + "\n", pw1 + "\n" + pw2 + "\n"} {
		out, _ := runCLIInput(t, sock, stdin, "password", "set")
		printed = append(printed, place{"scanmaild password set", []byte(out)})
	}
	lc := &localclient.Client{Socket: sock}
	if _, err := lc.Login(context.Background(), pw1); localclient.ErrorCode(err) != apitype.CodePasswordWrong {
		t.Fatalf("a login with the old password: %v", err)
	}
	var sessionIDs []string
	for range 2 {
		s, err := lc.Login(context.Background(), pw2)
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		sessionIDs = append(sessionIDs, s.ID)
	}
	if _, err := lc.CheckSession(context.Background(), sessionIDs[0]); err != nil {
		t.Fatalf("the session: %v", err)
	}
	if err := lc.Logout(context.Background(), sessionIDs[1]); err != nil {
		t.Fatal(err)
	}
	cli("password", "status", "--json")

	// The connector's client certificate, installed from files kept
	// away from the daemon's directory, shown, and its key nowhere.
	relayKey := installRelayCert(t, sock, "scanner.contoso.example")
	cli("relay-cert", "show")
	cli("relay-cert", "show", "--json")
	// The password road's password, given as a file as a script would.
	pwFile := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(pwFile, []byte(smtpPassword), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := cli("config", "set", "password.secret", "@"+pwFile); !strings.Contains(out, "(set)") {
		t.Errorf("config set password.secret:\n%s", out)
	}

	scan("job 1: sent")
	// Rejected, the token is renewed and tried once more; rejected
	// again, the job fails.
	for range 2 {
		mailSrv.FailNext("auth", &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3}, Message: "Authentication unsuccessful"})
	}
	scan("job 2 failed: Sign-in rejected by the mail server")
	mailSrv.FailNext("mail", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 500}, Message: "Server busy, please try again later"})
	scan("job 3 is not sent yet")
	if j := waitJob(t, sock, 3, apitype.JobSent, 90*time.Second); j.Attempts != 2 {
		t.Errorf("job 3 sent after %d attempts, want 2", j.Attempts)
	}
	if idp.Refreshes() < 3 {
		t.Errorf("%d refreshes for three jobs sent or refused by the server", idp.Refreshes())
	}

	// An admin revokes the account's sessions: the next refresh is
	// refused, and the job waits for a sign-in.
	idp.Revoke(upn)
	scan("job 4 is not sent yet")
	if out := cli("status"); !strings.Contains(out, "no longer valid") {
		t.Fatalf("status after the refused refresh:\n%s", out)
	}

	signin, code := startSignIn(t, dir, sock)
	if err := idp.Deny(code); err != nil {
		t.Fatal(err)
	}
	signin.expect("declined")
	printed = append(printed, place{"scanmaild signin (declined)", []byte(signin.output())})

	signin, code = startSignIn(t, dir, sock)
	if out := cli("status"); !strings.Contains(out, "waiting") {
		t.Errorf("status during sign-in:\n%s", out)
	}
	if err := idp.Approve(code, upn); err != nil {
		t.Fatal(err)
	}
	signin.expect("Signed in as " + upn)
	printed = append(printed, place{"scanmaild signin (again)", []byte(signin.output())})
	waitJob(t, sock, 4, apitype.JobSent, 30*time.Second)

	d.stop()
	printed = append(printed, place{"the daemon's output", []byte(d.output())})
	d = start(t, dir, "-v", "-db", db)
	waitSocket(t, sock)
	if out := cli("status"); !strings.Contains(out, "ready:               yes") {
		t.Errorf("status after restart:\n%s", out)
	}
	cli("config", "show")
	cli("jobs")
	// What fleet tools read: the configuration export above all, which
	// goes from device to device.
	if out := cli("config", "export"); !strings.Contains(out, `"format": "scanmail-config"`) {
		t.Errorf("config export:\n%s", out)
	}
	cli("config", "show", "--json")
	// Job 5 goes by the password road.
	cli("config", "set", "road", "password")
	scan("job 5: sent")
	cli("config", "set", "road", "oauth")
	cli("status")
	cli("status", "--json")
	cli("jobs", "--json")
	cli("jobs", "--json", "-log", "1")
	cli("jobs", "--json", "-log", "5")
	for id := range 5 {
		cli("jobs", "-log", strconv.Itoa(id+1))
	}
	d.stop()
	printed = append(printed, place{"the daemon's output after restart", []byte(d.output())})

	issued := idp.Issued()
	current := map[string]string{} // by kind: the last one issued
	for _, c := range issued {
		current[c.Kind] = c.Value
	}
	if current["device_code"] == "" || current["access_token"] == "" || current["refresh_token"] == "" || current["id_token"] == "" {
		t.Fatalf("the identity provider did not issue every kind of credential: %v", issued)
	}
	var leaks []leak
	for i, c := range issued {
		leaks = append(leaks, leakForms(c, i+1, upn)...)
	}
	// Each hash may be in its own bucket only.
	type hashLeak struct {
		leak
		bucket string
	}
	var hashLeaks []hashLeak
	for _, h := range []struct {
		what, key string
	}{{"the admin PIN's hash", "pin"}, {"the admin password's hash", "password"}} {
		key := storedHash(t, db, h.key)
		hashLeaks = append(hashLeaks,
			hashLeak{leak{h.what + " in base64", base64.RawStdEncoding.EncodeToString(key)}, "admin.v1"},
			hashLeak{leak{h.what + " in hex", fmt.Sprintf("%x", key)}, "admin.v1"})
	}
	for _, p := range []string{pin1, pin2} {
		leaks = append(leaks, leak{"admin PIN " + p, p}, leak{"admin PIN " + p + " in base64", base64.RawStdEncoding.EncodeToString([]byte(p))})
	}
	for _, p := range []string{pw1, pw2} {
		leaks = append(leaks, leak{"admin password " + p, p}, leak{"admin password " + p + " in base64", base64.RawStdEncoding.EncodeToString([]byte(p))})
	}
	// The password, as typed and as AUTH PLAIN and LOGIN carry it, only
	// in the settings; the client certificate's key only in its bucket.
	for _, l := range []leak{
		{"the SMTP password", smtpPassword},
		{"the SMTP password in base64", base64.RawStdEncoding.EncodeToString([]byte(smtpPassword))},
		{"the SMTP password in AUTH PLAIN", base64.RawStdEncoding.EncodeToString([]byte("\x00" + upn + "\x00" + smtpPassword))},
	} {
		hashLeaks = append(hashLeaks, hashLeak{l, "settings.v1"})
	}
	for i, line := range relayKey {
		hashLeaks = append(hashLeaks, hashLeak{leak{fmt.Sprintf("the relay certificate's key (line %d)", i+1), line}, "relay.v1"})
	}
	for i, id := range sessionIDs {
		name := fmt.Sprintf("web session ID #%d", i+1)
		raw, err := base64.RawURLEncoding.DecodeString(id)
		if err != nil {
			t.Fatalf("%s %q: %v", name, id, err)
		}
		sum := sha256.Sum256(raw)
		leaks = append(leaks,
			leak{name, id}, leak{name + " (its start)", id[:16]}, leak{name + " (its end)", id[len(id)-16:]},
			leak{name + " in bytes", string(raw)}, leak{name + " in hex", fmt.Sprintf("%x", raw)},
			leak{name + " in base64", base64.RawStdEncoding.EncodeToString(raw)})
		// Its hash is the sessions bucket's key: there only (and
		// there for the session alive only).
		hashLeaks = append(hashLeaks,
			hashLeak{leak{name + "'s hash in hex", fmt.Sprintf("%x", sum)}, "sessions.v1"},
			hashLeak{leak{name + "'s hash in base64", base64.RawStdEncoding.EncodeToString(sum[:])}, "sessions.v1"},
			hashLeak{leak{name + "'s hash in base64url", base64.RawURLEncoding.EncodeToString(sum[:])}, "sessions.v1"})
	}

	places := printed
	places = append(places, files(t, dir, db)...)
	emls := files(t, mailDir, "")
	if len(emls) != 4 {
		t.Errorf("%d messages saved, want 4 (jobs 1, 3, 4 and 5)", len(emls))
	}
	places = append(places, emls...)
	state, tokens := readState(t, db)
	places = append(places, state...)
	for _, p := range places {
		for _, l := range leaks {
			if bytes.Contains(p.data, []byte(l.form)) {
				t.Errorf("%s: the %s", p.name, l.what)
			}
		}
		for _, l := range hashLeaks {
			if p.name != "state file, bucket "+l.bucket && bytes.Contains(p.data, []byte(l.form)) {
				t.Errorf("%s: %s", p.name, l.what)
			}
		}
	}
	for _, p := range []string{pin1, pin2, pw1, pw2, sessionIDs[0], sessionIDs[1]} {
		if bytes.Contains(tokens, []byte(p)) {
			t.Errorf("the tokens bucket holds the admin PIN, password or session ID %s", p)
		}
	}

	if acct := storedAccount(t, db); acct.UPN != upn || acct.Token.RefreshToken != current["refresh_token"] {
		t.Errorf("the tokens bucket does not hold the current refresh token of %s (it holds %s's)", upn, acct.UPN)
	}
	for i, c := range issued {
		if c.Value != current["refresh_token"] && c.Value != current["access_token"] && bytes.Contains(tokens, []byte(c.Value)) {
			t.Errorf("the tokens bucket keeps %s #%d, which is not the current one", c.Kind, i+1)
		}
	}
	t.Logf("%d credentials issued, looked for in %d forms in %d places", len(issued), len(leaks), len(places))
}

// place is something a credential must not be in, with a name for the
// report.
type place struct {
	name string
	data []byte
}

// leak is one form a credential could be found in.
type leak struct {
	what string // e.g. "refresh_token #3 in base64"
	form string
}

// leakForms are the forms in which the credential c, the nth issued, could
// leak: as it is, cut off (its first or last 16 characters), in base64,
// and for an access token as the XOAUTH2 initial response that carries it
// on the wire.
func leakForms(c idptest.Credential, n int, upn string) []leak {
	name := fmt.Sprintf("%s #%d", c.Kind, n)
	b64 := func(s string) []leak {
		// Without padding, which makes the padded form contain it.
		return []leak{
			{name + " in base64", base64.RawStdEncoding.EncodeToString([]byte(s))},
			{name + " in base64url", base64.RawURLEncoding.EncodeToString([]byte(s))},
		}
	}
	random := c.Value
	if c.Kind == "id_token" {
		// Every JWT starts with the same header; its signature is the
		// part that is its own.
		random = random[strings.LastIndex(random, ".")+1:]
	}
	forms := []leak{
		{name, c.Value},
		{name + " (its start)", random[:16]},
		{name + " (its end)", random[len(random)-16:]},
	}
	forms = append(forms, b64(c.Value)...)
	if c.Kind == "access_token" {
		for _, l := range b64("user=" + upn + "\x01auth=Bearer " + c.Value + "\x01\x01") {
			forms = append(forms, leak{l.what + " (XOAUTH2)", l.form})
		}
	}
	return forms
}

// files reads every regular file under root but skip; the socket is not
// one.
func files(t *testing.T, root, skip string) []place {
	t.Helper()
	var out []place
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() || path == skip {
			return err
		}
		data, err := os.ReadFile(path)
		out = append(out, place{path, data})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readState opens the stopped daemon's state file read-only and returns
// every key and value in it, as one place per bucket, and apart from them
// the tokens bucket's, where the current tokens belong.
func readState(t *testing.T, path string) (buckets []place, tokens []byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			var buf bytes.Buffer
			dumpBucket(&buf, b)
			if string(name) == "tokens.v1" {
				tokens = buf.Bytes()
				return nil
			}
			buckets = append(buckets, place{"state file, bucket " + string(name), buf.Bytes()})
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if tokens == nil {
		t.Fatal("the state file has no tokens.v1 bucket")
	}
	return buckets, tokens
}

// accountRecord is what these tests read of the account record in the
// state file, by the names the file gives them.
type accountRecord struct {
	UPN   string `json:"upn"`
	Token *struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	} `json:"token"`
}

// storedHash reads the hash of the admin secret at key ("pin",
// "password") from the stopped daemon's state file.
func storedHash(t *testing.T, path, key string) []byte {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rec struct {
		Hash *struct {
			Key []byte `json:"key"`
		} `json:"hash"`
	}
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("admin.v1"))
		if b == nil {
			return errors.New("no admin.v1 bucket")
		}
		return json.Unmarshal(b.Get([]byte(key)), &rec)
	})
	if err != nil || rec.Hash == nil || len(rec.Hash.Key) < 16 {
		t.Fatalf("the hash of %s: %+v %v", key, rec.Hash, err)
	}
	return rec.Hash.Key
}

// storedAccount reads the signed-in account from the stopped daemon's
// state file.
func storedAccount(t *testing.T, path string) accountRecord {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var acct accountRecord
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("tokens.v1"))
		if b == nil {
			return errors.New("no tokens.v1 bucket")
		}
		return json.Unmarshal(b.Get([]byte("account")), &acct)
	})
	if err != nil || acct.Token == nil {
		t.Fatalf("no account in the state file: %v", err)
	}
	return acct
}

// dumpBucket writes every key and value of b, nested buckets included.
func dumpBucket(buf *bytes.Buffer, b *bolt.Bucket) {
	b.ForEach(func(k, v []byte) error {
		buf.Write(k)
		buf.WriteByte('=')
		if v == nil {
			buf.WriteString("{\n")
			dumpBucket(buf, b.Bucket(k))
			buf.WriteString("}")
		}
		buf.Write(v)
		buf.WriteByte('\n')
		return nil
	})
}

// waitJob waits until job id is in state.
func waitJob(t *testing.T, sock string, id uint64, state string, within time.Duration) apitype.Job {
	t.Helper()
	c := &localclient.Client{Socket: sock}
	deadline := time.Now().Add(within)
	for {
		jobs, err := c.Jobs(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			if j.ID == id && j.State == state {
				return j
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d not %s after %v: %+v", id, state, within, jobs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// installRelayCert installs, through the command line, a client
// certificate for name issued by a CA of the test's, from files in a
// directory of their own; it returns the lines of its key's PEM body.
func installRelayCert(t *testing.T, sock, name string) []string {
	t.Helper()
	ca, err := smtptest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.ClientCertificate(name)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "relay.pem"), filepath.Join(dir, "relay.key")
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := runCLI(t, sock, "relay-cert", "install", certFile, keyFile); code != 0 || !strings.Contains(out, "names:") || !strings.Contains(out, name) {
		t.Fatalf("relay-cert install: exit %d\n%s", code, out)
	}
	var lines []string
	for _, l := range strings.Split(string(keyPEM), "\n") {
		if l != "" && !strings.HasPrefix(l, "-----") {
			lines = append(lines, l)
		}
	}
	return lines
}
