package device

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-sasl"

	"scanmail/device/apitype"
	"scanmail/mailer"
	"scanmail/scan"
)

// maxRecipients keeps one job well inside Exchange Online's per-message
// recipient limit.
const maxRecipients = 100

// ErrBusy means the scanner is running another job.
var ErrBusy = errors.New("the scanner is busy with another job")

// Jobs lists up to limit jobs, newest first, without their SMTP logs
// (Job has a job's).
func (d *Device) Jobs(limit int) ([]apitype.Job, error) {
	jobs, err := d.store.Jobs(limit)
	for i := range jobs {
		jobs[i].SMTPLog = nil
	}
	return jobs, err
}

// Job is the job with that ID, with its SMTP log.
func (d *Device) Job(id uint64) (apitype.Job, error) {
	job, ok, err := d.store.Job(id)
	switch {
	case err != nil:
		return job, err
	case !ok:
		return job, jobCtlError(id, ErrNoJob)
	}
	return job, nil
}

// Scan scans a document and mails it to req.To. progress, when not nil,
// hears of every step. The scanner is held only while it scans: once the
// job is queued, the next document can be scanned while this one is sent.
// The job is the device's, not the caller's: once scanning has begun it
// runs to its end even if ctx is canceled (the person walked away, a client
// hung up); ctx then only stops the progress reports. CancelJob cancels it.
func (d *Device) Scan(ctx context.Context, req apitype.ScanRequest, progress func(apitype.JobEvent)) (apitype.Job, error) {
	report := func(ev apitype.JobEvent) {
		if progress != nil && ctx.Err() == nil {
			// The sender goes on marking parts sent in this slice
			// while the local API's stream still holds the step.
			ev.Job.Parts = slices.Clone(ev.Job.Parts)
			progress(ev)
		}
	}
	to, err := d.scanRecipients(req)
	if err != nil {
		return apitype.Job{}, err
	}
	// Refuse before scanning what could not be sent or kept.
	s, err := d.checkReady()
	if err != nil {
		return apitype.Job{}, err
	}
	if s.road() == apitype.RoadDirect {
		if err := checkInternal(to, s.acceptedDomains()); err != nil {
			return apitype.Job{}, err
		}
	}
	js, err := s.jobScan(req.ScanOptions)
	if err != nil {
		return apitype.Job{}, err
	}
	if req.Flatbed && req.Duplex {
		return apitype.Job{}, optionError("duplex", errors.New("2-sided scanning takes the sheets from the feeder, not the glass"))
	}
	room, release, err := d.spoolRoom(s.Spool)
	defer release()
	if err != nil {
		return apitype.Job{}, err
	}
	end, err := d.begin()
	if err != nil {
		return apitype.Job{}, err
	}
	defer end()
	job, err := d.scanJob(s, js, req, to, room, report)
	release() // the document is on the disk, or gone
	if err != nil {
		return job, err
	}
	// The scanner is free for the next document now; this job's first
	// attempt is made at once, unless the outbox took it first.
	job, err = d.deliver(d.ctx, job.ID, report)
	if job.State == apitype.JobQueued {
		// The outbox has the job now; wake it so that it sets its timer
		// for the retry instead of sleeping on an older one (up to an hour).
		d.kick()
	}
	report(apitype.JobEvent{Job: job})
	return job, err
}

// scanJob scans the document and queues the job, holding the scanner only
// while it scans.
func (d *Device) scanJob(s Settings, js jobScan, req apitype.ScanRequest, to []string, room int64, report func(apitype.JobEvent)) (apitype.Job, error) {
	if !d.jobMu.TryLock() {
		return apitype.Job{}, &Error{Summary: "The scanner is busy", Hint: "Wait for the running job to finish.", Err: ErrBusy}
	}
	// The job outlives the caller, not the daemon, and can be canceled.
	sc := d.startScan()
	defer func() {
		d.jobMu.Unlock()
		d.endScan(sc)
	}()

	pages := req.Pages
	if pages <= 0 {
		pages = d.pages
	}
	if req.Flatbed {
		pages = 1 // a page at a time, from the glass
	}
	// What sending needs is in the record from the start, so that every
	// attempt, after a restart too, sends the same.
	job, err := d.store.NewJob(apitype.Job{
		Created: d.now(), To: to, State: apitype.JobScanning,
		Format: js.format.String(), PerPage: js.perPage, Subject: js.subject,
	})
	if err != nil {
		return job, err
	}
	d.scanRecorded(sc, job.ID)
	d.log.Info("job started", "job", job.ID, "recipients", len(to), "flatbed", req.Flatbed)
	report(apitype.JobEvent{Job: job})

	dir := spoolPath(d.spoolDir, job.ID)
	linkBefore, metered := d.linkStats()
	job, err = d.scanTo(sc, dir, job, js, pages, req.Flatbed, room, report)
	if metered {
		// The job holds the scanner: what the link counted since it
		// began is the job's. A link that never came up (Dial failed)
		// counted nothing, and the job's error says why.
		linkAfter, _ := d.linkStats()
		if q := linkQuality(subStats(linkAfter, linkBefore)); q.Verdict != "" {
			job.Link = q
		}
		if q := job.Link; q != nil && q.Verdict != apitype.LinkClean {
			d.log.Warn("scanner link noisy", "job", job.ID, "quality", q.Text())
		}
	}
	if err != nil {
		job = d.finish(job, err)
		report(apitype.JobEvent{Job: job})
		return job, err
	}
	// Durable from here: the document is on disk and the job queued,
	// with the Message-ID every attempt will carry.
	job.State = apitype.JobQueued
	job.NextAttempt = d.now()
	job.MessageID = mailer.MessageIDFor(s.DeviceAddress)
	if err := d.store.PutJob(job); err != nil {
		return job, err
	}
	report(apitype.JobEvent{Job: job})
	return job, nil
}

func (d *Device) deviceAddress() string {
	s, err := d.store.Settings()
	if err != nil {
		return ""
	}
	return s.DeviceAddress
}

// finish records the job's end: sent, or failed with the reason.
func (d *Device) finish(job apitype.Job, err error) apitype.Job {
	job.Finished = d.now()
	job.State = apitype.JobSent
	job.Error, job.Hint = Explain(err) // none when sent: an earlier attempt's reason is over
	job.ErrorCode = CodeOf(err)
	switch {
	case errors.Is(err, ErrScanCanceled):
		job.State = apitype.JobCanceled
		d.log.Info("job canceled while scanning", "job", job.ID)
	case err != nil:
		job.State = apitype.JobFailed
		d.log.Warn("job failed", "job", job.ID, "err", err)
	default:
		d.log.Info("job sent", "job", job.ID, "pages", job.Pages, "bytes", job.Size, "message_id", job.MessageID)
	}
	if perr := d.store.PutJob(job); perr != nil {
		d.log.Error("job record not stored", "job", job.ID, "err", perr)
	}
	d.kickPrune()
	return job
}

// checkReady is readyToSend on the stored state; it returns the settings
// it checked.
func (d *Device) checkReady() (Settings, error) {
	s, err := d.store.Settings()
	if err != nil {
		return s, err
	}
	acct, ok, err := d.store.Account()
	if err != nil {
		return s, err
	}
	_, err = d.readyToSend(s, acct, ok)
	return s, err
}

// scanTo scans a document as js says, of at most room bytes, into the
// spool directory dir, reporting each page. The directory appears under
// its name only once every file in it is complete and on disk. A flatbed
// job asks the scanner for a page at a time and, after each, waits for the
// operator to say whether another follows. The scan stops when sc is
// canceled, or when the scanner falls silent.
func (d *Device) scanTo(sc *runningScan, dir string, job apitype.Job, js jobScan, pages int, flatbed bool, room int64, report func(apitype.JobEvent)) (apitype.Job, error) {
	sp, err := createSpool(dir)
	if err != nil {
		return job, storeError(err)
	}
	doc, err := scan.CreateDocument(sp.tmp, scan.DocumentOptions{
		Format:  js.format,
		Quality: js.quality,
		Name:    "scan-" + job.Created.Format("20060102-150405"),
		Title:   strings.ReplaceAll(js.doc.Title, "{date}", job.Created.Format("2006-01-02 15:04")),
		Author:  js.doc.Author,
		Created: job.Created,
		PDFA:    js.doc.PDFA,
		// The room is enforced as the document grows: a page never ends
		// up on a full disk, nor in the state file's reserve.
		MaxBytes: room,
		PerPage:  js.perPage,
	})
	if err != nil {
		sp.abort()
		return job, &Error{Summary: "The scan could not be stored", Err: err}
	}
	fail := func(err error) (apitype.Job, error) {
		doc.Close()
		sp.abort()
		return job, err
	}
	opts := js.opts
	opts.Pages = pages
	var blanks *scan.BlankFilter
	if js.blank != nil {
		// Its page copies lie in the spool directory, unlinked.
		blanks = scan.NewBlankFilter(sp.tmp, *js.blank)
		defer blanks.Close()
	}
	for {
		err := d.scanPages(sc, doc, opts, room, blanks, func(n int) {
			report(apitype.JobEvent{Job: job, Page: n})
			d.publishJob(apitype.JobEvent{Job: job, Page: n})
		})
		if err != nil {
			return fail(err)
		}
		if !flatbed || doc.Pages() == 0 {
			break
		}
		more, err := d.awaitMore(sc, &job, doc.Pages(), report)
		if err != nil {
			return fail(err)
		}
		if !more {
			break
		}
	}
	if doc.Pages() == 0 {
		return fail(&Error{Summary: "Nothing was scanned", Hint: "Put the document in the feeder and scan again.", Code: apitype.CodeScannerFeederEmpty})
	}
	if err := doc.Close(); err != nil {
		sp.abort()
		if full := spoolFull(err, room); full != nil {
			return job, full
		}
		return job, storeError(err)
	}
	if err := sp.commit(); err != nil {
		return job, storeError(err)
	}
	job.Pages, job.Size, job.Format = doc.Pages(), doc.Size(), js.format.String()
	if blanks != nil {
		job.BlankLeftOut, job.AllBlank = blanks.Dropped(), blanks.AllBlank()
		if job.BlankLeftOut > 0 || job.AllBlank {
			d.log.Info("blank pages left out", "job", job.ID, "pages", job.Pages, "left_out", job.BlankLeftOut, "all_blank", job.AllBlank)
		}
	}
	return job, nil
}

// scanPages asks the scanner for the pages opts says and adds them to doc,
// reporting each; blanks, when not nil, leaves the blank ones out.
func (d *Device) scanPages(sc *runningScan, doc *scan.Document, opts scan.Options, room int64, blanks *scan.BlankFilter, page func(int)) error {
	ctx := sc.ctx
	raw, err := d.scanner.Scan(ctx, opts)
	if err != nil {
		if stopped := scanStopped(ctx); stopped != nil {
			return stopped
		}
		if opts.Duplex && errors.Is(err, scan.ErrUnsupported) {
			return &Error{Summary: "This scanner cannot scan 2-sided", Hint: "Scan 1-sided, or ask the admin about the scanner's duplex unit.", Err: err, Code: apitype.CodeScannerFailed}
		}
		return scannerError("The scanner did not start", err)
	}
	var src scan.Source = watchSource(raw, d.scannerTimeout, sc.cancel)
	if blanks != nil {
		src = blanks.Source(src)
	}
	// Closing a source that has not ended tells the engine to stop
	// (CANCEL on the link): a canceled or silent scan ends there.
	defer src.Close()
	for {
		pg, err := src.NextPage(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err == nil {
			err = doc.WritePage(ctx, pg)
		}
		if err != nil {
			if full := spoolFull(err, room); full != nil {
				return full
			}
			if stopped := scanStopped(ctx); stopped != nil {
				return stopped
			}
			return scannerError(fmt.Sprintf("Scanning stopped at page %d", doc.Pages()+1), err)
		}
		page(doc.Pages())
	}
}

// storeError words a failure to keep the scanned document.
func storeError(err error) error {
	if full := diskFull(err); full != nil {
		return full
	}
	return &Error{Summary: "The scan could not be stored", Hint: "Check the spool directory's disk.", Err: err}
}

// scannerError words a failure of the scanner for the operator; the
// engine's own reason, such as a paper jam and what to do about it, is in
// err.
func scannerError(summary string, err error) error {
	return &Error{Summary: summary, Hint: "Check the scanner and scan again.", Err: err, Code: apitype.CodeScannerFailed}
}

// send mails the spooled document in dir as the signed-in account: as one
// message, or, when it is too large for one and the settings allow, as
// numbered parts by whole pages. note tells the operator why it waits, if
// it must.
func (d *Device) send(ctx context.Context, job *apitype.Job, dir string, note func(string)) error {
	s, err := d.store.Settings()
	if err != nil {
		return err
	}
	rt, err := d.routeFor(ctx, s, s.road())
	if err != nil {
		return err
	}
	if rt.internal != nil {
		// Queued under another road, or the domains changed since:
		// it fails for good, with the same words as at the panel.
		if err := checkInternal(job.To, rt.internal); err != nil {
			return err
		}
	}
	files, err := spoolFiles(dir)
	if err != nil {
		return &Error{Summary: "The scanned document is missing from the spool", Hint: "Scan again.", Err: err, Code: apitype.CodeDocumentGone}
	}
	format, err := scan.ParseFormat(job.Format)
	if err != nil {
		format = scan.FormatPDF
	}
	if job.MessageID == "" {
		job.MessageID = mailer.MessageIDFor(rt.from)
	}
	// The SMTP log Microsoft asks devices to keep: commands and replies,
	// never the credentials or the message, kept with the job.
	transcript := mailer.NewTranscript(0, 0, d.now)
	defer func() { job.SMTPLog = transcript.Lines() }()
	now := d.now()
	fill := strings.NewReplacer("{pages}", strconv.Itoa(job.Pages), "{date}", now.Format("2006-01-02 15:04"))
	subject := s.Subject
	if job.Subject != "" {
		subject = job.Subject
	}
	rt.sender.Config.Transcript = transcript
	m := &mailing{
		road:   rt.road,
		sender: rt.sender,
		auth:   rt.auth,
		limits: rt.limits,
		note:   note,
		msg: mailer.Message{
			From:    rt.from,
			To:      job.To,
			Subject: fill.Replace(subject),
			Body:    fill.Replace(s.Body),
			Date:    now,
		},
		names: fileNames{
			template: s.Scan.FileName,
			device:   deviceName(s.DeviceAddress),
			created:  job.Created,
			pages:    job.Pages,
		},
		// A part's PDF says what the document's does; PDF/A as the
		// settings say now.
		part: scan.PDFOptions{Author: s.DeviceAddress, Created: job.Created, PDFA: s.Scan.PDFA},
	}

	max := rt.maxSize
	split := s.Oversize != OversizeRefuse
	known := true
	if len(job.Parts) == 0 {
		err := checkSize(files, max)
		if err == nil {
			msg := m.msg
			msg.MessageID, msg.Attachments = job.MessageID, attachFiles(files, format, m.names, 1, format == scan.FormatJPEG || job.PerPage)
			err = d.mail(ctx, m, msg)
			if !split || !mailer.TooLarge(err) {
				return err
			}
			// The server takes less than the settings say: cut the
			// document into parts it takes.
			max, known = cutLimit(err, messageSize(filesSize(files)))
			d.log.Warn("message too large for the server; sending it in parts", "job", job.ID, "max_bytes", max, "err", err)
			m.note(tooLargeNote(err, "the message") + "; sending it in parts")
		} else if !split {
			return err
		}
	}
	refs, err := readIndex(dir)
	if err != nil {
		return err
	}
	if len(job.Parts) == 0 {
		if err := d.planParts(job, refs, max, known); err != nil {
			return err
		}
	}
	return d.sendParts(ctx, m, job, dir, refs, format, files[0])
}

// mailing is what every message of a job shares.
type mailing struct {
	road   string
	sender mailer.Sender
	auth   sasl.Client
	limits mailer.Limits
	note   func(string)
	msg    mailer.Message // without Message-ID and attachments
	names  fileNames      // the attachments'
	part   scan.PDFOptions
	// refreshed is set once the access token was renewed after the
	// server rejected it, which happens once an attempt.
	refreshed bool
}

// mail sends one message of a job, within the provider's sending limits.
func (d *Device) mail(ctx context.Context, m *mailing, msg mailer.Message) error {
	if err := d.waitForLimits(ctx, m.limits, len(msg.To), m.note); err != nil {
		return err
	}
	err := m.sender.Send(ctx, m.auth, msg.From, &msg)
	if m.road == apitype.RoadOAuth && !m.refreshed && mailer.TokenRejected(err) {
		err = d.resendWithNewToken(ctx, m, msg, err)
	}
	if _, refused := errors.AsType[*mailer.RefusedError](err); err == nil || refused {
		d.sent(len(msg.To))
	}
	return err
}

// attachFiles attaches spooled files as they are, named by names: the
// document's file, or (pageFiles) files of one page each from page first.
func attachFiles(files []string, format scan.Format, names fileNames, first int, pageFiles bool) []mailer.Attachment {
	var atts []mailer.Attachment
	for i, path := range files {
		name := names.document(filepath.Base(path), 0, 0)
		if pageFiles {
			name = names.page(filepath.Base(path), first+i)
		}
		atts = append(atts, spoolAttachment(path, name, format))
	}
	return atts
}

// recipients checks the addresses a job goes to, and leaves out repeats.
func recipients(list []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, s := range list {
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			// A display name ("Bob <bob@example.com>") is allowed and
			// dropped; the address itself must go into RCPT TO unchanged.
			a, err := mailer.ParseAddress(part)
			if err != nil {
				return nil, &Error{Summary: fmt.Sprintf("%q is not an e-mail address", part), Hint: "Check the destination address.", Code: apitype.CodeInvalidAddress}
			}
			if key := strings.ToLower(a.Address); !seen[key] {
				seen[key] = true
				out = append(out, a.Address)
			}
		}
	}
	switch {
	case len(out) == 0:
		return nil, &Error{Summary: "No destination", Hint: "Choose at least one e-mail address to send to.", Code: apitype.CodeInvalidAddress}
	case len(out) > maxRecipients:
		return nil, &Error{Summary: fmt.Sprintf("Too many destinations (%d, at most %d)", len(out), maxRecipients), Hint: "Send to fewer addresses, or to a distribution list.", Code: apitype.CodeInvalidAddress}
	}
	return out, nil
}
