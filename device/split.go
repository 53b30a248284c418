package device

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"scanmail/device/apitype"
	"scanmail/mailer"
	"scanmail/scan"
)

// The room a part's file takes beyond its pages' images: PDF objects or a
// TIFF directory for each page, and the file's own structure.
const (
	pageOverhead = 1 << 10
	partOverhead = 4 << 10
)

// messageSize estimates the message that carries attachments of n bytes:
// base64 makes every 57 bytes a line of 76 characters and CRLF (a third
// larger and a little more); headers and the text part add a little.
func messageSize(n int64) int64 {
	return (n+56)/57*78 + 64<<10
}

func filesSize(files []string) int64 {
	var n int64
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// checkSize refuses, before connecting, a document whose message would be
// larger than max bytes: the server would refuse it only after the whole
// upload.
func checkSize(files []string, max int64) error {
	if max <= 0 {
		return nil
	}
	if sent := messageSize(filesSize(files)); sent > max {
		return &Error{
			Summary: fmt.Sprintf("The scan is too large to mail: about %s as sent, the mail server takes %s", megabytes(sent), megabytes(max)),
			Hint: "Scan fewer pages, at a lower resolution, or in black and white; " +
				"or let the device send large scans in parts; or raise the mailbox's MaxSendSize and the device's largest message size.",
			Code: apitype.CodeTooLarge,
		}
	}
	return nil
}

// planParts cuts the job's pages from the first unsent one on into parts
// whose messages stay within max bytes, and stores the plan with the job
// before anything is sent, so that every later attempt sends the same
// parts under the same Message-IDs. A known limit (known) refuses a page
// too large on its own before connecting; a limit guessed from a server's
// refusal gives such a page a part of its own, and the server decides.
func (d *Device) planParts(job *apitype.Job, refs []scan.PageRef, max int64, known bool) error {
	first := 1
	var sent []apitype.JobPart
	for _, p := range job.Parts {
		if p.Sent {
			sent = append(sent, p)
			first = p.Last + 1
		}
	}
	var parts []apitype.JobPart
	var size int64
	for i := first - 1; i < len(refs); i++ {
		page := refs[i].Length + pageOverhead
		if known && messageSize(page+partOverhead) > max {
			return &Error{
				Summary: fmt.Sprintf("Page %d alone is too large to mail: about %s as sent, the mail server takes %s",
					i+1, megabytes(messageSize(page+partOverhead)), megabytes(max)),
				Hint: "Scan at a lower resolution or in black and white, or raise the mailbox's MaxSendSize and the device's largest message size.",
				Code: apitype.CodeTooLarge,
			}
		}
		if n := len(parts); n > 0 && messageSize(size+page+partOverhead) <= max {
			parts[n-1].Last = i + 1
			size += page
			continue
		}
		// Each part is a message of its own, with an ID in the
		// job's domain.
		parts = append(parts, apitype.JobPart{First: i + 1, Last: i + 1, MessageID: mailer.MessageIDFor(job.MessageID)})
		size = page
	}
	job.Parts = append(sent, parts...)
	d.log.Info("document cut into parts", "job", job.ID, "parts", len(job.Parts), "max_bytes", max)
	return d.store.PutJob(*job)
}

// readIndex reads where the spooled document's pages lie, to cut it.
func readIndex(dir string) ([]scan.PageRef, error) {
	refs, err := scan.ReadIndex(dir)
	if err != nil {
		return nil, &Error{Summary: "The scanned document cannot be cut into parts", Hint: "Scan again in fewer pages.", Err: err}
	}
	return refs, nil
}

// sendParts sends the parts of a job not sent yet, recording each as it
// goes. A part the server finds too large is cut again.
func (d *Device) sendParts(ctx context.Context, m *mailing, job *apitype.Job, dir string, refs []scan.PageRef, format scan.Format, docFile string) error {
	var refused mailer.RefusedError // by every part
	for i := 0; i < len(job.Parts); i++ {
		part := job.Parts[i]
		if part.Sent {
			continue
		}
		if part.First < 1 || part.Last > len(refs) || part.First > part.Last {
			return fmt.Errorf("job %d: part of pages %d to %d, the document has %d", job.ID, part.First, part.Last, len(refs))
		}
		label := fmt.Sprintf("part %d of %d", i+1, len(job.Parts))
		m.note(fmt.Sprintf("Sending %s (pages %d to %d of %d)", label, part.First, part.Last, job.Pages))
		msg := m.msg
		msg.MessageID = part.MessageID
		msg.Subject += " (" + label + ")"
		msg.Body = strings.TrimRight(msg.Body, "\n") + fmt.Sprintf("\n\nPart %d of %d: pages %d to %d of %d.\n", i+1, len(job.Parts), part.First, part.Last, job.Pages)
		release, ok := func() {}, true
		pageFiles := format == scan.FormatJPEG || job.PerPage
		if !pageFiles { // otherwise a part is its page files
			release, ok = d.claimDisk(partSize(refs[part.First-1 : part.Last]))
		}
		if !ok {
			return &Error{
				Summary:   fmt.Sprintf("No room on the device's storage to prepare %s", label),
				Hint:      "The device tries again by itself once a scan ends or documents are sent; cancel waiting jobs that need not go.",
				Temporary: true,
				Err:       ErrSpoolFull,
			}
		}
		atts, cleanup, err := partAttachments(ctx, dir, format, pageFiles, refs, part, m, docFile, i+1, len(job.Parts))
		release() // the part is on the disk, or gone
		if errors.Is(err, scan.ErrUnsupported) {
			return &Error{Summary: "The compact PDF is too large for one message and cannot be cut into parts",
				Hint: "Scan again with one file a page, in fewer pages, or as a normal PDF.", Err: err}
		}
		if err != nil {
			return &Error{Summary: "The scanned document cannot be cut into parts", Hint: "Check the spool directory's disk.", Err: err}
		}
		msg.Attachments = atts
		err = d.mail(ctx, m, msg)
		cleanup()
		var re *mailer.RefusedError
		switch {
		case err == nil || errors.As(err, &re):
			if re != nil {
				// Refused for good: the later parts go to the
				// others only.
				refused.Refused = append(refused.Refused, re.Refused...)
				m.msg.To = without(m.msg.To, re.Refused)
			}
			job.Parts[i].Sent = true
			if err := d.store.PutJob(*job); err != nil {
				return err
			}
		case mailer.TooLarge(err) && part.Last > part.First:
			// The server takes less than planned: cut this part and
			// the rest again, smaller.
			max, known := cutLimit(err, messageSize(partSize(refs[part.First-1:part.Last])))
			d.log.Warn("part too large for the server; cutting again", "job", job.ID, "part", i+1, "max_bytes", max, "err", err)
			m.note(tooLargeNote(err, fmt.Sprintf("part %d", i+1)) + "; sending the rest in smaller parts")
			if err := d.planParts(job, refs, max, known); err != nil {
				return err
			}
			i--
		case mailer.TooLarge(err):
			return &Error{
				Summary: fmt.Sprintf("Page %d alone is too large for the mail server", part.First),
				Hint:    "Scan at a lower resolution or in black and white, or raise the mailbox's MaxSendSize.",
				Err:     err,
			}
		default:
			return err
		}
	}
	if len(refused.Refused) > 0 {
		return &refused
	}
	return nil
}

// without is to less the refused recipients.
func without(to []string, refused []*mailer.Error) []string {
	var out []string
	for _, a := range to {
		if !slices.ContainsFunc(refused, func(e *mailer.Error) bool { return strings.EqualFold(e.Rcpt, a) }) {
			out = append(out, a)
		}
	}
	return out
}

func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

func partSize(refs []scan.PageRef) int64 {
	n := int64(partOverhead)
	for _, r := range refs {
		n += r.Length + pageOverhead
	}
	return n
}

// partAttachments makes the attachments of one part: the page files
// themselves for a document of one file a page (pageFiles: JPEG, or a
// job's per-page option), otherwise a PDF or TIFF of the part's pages
// written into the spool, which cleanup removes.
func partAttachments(ctx context.Context, dir string, format scan.Format, pageFiles bool, all []scan.PageRef, part apitype.JobPart, m *mailing, docFile string, n, of int) ([]mailer.Attachment, func(), error) {
	refs := all[part.First-1 : part.Last]
	if pageFiles {
		var files []string
		for _, r := range refs {
			files = append(files, filepath.Join(dir, filepath.Base(r.File)))
		}
		return attachFiles(files, format, m.names, part.First, true), func() {}, nil
	}
	base := strings.TrimSuffix(filepath.Base(docFile), filepath.Ext(docFile))
	path := filepath.Join(dir, fmt.Sprintf(".%s-part%dof%d.%s", base, n, of, format.Ext()))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o600)
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.Remove(path) }
	opts := m.part
	opts.Title = fmt.Sprintf("%s, part %d of %d", m.msg.Subject, n, of)
	err = scan.WritePartPDF(ctx, f, dir, format, refs, opts)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	att := spoolAttachment(path, m.names.document(fmt.Sprintf("%s-part%dof%d.%s", base, n, of, format.Ext()), n, of), format)
	return []mailer.Attachment{att}, cleanup, nil
}

// spoolAttachment attaches a spooled file with its size, so that the
// message's size is known before it is sent: the server hears it, and one
// whose limit it passes refuses it before any of it goes (RFC 1870).
func spoolAttachment(path, name string, format scan.Format) mailer.Attachment {
	a := mailer.Attachment{
		Filename:    name,
		ContentType: format.ContentType(),
		Open:        func() (io.ReadCloser, error) { return os.Open(path) },
	}
	if fi, err := os.Stat(path); err == nil {
		a.Size = fi.Size()
	}
	return a
}

// cutLimit is the largest message to cut a document into after the server
// refused one of refused bytes (as messageSize estimates it) as too large:
// the limit the server advertised, for which the refusal came before
// anything was sent, else half the refused size. known says the limit is
// the server's own word. Either is below refused, so that every cut makes
// the parts smaller.
func cutLimit(err error, refused int64) (max int64, known bool) {
	if se, ok := errors.AsType[*mailer.SizeError](err); ok && se.Limit < refused {
		return se.Limit, true
	}
	return refused / 2, false
}

// tooLargeNote tells the operator why what (the message, part 2) goes in
// smaller parts.
func tooLargeNote(err error, what string) string {
	if se, ok := errors.AsType[*mailer.SizeError](err); ok {
		return fmt.Sprintf("The mail server takes at most %s a message; %s is %s", megabytes(se.Limit), what, megabytes(se.Size))
	}
	return fmt.Sprintf("The mail server refused %s as too large", what)
}
