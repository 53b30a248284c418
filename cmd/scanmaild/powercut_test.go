package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
	"scanmail/device/mstest"
)

// TestPowerCut runs scanmaild as the board does and cuts its power
// (SIGKILL) at random moments of 50 jobs: while scanning, spooling,
// queueing and sending. After each cut it starts again. In the end every
// job that was spooled is delivered, none is lost, and a message that went
// out twice carries the same Message-ID both times; a job cut off while
// scanning is failed with the reason, as its pages no longer exist.
func TestPowerCut(t *testing.T) {
	if testing.Short() {
		t.Skip("50 daemon restarts")
	}
	const jobs = 50
	ms := fakeMicrosoft(t, mstest.Options{})
	idp, mailSrv := ms.IdP, ms.SMTP

	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	db := filepath.Join(dir, "scanmail.db")
	d := start(t, dir, "-db", db)
	waitSocket(t, sock)
	configureRig(t, dir, sock, ms)
	// 50 jobs come faster than 30 messages a minute; the sending limit
	// has tests of its own, and here would only hold the last jobs back.
	if out, code := runCLI(t, sock, "config", "set", "limits.messages_per_minute", "-1"); code != 0 {
		t.Fatalf("config set: exit %d\n%s", code, out)
	}
	signInCLI(t, dir, sock, idp, "scanner@contoso.example")

	rng := rand.New(rand.NewPCG(1, 2))
	for range jobs {
		scan := exec.Command(bin, "-socket", sock, "scan", "--to", "alice@fabrikam.example", "--pages", "2")
		if err := scan.Start(); err != nil {
			t.Fatal(err)
		}
		// A job takes a few hundred milliseconds here: the cut lands
		// anywhere from before the scan to after the mail.
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		d.cmd.Process.Kill()
		d.wait()
		scan.Wait()
		d = start(t, dir, "-db", db)
		waitSocket(t, sock)
	}

	// Let the outbox finish what was queued.
	c := &localclient.Client{Socket: sock}
	var all []apitype.Job
	var err error
	deadline := time.Now().Add(60 * time.Second)
	for {
		all, err = c.Jobs(context.Background(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		var pending []string
		for _, j := range all {
			if j.State != apitype.JobSent && j.State != apitype.JobFailed {
				pending = append(pending, fmt.Sprintf("job %d %s after %d attempt(s), next %s: %s", j.ID, j.State, j.Attempts, j.NextAttempt.Format(time.TimeOnly), j.Error))
			}
		}
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			// SIGQUIT makes the daemon print where each goroutine is.
			d.cmd.Process.Signal(syscall.SIGQUIT)
			out := d.output()
			t.Fatalf("%d jobs still not finished after 60 s:\n%s\n\nthe daemon's output:\n%s",
				len(pending), strings.Join(pending, "\n"), out[max(0, len(out)-100000):])
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.stop()

	received := map[string]int{} // Message-ID → copies
	for _, m := range mailSrv.Messages() {
		id := messageID(string(m.Data))
		if id == "" {
			t.Fatal("a message without Message-ID")
		}
		received[id]++
	}
	var sent, interrupted, dups int
	for _, j := range all {
		switch {
		case j.State == apitype.JobSent:
			sent++
			if received[j.MessageID] == 0 {
				t.Errorf("job %d says sent but its message %s never arrived", j.ID, j.MessageID)
			}
			dups += received[j.MessageID] - 1
		case strings.Contains(j.Error, "interrupted"):
			interrupted++
		default:
			t.Errorf("job %d failed: %s", j.ID, j.Error)
		}
	}
	known := map[string]bool{}
	for _, j := range all {
		known[j.MessageID] = true
	}
	for id := range received {
		if !known[id] {
			t.Errorf("message %s belongs to no job", id)
		}
	}
	t.Logf("%d power cuts over %d jobs: %d sent (%d delivered twice, same Message-ID), %d cut off while scanning and failed with the reason, %d messages received",
		jobs, len(all), sent, dups, interrupted, len(mailSrv.Messages()))
	if sent == 0 || sent+interrupted != len(all) {
		t.Fatalf("%d sent + %d interrupted of %d jobs", sent, interrupted, len(all))
	}
}

// messageID reads a message's Message-ID header, without brackets.
func messageID(msg string) string {
	for _, line := range strings.Split(msg, "\r\n") {
		if v, ok := strings.CutPrefix(line, "Message-Id: <"); ok {
			return strings.TrimSuffix(v, ">")
		}
		if line == "" {
			break
		}
	}
	return ""
}
