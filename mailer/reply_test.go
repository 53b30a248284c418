package mailer

import (
	"bufio"
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// scriptServer answers on c: "220" first if greet, "250" to EHLO, and
// reply to anything else.
func scriptServer(c net.Conn, greet bool, reply string) {
	defer c.Close()
	if greet {
		c.Write([]byte("220 mx.example.com\r\n"))
	}
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		answer := reply
		if strings.HasPrefix(line, "EHLO") {
			answer = "250 mx.example.com\r\n"
		}
		if _, err := c.Write([]byte(answer)); err != nil {
			return
		}
	}
}

// TestReplyErrors: a refusal read by lockstep is the *smtp.SMTPError that
// go-smtp's Client makes of the same reply, with the same enhanced code,
// so that the error catalogue sees no difference.
func TestReplyErrors(t *testing.T) {
	replies := []string{
		"554 5.6.0 Content rejected\r\n",
		"552-5.3.4 Message size exceeds\r\n552 5.3.4 fixed maximum message size\r\n",
		"550-5.7.1 first\r\n550 5.7.2 second\r\n",
		"451 Temporary local problem\r\n",
		"550 5.1 two parts\r\n",
		"554 x.y.z not a code\r\n",
		"550 5.7.1\r\n",
		"421 4.3.2 \r\n",
		"500\r\n",
		"250 OK\r\n", // not the 354 expected
	}
	for _, reply := range replies {
		t.Run(strings.TrimSpace(reply), func(t *testing.T) {
			a, b := net.Pipe()
			go scriptServer(b, true, reply)
			c := smtp.NewClient(a)
			defer c.Close()
			want := c.Mail("a@example.com", nil)
			if reply == "250 OK\r\n" {
				_, want = c.Data()
			}

			a, b = net.Pipe()
			go scriptServer(b, false, reply)
			defer a.Close()
			expect := 250
			if reply == "250 OK\r\n" {
				expect = 354
			}
			_, got := newLockstep(a, time.Minute).cmd(expect, "MAIL FROM:<a@example.com>")

			var gse, wse *smtp.SMTPError
			if !errors.As(got, &gse) || !errors.As(want, &wse) {
				// A malformed reply: the same textproto error.
				if got == nil || want == nil || got.Error() != want.Error() {
					t.Errorf("got %v, go-smtp %v", got, want)
				}
				return
			}
			if !reflect.DeepEqual(gse, wse) {
				t.Errorf("got %#v, go-smtp %#v", gse, wse)
			}
		})
	}
}

// TestReplyLineTooLong: a server line longer than go-smtp takes fails as
// in go-smtp, rather than being buffered whole.
func TestReplyLineTooLong(t *testing.T) {
	a, b := net.Pipe()
	go scriptServer(b, false, "250 "+strings.Repeat("x", 3*maxReplyLine)+"\r\n")
	defer a.Close()
	if _, err := newLockstep(a, time.Minute).cmd(250, "NOOP"); !errors.Is(err, smtp.ErrTooLongLine) {
		t.Errorf("got %v, want smtp.ErrTooLongLine", err)
	}
}
