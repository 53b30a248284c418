package device

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"strconv"
	"strings"

	"scanmail/device/apitype"
	"scanmail/mailer"
	"scanmail/scan"
)

// maxRecipients keeps one job well inside Exchange Online's per-message
// recipient limit.
const maxRecipients = 100

// ErrBusy means the scanner is running another job.
var ErrBusy = errors.New("the scanner is busy with another job")

// Jobs lists up to limit jobs, newest first.
func (d *Device) Jobs(limit int) ([]apitype.Job, error) {
	return d.store.Jobs(limit)
}

// Scan scans a document and mails it to req.To as a PDF. progress, when not
// nil, hears of every step. The job is the device's, not the caller's: once
// scanning has begun it runs to its end even if ctx is canceled (the person
// walked away, a client hung up); ctx then only stops the progress reports.
func (d *Device) Scan(ctx context.Context, req apitype.ScanRequest, progress func(apitype.JobEvent)) (apitype.Job, error) {
	report := func(ev apitype.JobEvent) {
		if progress != nil && ctx.Err() == nil {
			progress(ev)
		}
	}
	to, err := recipients(req.To)
	if err != nil {
		return apitype.Job{}, err
	}
	// Refuse before scanning what could not be sent.
	if _, err := d.checkReady(); err != nil {
		return apitype.Job{}, err
	}
	if !d.jobMu.TryLock() {
		return apitype.Job{}, &Error{Summary: "The scanner is busy", Hint: "Wait for the running job to finish.", Err: ErrBusy}
	}
	defer d.jobMu.Unlock()
	end, err := d.begin()
	if err != nil {
		return apitype.Job{}, err
	}
	defer end()

	pages := req.Pages
	if pages <= 0 {
		pages = d.pages
	}
	job, err := d.store.NewJob(apitype.Job{Created: d.now(), To: to, State: apitype.JobScanning})
	if err != nil {
		return job, err
	}
	d.log.Info("job started", "job", job.ID, "recipients", len(to))
	report(apitype.JobEvent{Job: job})

	jobCtx := d.ctx // the job outlives the caller, not the daemon
	path := spoolPath(d.spoolDir, job.ID)
	job.Pages, job.Size, err = d.scanTo(jobCtx, path, pages, func(n int) {
		report(apitype.JobEvent{Job: job, Page: n})
	})
	if err != nil {
		job = d.finish(job, err)
		report(apitype.JobEvent{Job: job})
		return job, err
	}
	job.State = apitype.JobSending
	if err := d.store.PutJob(job); err != nil {
		return job, err
	}
	report(apitype.JobEvent{Job: job})

	err = d.send(jobCtx, &job, path)
	job = d.finish(job, err)
	report(apitype.JobEvent{Job: job})
	if err == nil {
		os.Remove(path)
	}
	return job, err
}

// finish records the job's end: sent, or failed with the reason.
func (d *Device) finish(job apitype.Job, err error) apitype.Job {
	job.Finished = d.now()
	job.State = apitype.JobSent
	if err != nil {
		job.State = apitype.JobFailed
		job.Error, job.Hint = Explain(err)
		d.log.Warn("job failed", "job", job.ID, "err", err)
	} else {
		d.log.Info("job sent", "job", job.ID, "pages", job.Pages, "bytes", job.Size, "message_id", job.MessageID)
	}
	if perr := d.store.PutJob(job); perr != nil {
		d.log.Error("job record not stored", "job", job.ID, "err", perr)
	}
	return job
}

// checkReady is readyToSend on the stored state.
func (d *Device) checkReady() (Provider, error) {
	s, err := d.store.Settings()
	if err != nil {
		return Provider{}, err
	}
	acct, ok, err := d.store.Account()
	if err != nil {
		return Provider{}, err
	}
	return d.readyToSend(s, acct, ok)
}

// scanTo scans a document into the spool file at path, reporting each page.
func (d *Device) scanTo(ctx context.Context, path string, pages int, page func(int)) (int, int64, error) {
	src, err := d.scanner.Scan(ctx, scan.Options{Mode: scan.ModeGray8, DPI: 300, Pages: pages})
	if err != nil {
		return 0, 0, &Error{Summary: "The scanner did not start", Err: err}
	}
	defer src.Close()
	f, err := createSpool(path)
	if err != nil {
		return 0, 0, &Error{Summary: "The scan could not be stored", Hint: "Check the spool directory's disk.", Err: err}
	}
	pdf := scan.NewPDFWriter(f, scan.PDFOptions{Producer: "scanmail"})
	n := 0
	for {
		pg, err := src.NextPage(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			err = pdf.WritePage(ctx, pg)
		}
		if err != nil {
			f.abort()
			return n, 0, &Error{Summary: fmt.Sprintf("Scanning stopped at page %d", n+1), Hint: "Check the scanner and scan again.", Err: err}
		}
		n++
		page(n)
	}
	if n == 0 {
		f.abort()
		return 0, 0, &Error{Summary: "Nothing was scanned", Hint: "Put the document in the feeder and scan again."}
	}
	if err := pdf.Close(); err != nil {
		f.abort()
		return n, 0, &Error{Summary: "The scan could not be stored", Err: err}
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		f.abort()
		return n, 0, &Error{Summary: "The scan could not be stored", Err: err}
	}
	if err := f.commit(); err != nil {
		return n, 0, &Error{Summary: "The scan could not be stored", Hint: "Check the spool directory's disk.", Err: err}
	}
	return n, size, nil
}

// send mails the spooled document as the signed-in account.
func (d *Device) send(ctx context.Context, job *apitype.Job, path string) error {
	// token re-checks the UPN rule: nothing connects to the mail
	// server while the device address is not the signed-in account.
	tok, acct, err := d.token(ctx)
	if err != nil {
		return err
	}
	s, err := d.store.Settings()
	if err != nil {
		return err
	}
	p, err := s.ResolveProvider()
	if err != nil {
		return err
	}
	var roots *x509.CertPool
	if p.CABundle != "" {
		if roots, err = certPool(p.CABundle); err != nil {
			return err
		}
	}
	now := d.now()
	fill := strings.NewReplacer("{pages}", strconv.Itoa(job.Pages), "{date}", now.Format("2006-01-02 15:04"))
	job.MessageID = mailer.NewMessageID(domainOf(acct.UPN))
	msg := &mailer.Message{
		From:      acct.UPN,
		To:        job.To,
		Subject:   fill.Replace(s.Subject),
		Body:      fill.Replace(s.Body),
		Date:      now,
		MessageID: job.MessageID,
		Attachments: []mailer.Attachment{{
			Filename:    "scan-" + job.Created.Format("20060102-150405") + ".pdf",
			ContentType: "application/pdf",
			Open:        func() (io.ReadCloser, error) { return os.Open(path) },
		}},
	}
	sender := mailer.Sender{Config: mailer.Config{
		Host:    p.SMTPHost,
		Port:    p.SMTPPort,
		RootCAs: roots,
		Logger:  d.log,
	}}
	return sender.Send(ctx, mailer.NewXOAuth2Client(acct.UPN, tok.AccessToken), acct.UPN, msg)
}

// recipients checks the addresses a job goes to.
func recipients(list []string) ([]string, error) {
	var out []string
	for _, s := range list {
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			a, err := mail.ParseAddress(part)
			if err != nil {
				return nil, &Error{Summary: fmt.Sprintf("%q is not an e-mail address", part), Hint: "Check the destination address."}
			}
			out = append(out, a.Address)
		}
	}
	switch {
	case len(out) == 0:
		return nil, &Error{Summary: "No destination", Hint: "Choose at least one e-mail address to send to."}
	case len(out) > maxRecipients:
		return nil, &Error{Summary: fmt.Sprintf("Too many destinations (%d, at most %d)", len(out), maxRecipients)}
	}
	return out, nil
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "scanmail.invalid"
}
