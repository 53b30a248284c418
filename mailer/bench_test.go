package mailer_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
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
// XOAUTH2 over STARTTLS; the server, a process of its own as a third
// party's would be, throws the message away as it reads it.
//
// The figure compared is the server's: from MAIL FROM accepted to the
// whole message read, the same clock for both clients, so that neither
// curl's start-up nor our dial counts. The whole sessions as each client
// sees them (Send's call, curl's process) are reported too, and each
// client's CPU time, which unlike the times does not depend on what else
// the machine is doing.
func BenchmarkSendVsCurl(b *testing.B) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Skip("curl is not installed")
	}
	dir := b.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	srv := startBenchServer(b, ca)
	pem, err := os.ReadFile(ca)
	if err != nil {
		b.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)

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

	s := &mailer.Sender{Config: mailer.Config{Host: srv.host, Port: srv.port, RootCAs: roots}}
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
			"smtp://"+srv.host+":"+strconv.Itoa(srv.port))
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
		n, d := srv.last(b)
		if n != size {
			b.Fatalf("the server received %d bytes, want %d", n, size)
		}
		return d
	}
	// CPU: curl's is its process's, Send's this process's during Send.
	var ours, theirs, oursWhole, theirsWhole, oursCPU, theirsCPU []time.Duration
	run := func(f func() error, server, whole, cpu *[]time.Duration) {
		start, startCPU := time.Now(), processCPU(b)
		if err := f(); err != nil {
			b.Fatal(err)
		}
		*whole = append(*whole, time.Since(start))
		*server = append(*server, last())
		if cpu != nil {
			*cpu = append(*cpu, processCPU(b)-startCPU)
		}
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := range b.N {
		// Each goes first in every other pair.
		if i%2 == 0 {
			run(send, &ours, &oursWhole, &oursCPU)
			run(curlSend, &theirs, &theirsWhole, nil)
		} else {
			run(curlSend, &theirs, &theirsWhole, nil)
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
		ms(median(oursCPU)), ms(median(theirsCPU)))
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

// benchServer is smtptest in a process of its own, this test binary run
// again as TestBenchServer: in this one it would share the Go runtime, its
// scheduler and its garbage collector, with Send, and not with curl.
type benchServer struct {
	host string
	port int
	in   io.Writer
	out  *bufio.Scanner
}

const benchServerEnv = "SCANMAIL_BENCH_SERVER_CA"

func startBenchServer(b *testing.B, ca string) *benchServer {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchServer$")
	cmd.Env = append(os.Environ(), benchServerEnv+"="+ca)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		in.Close() // the server ends
		cmd.Wait()
	})
	s := &benchServer{in: in, out: bufio.NewScanner(out)}
	if !s.out.Scan() {
		b.Fatalf("bench server did not start: %v", s.out.Err())
	}
	if _, err := fmt.Sscan(s.out.Text(), &s.host, &s.port); err != nil {
		b.Fatalf("bench server said %q: %v", s.out.Text(), err)
	}
	return s
}

// last is the size of the message the server received last and its time
// from MAIL FROM to accepted.
func (s *benchServer) last(b *testing.B) (int64, time.Duration) {
	var (
		n int64
		d time.Duration
	)
	if _, err := io.WriteString(s.in, "last\n"); err != nil {
		b.Fatal(err)
	}
	if !s.out.Scan() {
		b.Fatalf("bench server: %v", s.out.Err())
	}
	if _, err := fmt.Sscan(s.out.Text(), &n, &d); err != nil {
		b.Fatalf("bench server said %q: %v", s.out.Text(), err)
	}
	return n, d
}

// TestBenchServer is BenchmarkSendVsCurl's server when run by it: it writes
// its certificate to the file the environment names and its host and port
// to stdout, answers each line on stdin with the size and the time of the
// last message, and ends with stdin.
func TestBenchServer(t *testing.T) {
	ca := os.Getenv(benchServerEnv)
	if ca == "" {
		t.Skip("run by BenchmarkSendVsCurl")
	}
	srv := startServer(t, smtptest.Options{Discard: true, MaxMessageBytes: 64 << 20, Authenticate: checkToken})
	if err := os.WriteFile(ca, srv.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	fmt.Println(srv.Host(), srv.Port())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var r smtptest.Received
		if m := srv.Messages(); len(m) > 0 {
			r = m[len(m)-1]
		}
		fmt.Println(r.Size, int64(r.Accepted.Sub(r.Began)))
	}
}
