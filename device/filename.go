package device

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxFileStem bounds an attachment's name before its extension, in
// characters: mail programs and file systems cut longer names their own
// ways (255 bytes is the common file system limit).
const maxFileStem = 100

// fileNames names a job's attachments after the scan.file_name template:
// {device}, {date} (YYYY-MM-DD), {time} (HHMMSS), {pages} and {n}, the page
// number of a file of one page. An empty template keeps the spool's names
// (scan-YYYYMMDD-HHMMSS.pdf, scan-YYYYMMDD-HHMMSS-p001.jpg). The extension
// is always the spool file's, which its writer chose by format.
type fileNames struct {
	template string
	device   string
	created  time.Time
	pages    int
}

// placeholder matches what a template may fill in.
var placeholder = regexp.MustCompile(`\{[a-z]*\}`)

// checkFileNameTemplate refuses a template with an unknown placeholder,
// which would otherwise be mailed as written.
func checkFileNameTemplate(t string) error {
	if !utf8.ValidString(t) {
		return fmt.Errorf("the file name is not UTF-8 text")
	}
	if n := utf8.RuneCountInString(t); n > 200 {
		return fmt.Errorf("the file name template has %d characters, at most 200", n)
	}
	for _, p := range placeholder.FindAllString(t, -1) {
		switch p {
		case "{device}", "{date}", "{time}", "{pages}", "{n}":
		default:
			return fmt.Errorf("%s is not filled in: use {device}, {date}, {time}, {pages} or {n}", p)
		}
	}
	return nil
}

// deviceName is what {device} stands for: the device address's local part.
func deviceName(address string) string {
	local, _, _ := strings.Cut(address, "@")
	if local == "" {
		return "scanner"
	}
	return local
}

// document is the name of the document's file, or of its part n of of
// (of 0: the whole document); spoolName is the spool's name for it.
func (f fileNames) document(spoolName string, part, of int) string {
	if f.template == "" {
		return spoolName
	}
	stem := sanitizeFileStem(f.fill(0))
	if of > 0 {
		stem = fmt.Sprintf("%s-part%dof%d", stem, part, of)
	}
	return stem + filepath.Ext(spoolName)
}

// page is the name of the file of page n alone; the template's {n}, or a
// page number added when it has none, keeps the names apart.
func (f fileNames) page(spoolName string, n int) string {
	if f.template == "" {
		return spoolName
	}
	if !strings.Contains(f.template, "{n}") {
		// Added after the name is cut to length, so that it stays.
		return fmt.Sprintf("%s-p%03d%s", sanitizeFileStem(f.fill(n)), n, filepath.Ext(spoolName))
	}
	return sanitizeFileStem(f.fill(n)) + filepath.Ext(spoolName)
}

// fill fills in the template; {n} is the page number n, three digits so
// that the names sort, or nothing for a whole document.
func (f fileNames) fill(n int) string {
	num := ""
	if n > 0 {
		num = fmt.Sprintf("%03d", n)
	}
	return strings.NewReplacer(
		"{device}", f.device,
		"{date}", f.created.Format("2006-01-02"),
		"{time}", f.created.Format("150405"),
		"{pages}", strconv.Itoa(f.pages),
		"{n}", num,
	).Replace(f.template)
}

// sanitizeFileStem makes s a name every mail program and file system
// takes: no path separators, control or reserved characters (Windows'
// <>:"|?*), no dots or spaces at either end (a hidden file; Windows drops
// them), at most maxFileStem characters; "scan" if nothing is left.
func sanitizeFileStem(s string) string {
	s = strings.ToValidUTF8(s, "_")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`/\<>:"|?*`, r) || r == utf8.RuneError ||
			unicode.Is(unicode.Bidi_Control, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > maxFileStem {
		s = string(r[:maxFileStem])
	}
	s = strings.Trim(s, " .")
	if s == "" {
		return "scan"
	}
	return s
}
