package device

import (
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"

	"scanmail/device/apitype"
	"scanmail/scan"
)

// maxSubject bounds a job's own subject, in characters: a mail program
// shows far less, and a long one only stretches the header.
const maxSubject = 200

// jobScan is how a job is scanned and sent: the settings, with the job's
// own options over them.
type jobScan struct {
	opts    scan.Options
	format  scan.Format
	quality int
	perPage bool
	// subject is the job's own, with {pages} and {date} still to fill in;
	// empty: the subject setting's.
	subject string
	// blank, when set, leaves blank pages out (scan.blank_pages remove).
	blank *scan.BlankOptions
	// doc is what the PDF says of itself: the subject as its title,
	// {date} still to fill in, the device address as its author; PDF/A.
	doc scan.PDFOptions
}

// jobScan checks a job's options as the settings they stand for are
// checked, and puts them over the settings. A refused option names the
// field; a stored setting that is not valid is the settings' fault.
func (s Settings) jobScan(o apitype.ScanOptions) (jobScan, error) {
	if err := checkOptions(&s, o); err != nil {
		return jobScan{}, err
	}
	opts, format, quality, err := s.Scan.options()
	if err != nil {
		return jobScan{}, &Error{Summary: "The scan settings are not valid", Hint: "Check the scan settings: colour mode, resolution and file format.", Err: err, Code: apitype.CodeInvalidSetting}
	}
	opts.Duplex = o.Duplex
	title := s.Subject
	if o.Subject != "" {
		title = o.Subject
	}
	doc := scan.PDFOptions{Title: title, Author: s.DeviceAddress, PDFA: s.Scan.PDFA}
	js := jobScan{opts: opts, format: format, quality: quality, perPage: o.PerPage, subject: o.Subject, doc: doc}
	if b := s.Scan.Blank; b.Remove {
		js.blank = &scan.BlankOptions{Darkness: b.Darkness, Dust: b.Dust}
	}
	return js, nil
}

// checkOptions checks a job's or a Quick Set's options as the settings
// they stand for are checked, and sets them in s. A refused option names
// the field.
func checkOptions(s *Settings, o apitype.ScanOptions) error {
	dpi := ""
	if o.DPI != 0 {
		dpi = strconv.Itoa(o.DPI)
	}
	for _, opt := range []struct{ field, key, value string }{
		{"mode", "scan.mode", o.Mode},
		{"dpi", "scan.dpi", dpi},
		{"format", "scan.format", o.Format},
	} {
		if opt.value == "" {
			continue
		}
		if err := s.Set(opt.key, opt.value); err != nil {
			if ve, ok := errors.AsType[*valueError](err); ok {
				err = ve.err
			}
			return optionError(opt.field, err)
		}
	}
	if err := checkSubject(o.Subject); err != nil {
		return optionError("subject", err)
	}
	return nil
}

func optionError(field string, err error) error {
	return &Error{
		Summary: fmt.Sprintf("The scan option %s was refused", field),
		Hint:    "Choose one of the values offered, or leave the option out for the device's setting.",
		Err:     err,
		Code:    apitype.CodeInvalidRequest,
	}
}

// checkSubject takes a subject of printable characters only: a line break
// would end the header, and a control or bidi character would show the
// reader something else than was written.
func checkSubject(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("the subject is not UTF-8 text")
	}
	if n := utf8.RuneCountInString(s); n > maxSubject {
		return fmt.Errorf("the subject has %d characters, at most %d", n, maxSubject)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("the subject holds the character %U, which cannot be shown", r)
		}
	}
	return nil
}
