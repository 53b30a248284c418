package device

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"
)

// vCardLine is the longest line of a vCard in octets, without its CRLF
// (RFC 2426 section 2.6, after RFC 2425 section 5.8.1).
const vCardLine = 75

// writeVCards writes entries as vCard 3.0 (RFC 2426), one card each, for
// address books and phones that do not read CSV.
func writeVCards(w io.Writer, entries []bookRecord) error {
	bw := bufio.NewWriter(w)
	for _, e := range entries {
		lines := []string{
			"BEGIN:VCARD",
			"VERSION:3.0",
			"FN:" + vCardText(e.Name),
			"N:" + vCardName(e.Name),
			"EMAIL;TYPE=INTERNET:" + e.Address,
		}
		if len(e.Groups) > 0 {
			cats := make([]string, len(e.Groups))
			for i, g := range e.Groups {
				cats[i] = vCardText(g)
			}
			lines = append(lines, "CATEGORIES:"+strings.Join(cats, ","))
		}
		lines = append(lines, "END:VCARD")
		for _, l := range lines {
			writeFolded(bw, l)
		}
	}
	return bw.Flush()
}

// vCardName is the structured name: the last word as the family name and
// the words before it as the given name, which is what a name written
// "given family" means; the display name (FN) keeps the name as it is.
func vCardName(name string) string {
	words := strings.Fields(name)
	if len(words) == 0 {
		return ";;;;"
	}
	family := words[len(words)-1]
	given := strings.Join(words[:len(words)-1], " ")
	return vCardText(family) + ";" + vCardText(given) + ";;;"
}

// vCardText escapes a text value (RFC 2426 section 4): backslash, comma,
// semicolon and newline.
var vCardText = strings.NewReplacer(`\`, `\\`, ",", `\,`, ";", `\;`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace

// writeFolded writes a content line with CRLF, folded to lines of at most
// vCardLine octets: each continuation begins with a space. A fold never
// splits a UTF-8 character.
func writeFolded(w *bufio.Writer, line string) {
	limit := vCardLine
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		w.WriteString(line[:cut])
		w.WriteString("\r\n ")
		line = line[cut:]
		limit = vCardLine - 1 // the leading space counts
	}
	w.WriteString(line)
	w.WriteString("\r\n")
}
