package mailer_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"

	"scanmail/mailer"
)

// TestSendInjectionBeforeTLS: bytes that come in the clear with the answer
// to STARTTLS, as someone on the path could add them to be read as the
// server's first words inside TLS, end the session before the handshake.
func TestSendInjectionBeforeTLS(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	heard := make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var lines []string
		defer func() { heard <- lines }()
		r := bufio.NewReader(c)
		// One write each, which a reader on loopback gets whole.
		for _, answer := range []string{
			"220 mx.example.com ESMTP\r\n",
			"250-mx.example.com\r\n250-STARTTLS\r\n250 AUTH XOAUTH2\r\n", // to EHLO
			"220 2.0.0 Ready\r\n250-injected\r\n250 AUTH PLAIN\r\n",      // to STARTTLS
		} {
			if _, err := c.Write([]byte(answer)); err != nil {
				return
			}
			line, err := r.ReadString('\n')
			if line != "" {
				lines = append(lines, strings.TrimSpace(line))
			}
			if err != nil {
				return // the client hung up
			}
		}
	}()

	addr := ln.Addr().(*net.TCPAddr)
	s := &mailer.Sender{Config: mailer.Config{Host: addr.IP.String(), Port: addr.Port}}
	e := asError(t, s.Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, testMessage()))
	if e.Step != "starttls" || !strings.Contains(e.Error(), "more than its answer to STARTTLS") {
		t.Errorf("error %v at %q, want the injection found at starttls", e, e.Step)
	}
	// What the server heard: EHLO, STARTTLS, and no TLS ClientHello.
	if lines := <-heard; len(lines) != 2 || lines[1] != "STARTTLS" {
		t.Errorf("the server heard %q, want EHLO and STARTTLS only", lines)
	}
}
