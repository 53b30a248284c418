package mailer_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"scanmail/mailer"
	"scanmail/mailer/smtptest"
)

// BenchmarkSendVsCurl sends the same 35 MiB message to one server on
// loopback with Send and with curl --upload-file, interleaved, a pair of
// sessions per iteration (run it with -benchtime Nx). Both sign in with
// XOAUTH2 over STARTTLS; the server throws the message away as it reads it.
//
// The figure compared is the server's: from MAIL FROM accepted to the
// whole message read, the same clock for both clients, so that neither
// curl's start-up nor our dial counts. The whole sessions as each client
// sees them (Send's call, curl's process) are reported too.
func BenchmarkSendVsCurl(b *testing.B) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Skip("curl is not installed")
	}
	srv, err := smtptest.Start(smtptest.Options{Discard: true, MaxMessageBytes: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })

	dir := b.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, srv.CertPEM(), 0o600); err != nil {
		b.Fatal(err)
	}
	// An attachment that makes a 35 MiB message: base64 turns 57 bytes
	// into a line of 78.
	pdf := filepath.Join(dir, "scan.pdf")
	data := make([]byte, (35<<20)/78*57)
	rand.NewChaCha8([32]byte{19}).Read(data)
	if err := os.WriteFile(pdf, data, 0o600); err != nil {
		b.Fatal(err)
	}
	msg := testMessage(mailer.Attachment{
		Filename:    "scan.pdf",
		ContentType: "application/pdf",
		Size:        int64(len(data)),
		Open:        func() (io.ReadCloser, error) { return os.Open(pdf) },
	})
	msg.Date, msg.MessageID = time.Now(), mailer.NewMessageID("contoso.com")
	eml := filepath.Join(dir, "message.eml")
	f, err := os.Create(eml)
	if err != nil {
		b.Fatal(err)
	}
	size, err := msg.WriteTo(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}

	s := senderFor(srv)
	auth := mailer.NewXOAuth2Client(user, token)
	send := func() error {
		s.Config.Transcript = mailer.NewTranscript(0, 0, nil) // as the device sends
		return s.Send(context.Background(), auth, user, msg)
	}
	var curlCPU time.Duration
	curlSend := func() error {
		cmd := exec.Command(curl, "--silent", "--show-error", "--ssl-reqd",
			"--cacert", ca, "--user", user+":", "--login-options", "AUTH=XOAUTH2", "--oauth2-bearer", token,
			"--mail-from", user, "--mail-rcpt", "alice@example.com", "--mail-rcpt", "bob@example.com", "--upload-file", eml,
			"smtp://"+srv.Host()+":"+strconv.Itoa(srv.Port()))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("curl: %w: %s", err, out.Bytes())
		}
		curlCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		return nil
	}

	// The server's figure of the session that just ended.
	last := func() time.Duration {
		m := srv.Messages()
		r := m[len(m)-1]
		if r.Size != size {
			b.Fatalf("the server received %d bytes, want %d", r.Size, size)
		}
		return r.Accepted.Sub(r.Began)
	}
	// CPU: curl's is its process's; Send's is this process's during Send
	// less this process's during curl's session, which is the server's
	// share of the same work.
	var ours, theirs, oursWhole, theirsWhole, oursCPU, theirsCPU, serverCPU []time.Duration
	run := func(f func() error, server, whole, cpu *[]time.Duration) {
		start, startCPU := time.Now(), processCPU(b)
		if err := f(); err != nil {
			b.Fatal(err)
		}
		*whole = append(*whole, time.Since(start))
		*server = append(*server, last())
		*cpu = append(*cpu, processCPU(b)-startCPU)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := range b.N {
		// Each goes first in every other pair.
		if i%2 == 0 {
			run(send, &ours, &oursWhole, &oursCPU)
			run(curlSend, &theirs, &theirsWhole, &serverCPU)
		} else {
			run(curlSend, &theirs, &theirsWhole, &serverCPU)
			run(send, &ours, &oursWhole, &oursCPU)
		}
		theirsCPU = append(theirsCPU, curlCPU)
	}
	b.StopTimer()

	o, c := median(ours), median(theirs)
	ow, cw := median(oursWhole), median(theirsWhole)
	b.ReportMetric(ms(o), "ms/send")
	b.ReportMetric(ms(c), "ms/curl")
	b.ReportMetric(float64(o)/float64(c), "send/curl")
	b.Logf("%.1f MiB message, %d pairs; MAIL FROM to accepted, median: Send %.0f ms, curl %.0f ms, ratio %.2f; whole sessions: Send %.0f ms, curl %.0f ms, ratio %.2f; client CPU: Send %.0f ms, curl %.0f ms",
		float64(size)/(1<<20), len(ours), ms(o), ms(c), float64(o)/float64(c), ms(ow), ms(cw), float64(ow)/float64(cw),
		ms(median(oursCPU)-median(serverCPU)), ms(median(theirsCPU)))
}

func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
