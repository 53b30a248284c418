package demo

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"scanmail/device"
	"scanmail/device/apitype"
	"scanmail/mailer/smtptest"
)

// console guides a newcomer through the product: the admin's sign-in, then
// the operator's scan to email. It stands in for the front panel.
type console struct {
	dev     *device.Device
	cfg     Config
	idpURL  string
	mail    *smtptest.Server
	out     io.Writer
	lines   <-chan string
	defRcpt string
}

func (c *console) printf(format string, args ...any) {
	fmt.Fprintf(c.out, format, args...)
}

func (c *console) run(ctx context.Context) error {
	c.printf("\n=== scanmail demo ===\n")
	c.printf("Everything runs on this machine (loopback only):\n")
	c.printf("  identity provider  %s (behaves like Microsoft's device sign-in)\n", c.idpURL)
	c.printf("  SMTP server        localhost:%d (STARTTLS, then XOAUTH2 checked against the identity provider;\n", c.mail.Port())
	c.printf("                     up to %d MB a message, like Exchange Online: larger scans go as numbered parts)\n", maxMessageMB)
	c.printf("  received mail      %s/ (one .eml file a message)\n", c.cfg.MailDir)
	c.printf("  daemon log         %s\n", c.cfg.LogFile)
	c.printf("  command line       in another terminal: %s -socket %s status\n", c.cfg.Binary, c.cfg.Socket)

	for {
		st, err := c.dev.Status()
		if err != nil {
			return err
		}
		var next func(context.Context) bool
		if st.Account == nil {
			c.printf("\nStep 1 of 2 - the admin signs the device in.\n")
			c.printf("  Press Enter to start sign-in (q then Enter quits).\n> ")
			next = c.signIn
		} else {
			c.printf("\nStep 2 of 2 - the operator scans to email. The device sends as %s.\n", st.Account.UPN)
			c.printf("  Type the destination address(es), or just press Enter for %s.\n", c.defRcpt)
			c.printf("  (s then Enter signs in again, q then Enter quits.)\n> ")
			next = c.scan
		}
		line, ok := c.read(ctx)
		if !ok {
			return c.idle(ctx)
		}
		switch strings.ToLower(line) {
		case "q", "quit", "exit":
			c.printf("Bye.\n")
			return nil
		case "s":
			next = c.signIn
		default:
			if st.Account == nil && line != "" {
				c.printf("  (press Enter alone to start sign-in)\n")
				continue
			}
			if st.Account != nil && line != "" {
				c.defRcpt = line
			}
		}
		if !next(ctx) {
			return nil
		}
	}
}

// read waits for a line; ok is false at the end of input or of ctx.
func (c *console) read(ctx context.Context) (string, bool) {
	select {
	case line, ok := <-c.lines:
		return line, ok
	case <-ctx.Done():
		return "", false
	}
}

// idle keeps the daemon serving when nobody types (no terminal, or input
// closed): the command line and the servers still work.
func (c *console) idle(ctx context.Context) error {
	if ctx.Err() == nil {
		c.printf("\n(no more input: the demo keeps running; use the command line, Ctrl-C stops it)\n")
		<-ctx.Done()
	}
	return nil
}

func (c *console) signIn(ctx context.Context) bool {
	// The person at the demo's terminal is its admin, told to sign in
	// with any address: a new one replaces the last run's account.
	s, err := c.dev.StartSignIn(ctx, apitype.SignInRequest{ReplaceAccount: true})
	if err != nil {
		msg, hint := device.Explain(err)
		c.printf("  Sign-in could not start: %s\n", msg)
		if hint != "" {
			c.printf("  What to do: %s\n", hint)
		}
		return true
	}
	uri := s.VerificationURI
	if s.VerificationURIComplete != "" {
		uri = s.VerificationURIComplete
	}
	c.printf("\n  On a phone or in a browser, open:  %s\n", s.VerificationURI)
	if q, err := qrText(uri); err == nil {
		c.printf("%s", q)
	}
	c.printf("  and enter the code:  %s\n", s.UserCode)
	c.printf("  Sign in with any address, e.g. scanner@contoso.example, and approve.\n")
	c.printf("  (No browser here? %s)\n", approveHint(s.VerificationURI, s.UserCode))
	c.printf("  The code expires at %s. Waiting...\n", s.ExpiresAt.Local().Format(time.TimeOnly))
	for {
		cur, changed := c.dev.SignIn()
		if cur.Done() {
			switch cur.State {
			case apitype.SignInDone:
				c.printf("\n  Signed in as %s. The device address is now %s: mail goes out from this account.\n", cur.UPN, cur.UPN)
			case apitype.SignInFailed:
				c.printf("\n  Sign-in failed: %s\n", cur.Error)
				if cur.Hint != "" {
					c.printf("  What to do: %s\n", cur.Hint)
				}
			default:
				c.printf("\n  Sign-in %s.\n", cur.State)
			}
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-changed:
		}
	}
}

func (c *console) scan(ctx context.Context) bool {
	c.printf("\n  Scanning...\n")
	job, err := c.dev.Scan(ctx, apitype.ScanRequest{To: []string{c.defRcpt}}, func(ev apitype.JobEvent) {
		switch {
		case ev.Note != "":
			c.printf("  %s\n", ev.Note)
		case ev.Page > 0:
			c.printf("    page %d scanned\n", ev.Page)
		case ev.Job.State == apitype.JobSending:
			c.printf("  Sending %d page(s) (%d KB PDF) to %s...\n", ev.Job.Pages, ev.Job.Size/1024, strings.Join(ev.Job.To, ", "))
		}
	})
	if ctx.Err() != nil {
		return false
	}
	if err != nil {
		msg, hint := device.Explain(err)
		c.printf("  Not sent: %s\n", msg)
		if hint != "" {
			c.printf("  What to do: %s\n", hint)
		}
		return true
	}
	if n := len(job.Parts); n > 0 {
		c.printf("  Sent (job %d, in %d numbered parts: the document was larger than one message may be).\n", job.ID, n)
	} else {
		c.printf("  Sent (job %d).\n", job.ID)
	}
	if job.Error != "" {
		c.printf("  %s\n  What to do: %s\n", job.Error, job.Hint)
	}
	msgs := c.mail.Messages()
	if n := len(job.Parts); n > 0 && len(msgs) >= n {
		for i, m := range msgs[len(msgs)-n:] {
			c.printf("  The SMTP server saved part %d of %d as: %s\n", i+1, n, m.Path)
		}
	} else if len(msgs) > 0 {
		c.printf("  The SMTP server saved it as: %s\n", msgs[len(msgs)-1].Path)
	}
	return true
}

// approveHint is the browser's form post as a command, for machines with no
// browser (a board on the bench, a server over ssh).
func approveHint(uri, code string) string {
	return fmt.Sprintf("run: curl -s -o /dev/null -d step=account -d code=%s -d username=scanner@contoso.example -d action=approve %s",
		code, uri)
}
