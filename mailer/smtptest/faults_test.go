package smtptest_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/mailer/smtptest"
)

// bigMsg is large enough that a drop after the message's first KiB comes
// while the client is still sending.
var bigMsg = testMsg + strings.Repeat(strings.Repeat("x", 98)+"\r\n", 640)

// cappedConn gives every wait of go-smtp's client, the greeting's included,
// at most wait: a stalled server then shows as a timeout.
type cappedConn struct {
	net.Conn
	wait time.Duration
}

func (c cappedConn) SetDeadline(time.Time) error {
	return c.Conn.SetDeadline(time.Now().Add(c.wait))
}

// attempt makes one submission of bigMsg over a new connection and says at
// which step it failed: "connect" (greeting, EHLO, STARTTLS), "auth",
// "mail", "rcpt" or "data" (after the server's 354).
func attempt(t *testing.T, srv *smtptest.Server, wait time.Duration) (step string, err error) {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c, err := smtp.NewClientStartTLS(cappedConn{conn, wait}, &tls.Config{RootCAs: srv.RootCAs(), ServerName: srv.Host()})
	if err != nil {
		return "connect", err
	}
	defer c.Close()
	if err := c.Auth(&xoauth2{user: user, token: token}); err != nil {
		return "auth", err
	}
	if err := c.Mail(user, nil); err != nil {
		return "mail", err
	}
	if err := c.Rcpt("bob@example.com", nil); err != nil {
		return "rcpt", err
	}
	w, err := c.Data()
	if err != nil {
		return "data 354", err
	}
	if _, err := w.Write([]byte(bigMsg)); err != nil {
		return "data", err
	}
	if err := w.Close(); err != nil {
		return "data", err
	}
	return "", nil
}

// TestDropAndStall: each scripted fault hits its step on the next
// connection only; a drop ends the connection without an answer, a stall
// leaves the client waiting, and the server keeps nothing of the message.
func TestDropAndStall(t *testing.T) {
	busy := &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Concurrent connections limit exceeded"}
	tests := []struct {
		step   string
		script func(*smtptest.Server, string)
		want   string // "drop", "stall" or "answer" (busy)
	}{
		{"connect", (*smtptest.Server).DropNext, "drop"},
		{"auth", (*smtptest.Server).DropNext, "drop"},
		{"mail", (*smtptest.Server).DropNext, "drop"},
		{"rcpt", (*smtptest.Server).DropNext, "drop"},
		{"data", (*smtptest.Server).DropNext, "drop"},
		{"connect", (*smtptest.Server).StallNext, "stall"},
		{"auth", (*smtptest.Server).StallNext, "stall"},
		{"mail", (*smtptest.Server).StallNext, "stall"},
		{"rcpt", (*smtptest.Server).StallNext, "stall"},
		{"data", (*smtptest.Server).StallNext, "stall"},
		{"connect", func(s *smtptest.Server, step string) { s.FailNext(step, busy) }, "answer"},
	}
	for _, tt := range tests {
		t.Run(tt.want+" at "+tt.step, func(t *testing.T) {
			srv := start(t, smtptest.Options{})
			tt.script(srv, tt.step)
			step, err := attempt(t, srv, time.Second)
			if step != tt.step {
				t.Fatalf("failed at %q (%v), want at %q", step, err, tt.step)
			}
			var (
				se *smtp.SMTPError
				ne net.Error
			)
			answered, timedOut := errors.As(err, &se), errors.As(err, &ne) && ne.Timeout()
			switch tt.want {
			case "drop":
				if answered || timedOut {
					t.Errorf("got %v, want the connection dropped", err)
				}
			case "stall":
				if !timedOut {
					t.Errorf("got %v, want a timeout", err)
				}
			case "answer":
				wantAnswer(t, "greeting", err, busy.Code, busy.EnhancedCode)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("%d messages kept", n)
			}
			// The fault is used up; a stalled connection does not hold up
			// the next one.
			if step, err := attempt(t, srv, 10*time.Second); err != nil {
				t.Errorf("next connection failed at %s: %v", step, err)
			}
			if n := len(srv.Messages()); n != 1 {
				t.Errorf("%d messages after the next connection, want 1", n)
			}
			// Close ends a stall rather than waiting for it.
			if err := srv.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}

// TestFaultOrder: faults of different kinds queue up for a step in the
// order they were scripted.
func TestFaultOrder(t *testing.T) {
	srv := start(t, smtptest.Options{})
	busy := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 500}, Message: "Server busy"}
	srv.FailNext("mail", nil)
	srv.DropNext("mail")
	srv.FailNext("mail", busy)
	if step, err := attempt(t, srv, 10*time.Second); err != nil {
		t.Fatalf("first: failed at %s: %v, want it let through", step, err)
	}
	step, err := attempt(t, srv, 10*time.Second)
	var se *smtp.SMTPError
	if step != "mail" || err == nil || errors.As(err, &se) {
		t.Errorf("second: failed at %q with %v, want dropped at mail", step, err)
	}
	step, err = attempt(t, srv, 10*time.Second)
	if step != "mail" {
		t.Errorf("third: failed at %q with %v, want at mail", step, err)
	}
	wantAnswer(t, "third MAIL", err, 451, busy.EnhancedCode)
	if step, err := attempt(t, srv, 10*time.Second); err != nil {
		t.Errorf("fourth: failed at %s: %v, want the queue empty", step, err)
	}

	defer func() {
		if recover() == nil {
			t.Error("DropNext with an unknown step did not panic")
		}
	}()
	srv.DropNext("quit")
}

// TestTLSFaults: servers whose TLS a client must refuse, and which it can
// still reach when it accepts what they offer.
func TestTLSFaults(t *testing.T) {
	t.Run("expired certificate", func(t *testing.T) {
		srv := start(t, smtptest.Options{ExpiredCertificate: true})
		_, err := attempt(t, srv, 10*time.Second)
		var ce x509.CertificateInvalidError
		if !errors.As(err, &ce) || ce.Reason != x509.Expired {
			t.Errorf("got %v, want an expired certificate", err)
		}
		if n := srv.AuthAttempts(); n != 0 {
			t.Errorf("%d AUTH commands", n)
		}
		// It is the validity that fails, nothing else.
		c, err := smtp.DialStartTLS(srv.Addr(), &tls.Config{RootCAs: srv.RootCAs(), Time: func() time.Time { return time.Now().Add(-36 * time.Hour) }})
		if err == nil {
			err = c.Hello("test.example")
			c.Close()
		}
		if err != nil {
			t.Errorf("with a clock two days behind: %v", err)
		}
	})
	t.Run("TLS 1.1 only", func(t *testing.T) {
		srv := start(t, smtptest.Options{MaxTLSVersion: tls.VersionTLS11})
		if _, err := attempt(t, srv, 10*time.Second); err == nil || !strings.Contains(err.Error(), "protocol version") {
			t.Errorf("got %v, want the TLS version refused", err)
		}
		if n := srv.AuthAttempts(); n != 0 {
			t.Errorf("%d AUTH commands", n)
		}
		c, err := smtp.DialStartTLS(srv.Addr(), &tls.Config{RootCAs: srv.RootCAs(), MinVersion: tls.VersionTLS10})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Hello("test.example"); err != nil {
			t.Fatalf("a TLS 1.1 client: %v", err)
		}
		if st, _ := c.TLSConnectionState(); st.Version != tls.VersionTLS11 {
			t.Errorf("version %s, want TLS 1.1", tls.VersionName(st.Version))
		}
	})
}
